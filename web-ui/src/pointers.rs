//! Turns pointer events (mouse, pen, touch) into gestures: one pointer drags, two pinch.
//!
//! Pointer events give every finger its own id, so touch needs no separate code path: the
//! preview keeps the pressed pointers here and asks, on every move, what the move means.

/// What a pointer move means for the view, in client (CSS) pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gesture {
    /// One pointer moved by `(dx, dy)`.
    Drag { dx: f64, dy: f64 },
    /// Two pointers: their midpoint is now `(x, y)` after moving by `(dx, dy)`, and their distance
    /// grew by `scale` (> 1 spreads the fingers: zoom in).
    Pinch {
        x: f64,
        y: f64,
        dx: f64,
        dy: f64,
        scale: f64,
    },
}

/// The pointers currently pressed, with their last positions.
#[derive(Default)]
pub struct Pointers {
    pressed: Vec<(i32, (f64, f64))>,
}

/// A pointer event's position in client pixels.
pub fn position(ev: &web_sys::PointerEvent) -> (f64, f64) {
    (f64::from(ev.client_x()), f64::from(ev.client_y()))
}

impl Pointers {
    pub fn press(&mut self, id: i32, at: (f64, f64)) {
        self.pressed.retain(|(p, _)| *p != id);
        self.pressed.push((id, at));
    }

    /// Releases a pointer; true when none is left pressed (the gesture ended).
    pub fn release(&mut self, id: i32) -> bool {
        let before = self.pressed.len();
        self.pressed.retain(|(p, _)| *p != id);
        before > 0 && self.pressed.is_empty()
    }

    /// Records that pointer `id` is now `at`; the gesture that makes, if it is pressed and moved.
    pub fn moved(&mut self, id: i32, at: (f64, f64)) -> Option<Gesture> {
        let index = self.pressed.iter().position(|(p, _)| *p == id)?;
        let before = self.pressed[index].1;
        if before == at {
            return None;
        }
        let other = self
            .pressed
            .iter()
            .find(|(p, _)| *p != id)
            .map(|(_, pos)| *pos);
        self.pressed[index].1 = at;
        Some(match other {
            None => Gesture::Drag {
                dx: at.0 - before.0,
                dy: at.1 - before.1,
            },
            Some(fixed) => {
                let distance = |a: (f64, f64)| (a.0 - fixed.0).hypot(a.1 - fixed.1).max(1.0);
                let mid = |a: (f64, f64)| ((a.0 + fixed.0) / 2.0, (a.1 + fixed.1) / 2.0);
                let (old_mid, new_mid) = (mid(before), mid(at));
                Gesture::Pinch {
                    x: new_mid.0,
                    y: new_mid.1,
                    dx: new_mid.0 - old_mid.0,
                    dy: new_mid.1 - old_mid.1,
                    scale: distance(at) / distance(before),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pointer_drags_and_two_pinch() {
        let mut p = Pointers::default();
        p.press(1, (100.0, 100.0));
        assert_eq!(
            p.moved(1, (110.0, 95.0)),
            Some(Gesture::Drag { dx: 10.0, dy: -5.0 })
        );
        p.press(2, (210.0, 95.0));
        // Spreading the second finger to twice the distance zooms in by 2 around the midpoint.
        let Some(Gesture::Pinch { x, y, scale, .. }) = p.moved(2, (310.0, 95.0)) else {
            panic!("two pointers pinch");
        };
        assert_eq!((x, y, scale), (210.0, 95.0, 2.0));
        assert!(!p.release(1), "one finger is still down");
        assert!(p.release(2), "the gesture ends with the last finger");
        assert_eq!(p.moved(2, (0.0, 0.0)), None, "released pointers do nothing");
    }
}

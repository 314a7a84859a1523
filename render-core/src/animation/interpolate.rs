//! The parameters of every frame between keyframes (docs/DESIGN.md §8.2).
//!
//! - `view_width`: geometric in time within a segment (its logarithm is linear), so the zoom
//!   speed is constant; computed from the logarithm of the keyframes' decimals, so it reaches
//!   deep-zoom widths (decimal strings below 1e-290) as easily as shallow ones.
//! - `center`: moves by the fraction `(w₀ − w(t)) / (w₀ − w₁)` of the way, which keeps one point of
//!   the plane, `(a·w₁ − b·w₀) / (w₁ − w₀)`, at the same place on the screen: the zoom heads
//!   steadily for that point and the centre moves across the screen at a constant speed. Between
//!   keyframes of equal width (a pan) it eases in and out (smoothstep in time).
//! - `c`: a C¹ cubic Hermite curve in time with Catmull-Rom tangents, zero at the first and last
//!   keyframe and wherever c holds still or turns around (so it never overshoots a keyframe), so a
//!   morph through several keyframes has no kinks; with two keyframes it is a smoothstep.
//! - `max_iter`: linear in time, rounded (with a constant-speed zoom the iterations a view needs
//!   grow about linearly with depth, so with time). `palette` and `colour_mapping`: the earlier
//!   keyframe's. `colour_offset` (the `cyclic` mapping's shift): linear in time, so a segment
//!   from 0 to 0.9 cycles the colours steadily through most of a period.
//!
//! Values equal at both ends of a segment are copied, decimals included, so a pure zoom keeps its
//! deep centre exactly; values that move are computed in f64.

use crate::{Coord, ParamError, Precision, RenderParams};
use serde_json::{Value, json};

use super::spec::{AnimationSpec, frame_params};

/// `ln` of the smallest width given as an f64 number in a frame's parameters; below it, the frame
/// carries its width as a decimal string.
const LN_SMALLEST_NUMBER_WIDTH: f64 = -644.7; // ln(1e-280)

/// Computes the parameters of any frame of a valid animation.
pub struct Interpolator<'a> {
    spec: &'a AnimationSpec,
    /// `ln(view_width)` of each keyframe.
    log_widths: Vec<f64>,
    /// The Catmull-Rom tangent of `c` at each keyframe, per second.
    c_tangents: Vec<(f64, f64)>,
}

impl<'a> Interpolator<'a> {
    pub fn new(spec: &'a AnimationSpec) -> Self {
        let keys = &spec.keyframes;
        let log_widths = keys.iter().map(|k| ln_view_width(&k.params)).collect();
        let c_tangents = (0..keys.len())
            .map(|i| {
                if i == 0 || i + 1 == keys.len() {
                    return (0.0, 0.0);
                }
                let (before, here, after) = (&keys[i - 1], &keys[i], &keys[i + 1]);
                let dt = after.t - before.t;
                let tangent = |b: f64, h: f64, a: f64| {
                    // Zero where c holds still or turns around, so it never overshoots.
                    if (h - b) * (a - h) > 0.0 {
                        (a - b) / dt
                    } else {
                        0.0
                    }
                };
                (
                    tangent(before.params.c.re, here.params.c.re, after.params.c.re),
                    tangent(before.params.c.im, here.params.c.im, after.params.c.im),
                )
            })
            .collect();
        Self {
            spec,
            log_widths,
            c_tangents,
        }
    }

    /// The time of frame `n` in seconds: frames are spread evenly from the first keyframe to the
    /// last, both included.
    pub fn frame_time(&self, n: u64) -> f64 {
        let last = self.spec.frame_count().saturating_sub(1).max(1);
        if n >= last {
            return self.spec.duration();
        }
        self.spec.duration() * n as f64 / last as f64
    }

    /// The parameters of frame `n`, validated as a job's are.
    pub fn frame(&self, n: u64) -> Result<RenderParams, ParamError> {
        self.at(self.frame_time(n))
    }

    /// `ln(view_width)` at time `t`: linear within each segment.
    pub fn ln_view_width_at(&self, t: f64) -> f64 {
        let (k, s) = self.segment(t);
        lerp(self.log_widths[k], self.log_widths[k + 1], s)
    }

    /// Whether only the view width changes: centre, c, max_iter and colours equal in every
    /// keyframe, so every frame is a scaled copy of one picture (the fast zoom's condition).
    pub fn is_pure_zoom(&self) -> bool {
        let keys = &self.spec.keyframes;
        keys.windows(2).all(|pair| {
            let (a, b) = (&pair[0].params, &pair[1].params);
            same_point(a, b, Coord::CenterRe, Coord::CenterIm)
                && same_point(a, b, Coord::CRe, Coord::CIm)
                && a.max_iter == b.max_iter
                && a.palette == b.palette
                && a.colour_mapping == b.colour_mapping
                && a.colour_offset == b.colour_offset
        })
    }

    /// The parameters at time `t` (clamped to the animation), validated as a job's are.
    pub fn at(&self, t: f64) -> Result<RenderParams, ParamError> {
        let keys = &self.spec.keyframes;
        let (k, s) = self.segment(t);
        let (a, b) = (&keys[k].params, &keys[k + 1].params);
        if s == 0.0 {
            return Ok(a.clone());
        }
        if s == 1.0 {
            return Ok(b.clone());
        }
        let (la, lb) = (self.log_widths[k], self.log_widths[k + 1]);
        let ln_width = lerp(la, lb, s);
        let moving_center = !same_point(a, b, Coord::CenterRe, Coord::CenterIm);
        let center = if !moving_center {
            complex_value(a, Coord::CenterRe, Coord::CenterIm)
        } else {
            let u = if (lb - la).abs() > 1e-12 {
                (1.0 - (ln_width - la).exp()) / (1.0 - (lb - la).exp())
            } else {
                smoothstep(s)
            };
            json!({"re": lerp(a.center.re, b.center.re, u), "im": lerp(a.center.im, b.center.im, u)})
        };
        let (ma, mb) = (self.c_tangents[k], self.c_tangents[k + 1]);
        let c = if same_point(a, b, Coord::CRe, Coord::CIm) && ma == (0.0, 0.0) && mb == (0.0, 0.0)
        {
            complex_value(a, Coord::CRe, Coord::CIm)
        } else {
            let h = keys[k + 1].t - keys[k].t;
            json!({
                "re": hermite(a.c.re, b.c.re, ma.0 * h, mb.0 * h, s),
                "im": hermite(a.c.im, b.c.im, ma.1 * h, mb.1 * h, s),
            })
        };
        let max_iter = lerp(f64::from(a.max_iter), f64::from(b.max_iter), s).round();
        // Inside [0, 1) as both ends are; `min` keeps rounding from reaching 1.
        let colour_offset = lerp(a.colour_offset, b.colour_offset, s).min(1.0 - f64::EPSILON);
        let doc = json!({
            "width": a.width,
            "height": a.height,
            "supersample": a.supersample,
            "center": center,
            "view_width": width_value(ln_width),
            "c": c,
            "max_iter": max_iter as u32,
            "palette": a.palette.name(),
            "colour_mapping": a.colour_mapping.name(),
            "colour_offset": colour_offset,
        });
        let params = frame_params(&doc, &self.spec_limits())?;
        if moving_center && params.resolved_precision() == Precision::Deep {
            return Err(ParamError::new(
                format!("keyframes[{}].view.center", k + 1),
                "moves between keyframes at a depth f64 cannot place a centre; keep the centre \
                 fixed below a view width of about 1e-13 of its magnitude",
            ));
        }
        Ok(params)
    }

    /// Frames are checked against the defaults here; a server checks its own limits again when
    /// the frames become jobs.
    fn spec_limits(&self) -> crate::Limits {
        crate::Limits::default()
    }

    /// The segment holding `t` and the fraction of it done, in 0 ..= 1.
    fn segment(&self, t: f64) -> (usize, f64) {
        let keys = &self.spec.keyframes;
        let t = t.clamp(0.0, self.spec.duration());
        let k = keys[1..keys.len() - 1]
            .iter()
            .take_while(|key| key.t <= t)
            .count();
        let (t0, t1) = (keys[k].t, keys[k + 1].t);
        (k, ((t - t0) / (t1 - t0)).clamp(0.0, 1.0))
    }
}

/// `ln(view_width)`, from the decimal where one is kept (deep zoom), else from the f64.
pub fn ln_view_width(params: &RenderParams) -> f64 {
    let decimal = params.decimal(Coord::ViewWidth);
    if decimal.is_f64() || params.view_width >= 1e-300 {
        return params.view_width.ln();
    }
    // d.ddd × 10^e = 0.dddd × 10^(e+1); 17 digits are all an f64 resolves.
    let (digits, exponent) = decimal.digits();
    let lead: String = digits.chars().take(17).collect();
    let fraction = format!("0.{lead}").parse::<f64>().unwrap_or(0.1);
    (exponent + 1) as f64 * std::f64::consts::LN_10 + fraction.ln()
}

/// A width with this logarithm as the JSON parameters carry it: a number, or a decimal string
/// below f64's comfortable range.
fn width_value(ln_width: f64) -> Value {
    if ln_width > LN_SMALLEST_NUMBER_WIDTH {
        return Value::from(ln_width.exp());
    }
    let log10 = ln_width / std::f64::consts::LN_10;
    let exponent = log10.floor();
    let mantissa = 10f64
        .powf(log10 - exponent)
        .clamp(1.0, 9.999_999_999_999_999);
    Value::from(format!("{mantissa:.15}e{exponent}"))
}

/// A complex parameter as given: decimal strings where the keyframe kept them.
fn complex_value(p: &RenderParams, re: Coord, im: Coord) -> Value {
    json!({"re": coord_value(p, re), "im": coord_value(p, im)})
}

fn coord_value(p: &RenderParams, coord: Coord) -> Value {
    let value = coord.f64_in(p);
    match p.exact.get(coord, value) {
        Some(decimal) => Value::from(decimal.as_str()),
        None => Value::from(value),
    }
}

fn same_point(a: &RenderParams, b: &RenderParams, re: Coord, im: Coord) -> bool {
    a.decimal(re) == b.decimal(re) && a.decimal(im) == b.decimal(im)
}

fn lerp(a: f64, b: f64, s: f64) -> f64 {
    a + (b - a) * s
}

fn smoothstep(s: f64) -> f64 {
    s * s * (3.0 - 2.0 * s)
}

/// The cubic Hermite curve from `a` to `b` with end slopes `ma`, `mb` (per segment) at `s`.
fn hermite(a: f64, b: f64, ma: f64, mb: f64, s: f64) -> f64 {
    if a == b && ma == 0.0 && mb == 0.0 {
        return a;
    }
    let (s2, s3) = (s * s, s * s * s);
    (2.0 * s3 - 3.0 * s2 + 1.0) * a
        + (s3 - 2.0 * s2 + s) * ma
        + (-2.0 * s3 + 3.0 * s2) * b
        + (s3 - s2) * mb
}

#[cfg(test)]
mod tests;

//! The strips a zoom holds while its frames need them (docs/DESIGN.md §8.4): rendered when the
//! first frame reaches them, kept as mipmaps, dropped once the zoom has passed them, so a zoom
//! holds about a dozen whatever its depth.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::ops::Range;

use super::ExpMap;
use super::mip::MipStrip;

/// The strips a zoom has rendered and still needs, by octave.
#[derive(Default)]
pub struct StripSet {
    strips: BTreeMap<u32, MipStrip>,
}

impl StripSet {
    /// Makes `strips` hold exactly the strips `needed`: drops the others and renders the
    /// missing ones with `render` (octave → RGBA strip, as `ExpMap::render_strip` lays it out).
    ///
    /// Strips are kept as mipmaps (`mip.rs`).
    pub fn keep<E>(
        &mut self,
        map: &ExpMap,
        needed: Range<u32>,
        mut render: impl FnMut(u32) -> Result<Vec<u8>, E>,
    ) -> Result<(), E> {
        self.strips.retain(|octave, _| needed.contains(octave));
        for octave in needed {
            if let Entry::Vacant(slot) = self.strips.entry(octave) {
                let strip = render(octave)?;
                slot.insert(MipStrip::new(map, &strip));
            }
        }
        Ok(())
    }

    /// Strips held now (memory: each is `ExpMap::strip_len` texels of 4 bytes, and a third
    /// more for the coarser levels).
    pub fn len(&self) -> usize {
        self.strips.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strips.is_empty()
    }

    /// Strip `octave`, if held.
    pub(super) fn get(&self, octave: u32) -> Option<&MipStrip> {
        self.strips.get(&octave)
    }
}

//! Thumbnails of finished PNG results: at most [`THUMBNAIL_SIDE`] pixels on the long side, made
//! while the result streams through the decoder (rows are box-averaged down to at most twice the
//! thumbnail's size as they arrive, then `image`'s resize filter finishes), so a 16384² result
//! costs a few megabytes of memory, not its full size. Kept as `Derived::Thumbnail` by job hash.

use std::io::{self, BufRead, Seek};

use image::imageops::FilterType;
use image::{ImageEncoder, RgbaImage};

/// The long side of a thumbnail at most, in pixels.
pub const THUMBNAIL_SIDE: u32 = 256;

/// The thumbnail of a PNG (8-bit RGBA, as every result is) as PNG bytes.
pub fn make_thumbnail(png: impl BufRead + Seek) -> io::Result<Vec<u8>> {
    let mut reader = png::Decoder::new(png).read_info().map_err(invalid)?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return Err(invalid("not an 8-bit RGBA image"));
    }
    // Box-average `factor`² source pixels into one, keeping at least twice the final size so the
    // resize filter still has detail to work with.
    let factor = (width.max(height) / (2 * THUMBNAIL_SIDE)).max(1);
    let (box_w, box_h) = (width.div_ceil(factor), height.div_ceil(factor));
    let mut sums = vec![0u32; box_w as usize * box_h as usize * 4];
    let mut counts = vec![0u32; box_w as usize * box_h as usize];
    let mut y = 0u32;
    while let Some(row) = reader.next_row().map_err(invalid)? {
        let by = (y / factor) as usize;
        for (x, px) in row.data().chunks_exact(4).enumerate() {
            let cell = by * box_w as usize + x / factor as usize;
            counts[cell] += 1;
            for (sum, channel) in sums[cell * 4..cell * 4 + 4].iter_mut().zip(px) {
                *sum += u32::from(*channel);
            }
        }
        y += 1;
    }
    let boxed: Vec<u8> = sums
        .chunks_exact(4)
        .zip(&counts)
        .flat_map(|(sum, &n)| {
            sum.iter()
                .map(move |s| (s + n / 2).checked_div(n).unwrap_or(0) as u8)
        })
        .collect();
    let boxed = RgbaImage::from_raw(box_w, box_h, boxed).expect("sized above");
    let (thumb_w, thumb_h) = thumbnail_size(width, height);
    let thumb = image::imageops::resize(&boxed, thumb_w, thumb_h, FilterType::Triangle);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            thumb.as_raw(),
            thumb_w,
            thumb_h,
            image::ExtendedColorType::Rgba8,
        )
        .map_err(invalid)?;
    Ok(out)
}

/// The thumbnail's size: the image's aspect ratio, the long side at most [`THUMBNAIL_SIDE`]
/// (an image already that small keeps its size), neither side below 1.
pub fn thumbnail_size(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= THUMBNAIL_SIDE {
        return (width, height);
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(THUMBNAIL_SIDE) + u64::from(long) / 2) / u64::from(long))
            .max(1) as u32
    };
    (scale(width), scale(height))
}

fn invalid(err: impl ToString) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_keep_the_aspect_ratio_within_the_long_side() {
        assert_eq!(thumbnail_size(1024, 768), (256, 192));
        assert_eq!(thumbnail_size(300, 4000), (19, 256));
        assert_eq!(thumbnail_size(100_000, 10), (256, 1));
        assert_eq!(thumbnail_size(200, 100), (200, 100));
    }

    #[test]
    fn a_thumbnail_averages_the_image_it_shrinks() {
        // Left half red, right half blue: the thumbnail keeps the halves.
        let (w, h) = (1200u32, 600u32);
        let mut rgba = Vec::with_capacity((w * h * 4) as usize);
        for _ in 0..h {
            for x in 0..w {
                rgba.extend_from_slice(if x < w / 2 {
                    &[255, 0, 0, 255]
                } else {
                    &[0, 0, 255, 255]
                });
            }
        }
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&rgba, w, h, image::ExtendedColorType::Rgba8)
            .unwrap();
        let thumb =
            image::load_from_memory(&make_thumbnail(std::io::Cursor::new(&png[..])).unwrap())
                .unwrap()
                .to_rgba8();
        assert_eq!(thumb.dimensions(), (256, 128));
        assert_eq!(thumb.get_pixel(10, 64).0, [255, 0, 0, 255]);
        assert_eq!(thumb.get_pixel(245, 64).0, [0, 0, 255, 255]);
    }
}

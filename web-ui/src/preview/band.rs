//! One band of a preview image, computed and coloured: the unit of work the page hands to its
//! preview workers (and computes itself when it has none), and the messages that carry it there
//! and back.
//!
//! A request is a plain JS object `{job, y0, rows, params}` (`params` is the `RenderParams` as
//! JSON, exact decimals included, so a deep view reaches the worker digit for digit); the answer is
//! `{job, y0, rows, rgba}` with the RGBA bytes in a transferred `Uint8Array` (no copy), or
//! `{job, error}`. A worker announces itself with the string [`READY`] once it listens.

use js_sys::{Object, Reflect, Uint8Array};
use render_core::{Band, Colorizer, CpuSource, EscapeSample, EscapeSource, RenderParams, StopFlag};
use wasm_bindgen::{JsCast, JsValue};

/// What a worker posts once it takes requests.
pub const READY: &str = "ready";

/// Samples per band: small enough that a stale band (the view moved on) costs little, large
/// enough that a message per band costs nothing next to the work.
const PIXELS_PER_BAND: u32 = 32_768;

/// The bands an image of `width`×`height` is cut into, top to bottom, covering every row once.
pub fn bands(width: u32, height: u32) -> Vec<Band> {
    let rows_per_band = (PIXELS_PER_BAND / width.max(1)).max(1);
    (0..height)
        .step_by(rows_per_band as usize)
        .map(|y0| Band {
            y0,
            rows: rows_per_band.min(height - y0),
        })
        .collect()
}

/// Computes `band` of `params` (one sample per pixel) and colours it into `rgba`
/// (`band.rows · width · 4` bytes), reusing `samples` between calls.
pub fn render_band(
    source: &mut CpuSource,
    colorizer: &Colorizer,
    params: &RenderParams,
    band: Band,
    samples: &mut Vec<EscapeSample>,
    rgba: &mut Vec<u8>,
) {
    samples.resize(
        params.width as usize * band.rows as usize,
        EscapeSample::default(),
    );
    match source.compute_band(params, band, samples, &StopFlag::new()) {
        Ok(()) => {}
        Err(never) => match never {},
    }
    colorizer.colour_band(samples, band.rows, rgba);
}

/// A request for one band of job `job`.
#[derive(Clone, Debug, PartialEq)]
pub struct BandRequest {
    pub job: u32,
    pub band: Band,
    pub params_json: String,
}

/// A worker's answer: the coloured rows of one band.
pub struct BandDone {
    pub job: u32,
    pub band: Band,
    pub rgba: Uint8Array,
}

impl BandRequest {
    pub fn to_js(&self) -> JsValue {
        let message = addressed(self.job, self.band);
        set(&message, "params", self.params_json.as_str().into());
        message.into()
    }

    pub fn from_js(message: &JsValue) -> Option<Self> {
        let (job, band) = address(message)?;
        Some(Self {
            job,
            band,
            params_json: Reflect::get(message, &"params".into()).ok()?.as_string()?,
        })
    }
}

impl BandDone {
    pub fn to_js(&self) -> JsValue {
        let message = addressed(self.job, self.band);
        set(&message, "rgba", self.rgba.clone().into());
        message.into()
    }

    pub fn from_js(message: &JsValue) -> Option<Self> {
        let (job, band) = address(message)?;
        Some(Self {
            job,
            band,
            rgba: Reflect::get(message, &"rgba".into())
                .ok()?
                .dyn_into::<Uint8Array>()
                .ok()?,
        })
    }
}

/// A message naming a job and a band: `{job, y0, rows}`.
fn addressed(job: u32, band: Band) -> Object {
    let message = Object::new();
    set(&message, "job", job.into());
    set(&message, "y0", band.y0.into());
    set(&message, "rows", band.rows.into());
    message
}

/// The job and band a message names.
fn address(message: &JsValue) -> Option<(u32, Band)> {
    Some((
        get_u32(message, "job")?,
        Band {
            y0: get_u32(message, "y0")?,
            rows: get_u32(message, "rows")?,
        },
    ))
}

/// A worker's answer when it cannot compute a band: `{job, error}`.
pub fn band_failed(request: &BandRequest, problem: &str) -> JsValue {
    let message = Object::new();
    set(&message, "job", request.job.into());
    set(&message, "error", problem.into());
    message.into()
}

/// The job a worker's failure names, if the message is one.
pub fn failed_job(message: &JsValue) -> Option<(u32, String)> {
    let error = Reflect::get(message, &"error".into()).ok()?.as_string()?;
    Some((get_u32(message, "job")?, error))
}

fn set(object: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(object, &key.into(), &value);
}

fn get_u32(object: &JsValue, key: &str) -> Option<u32> {
    let value = Reflect::get(object, &key.into()).ok()?.as_f64()?;
    (value >= 0.0 && value <= f64::from(u32::MAX) && value.fract() == 0.0).then_some(value as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_every_row_once_in_order() {
        for (width, height) in [(1920, 1440), (320, 240), (40_000, 3), (1, 1)] {
            let cut = bands(width, height);
            let mut next = 0;
            for band in &cut {
                assert_eq!(band.y0, next, "{width}x{height}");
                assert!(band.rows >= 1);
                assert!(band.rows * width <= PIXELS_PER_BAND.max(width));
                next += band.rows;
            }
            assert_eq!(next, height, "{width}x{height}");
        }
        assert!(bands(1920, 1440).len() > 8, "enough bands to share out");
    }

    #[test]
    fn band_by_band_equals_the_whole_image() {
        let params = RenderParams {
            width: 64,
            height: 48,
            max_iter: 100,
            ..RenderParams::default()
        }
        .normalized();
        let colorizer = Colorizer::new(&params);
        let (mut samples, mut rgba) = (Vec::new(), Vec::new());
        let mut source = CpuSource::new();
        let whole = Band { y0: 0, rows: 48 };
        render_band(
            &mut source,
            &colorizer,
            &params,
            whole,
            &mut samples,
            &mut rgba,
        );
        let expected = rgba.clone();
        let mut joined = Vec::new();
        for band in [Band { y0: 0, rows: 5 }, Band { y0: 5, rows: 43 }] {
            render_band(
                &mut source,
                &colorizer,
                &params,
                band,
                &mut samples,
                &mut rgba,
            );
            joined.extend_from_slice(&rgba);
        }
        assert_eq!(joined, expected);
    }
}

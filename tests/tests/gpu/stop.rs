//! The GPU source checks the stop flag between submissions: a raised flag ends a band of a
//! heavy render without reading it back, so cancel, drain and the job time limit never wait for
//! a whole GPU band. Runs on whatever adapter the machine has (lavapipe in CI); without one it
//! prints a notice and passes, and with `RENDER_REQUIRE_GPU=1` it fails.

use std::time::Duration;

use render_core::{Band, Complex, EscapeSample, EscapeSource, RenderParams, StopFlag, plan_bands};
use render_gpu::gpu::GpuTuning;
use render_gpu::render_backend::{BackendOptions, Backends};

/// A value no computed sample has (counts are at most `max_iter`).
const UNTOUCHED: EscapeSample = EscapeSample {
    count: u32::MAX,
    norm2: -1.0,
};

fn gpu_backends() -> Option<Backends> {
    let backends = Backends::detect(&BackendOptions::default());
    if backends.gpus().is_empty() {
        assert!(
            std::env::var("RENDER_REQUIRE_GPU").as_deref() != Ok("1"),
            "RENDER_REQUIRE_GPU=1 but no GPU adapter was found (install mesa-vulkan-drivers)"
        );
        eprintln!("notice: no GPU adapter found; GPU stop test skipped");
        return None;
    }
    Some(backends)
}

/// One band whose samples all lie inside the unit disk, where `z² + 0` never escapes: 2^22
/// samples × 10^6 iterations, about a second on the fastest GPU, an hour on lavapipe, and
/// thousands of dispatches anywhere.
fn heavy_params() -> RenderParams {
    RenderParams {
        width: 65536,
        height: 4,
        supersample: 4,
        c: Complex { re: 0.0, im: 0.0 },
        center: Complex { re: 0.0, im: 0.0 },
        view_width: 1.0,
        max_iter: 1_000_000,
        precision: render_core::Precision::F32,
        ..RenderParams::default()
    }
    .normalized()
}

#[test]
fn a_flag_raised_before_the_band_submits_nothing() {
    let Some(backends) = gpu_backends() else {
        return;
    };
    let params = heavy_params();
    let band = Band { y0: 0, rows: 4 };
    let mut out = vec![UNTOUCHED; 65536 * 4 * 16];
    let stop = StopFlag::new();
    stop.stop();
    backends
        .gpu_source(0, GpuTuning::default())
        .expect("gpu source")
        .compute_band(&params, band, &mut out, &stop)
        .expect("a stop is not a GPU failure");
    assert!(out.iter().all(|s| *s == UNTOUCHED));
}

#[test]
fn a_flag_raised_mid_band_ends_it_between_submissions() {
    let Some(backends) = gpu_backends() else {
        return;
    };
    let params = heavy_params();
    let band = Band { y0: 0, rows: 4 };
    let mut out = vec![UNTOUCHED; 65536 * 4 * 16];
    let stop = StopFlag::new();
    let raiser = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            stop.stop();
        })
    };
    let mut source = backends
        .gpu_source(0, GpuTuning::default())
        .expect("gpu source");
    source
        .compute_band(&params, band, &mut out, &stop)
        .expect("a stop is not a GPU failure");
    raiser.join().expect("raiser");
    // Stopped between iteration slices, before the read-back: had the band run to its end, its
    // samples would have been read back.
    assert!(
        out.iter().all(|s| *s == UNTOUCHED),
        "the band ran to its end instead of stopping"
    );

    // The source is still usable: the next band renders in full.
    let light = RenderParams {
        width: 256,
        height: 1,
        max_iter: 100,
        ..RenderParams::default()
    }
    .normalized();
    let mut out = vec![UNTOUCHED; 256];
    source
        .compute_band(&light, plan_bands(256, 1, 1)[0], &mut out, &StopFlag::new())
        .expect("gpu band");
    assert!(out.iter().all(|s| s.count <= 100));
}

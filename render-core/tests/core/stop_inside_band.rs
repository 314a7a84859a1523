//! The stop flag ends a render inside a band: the CPU source checks it before every piece of a row
//! (pieces bounded in work), and the pipeline checks it around every band, so cancel, drain and
//! the job time limit never wait for a whole band of a heavy render.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use render_core::{
    Band, Complex, CpuSource, EscapeSample, EscapeSource, Flow, RenderError, RenderParams,
    StopFlag, plan_bands, render_to_writer,
};

/// A value no computed sample has (counts are at most `max_iter`).
const UNTOUCHED: EscapeSample = EscapeSample {
    count: u32::MAX,
    norm2: -1.0,
};

/// The heaviest band there is: every sample inside the unit disk, where `z² + 0` never escapes,
/// so each runs the full 10^6 iterations; 2^20 samples make 10^12 iterations, a minute or more
/// on any CPU.
fn heavy_band() -> (RenderParams, Band, Vec<EscapeSample>) {
    let params = RenderParams {
        width: 4096,
        height: 8192,
        c: Complex { re: 0.0, im: 0.0 },
        center: Complex { re: 0.0, im: 0.0 },
        view_width: 0.5,
        max_iter: 1_000_000,
        ..RenderParams::default()
    }
    .normalized();
    let band = plan_bands(params.width, params.height, params.supersample)[0];
    let samples = vec![UNTOUCHED; (band.rows * params.width) as usize];
    (params, band, samples)
}

fn computed(samples: &[EscapeSample]) -> usize {
    samples.iter().filter(|s| **s != UNTOUCHED).count()
}

#[test]
fn a_flag_raised_before_the_band_computes_nothing() {
    let (params, band, mut samples) = heavy_band();
    let stop = StopFlag::new();
    stop.stop();
    CpuSource::new()
        .compute_band(&params, band, &mut samples, &stop)
        .expect("infallible");
    assert_eq!(computed(&samples), 0);
}

#[test]
fn a_flag_raised_mid_band_stops_the_band_after_a_bounded_part() {
    let (params, band, mut samples) = heavy_band();
    let total = samples.len();
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("pool"),
    );
    let stop = StopFlag::new();
    let (done_tx, done_rx) = mpsc::channel();
    let worker_stop = stop.clone();
    let worker = std::thread::spawn(move || {
        CpuSource::with_pool(pool)
            .compute_band(&params, band, &mut samples, &worker_stop)
            .expect("infallible");
        let _ = done_tx.send(());
        samples
    });
    std::thread::sleep(Duration::from_millis(200));
    stop.stop();
    // A generous bound on the wait, so that a source that ignores the flag fails the test instead
    // of running for minutes.
    done_rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the band must end soon after the flag is raised");
    let samples = worker.join().expect("no panic");
    let done = computed(&samples);
    // The whole band is 10^12 iterations; stopped after a fraction of a second, most of it is
    // left undone on any machine.
    assert!(done < total / 10, "{done} of {total} samples computed");
}

#[test]
fn a_flag_raised_between_bands_stops_the_render_before_the_next_band() {
    let params = RenderParams {
        width: 64,
        height: 640,
        max_iter: 50,
        ..RenderParams::default()
    };
    let stop = StopFlag::new();
    let mut bands_computed = 0;
    let result = render_to_writer(
        &params,
        &mut CpuSource::new(),
        Vec::new(),
        &stop,
        &mut |progress| {
            bands_computed = progress.bands_done;
            if progress.bands_done == 2 {
                stop.stop();
            }
            Flow::Continue
        },
    );
    assert!(matches!(result, Err(RenderError::Canceled)), "{result:?}");
    assert_eq!(bands_computed, 2, "no band may be reported after the stop");
}

//! Deep zoom on the GPU against the CPU's deep path (issue 13, docs/DEEP_ZOOM.md "On the GPU"):
//! the same prepared view (orbits, linear start) iterated by the WGSL perturbation shader, in its
//! f32-mantissa variant on every adapter and its f64 one where the adapter has `SHADER_F64`
//! (lavapipe has it), at view widths 1e-30, 1e-100, 1e-300 and 1e-1000, on two centres on Julia
//! sets: docs/examples/deep.json's, and the repelling fixed point of the rabbit
//! `β = (1 + √(1 − 4c))/2`, computed here in arbitrary precision.
//!
//! Tolerance: the f64 variant is the CPU's arithmetic operation for operation (no FMA, exact
//! power-of-two scaling), so its counts must equal the CPU's. The f32 variant keeps 24 bits: once
//! a pixel's orbit leaves the reference, its `δ` is as large as `z` and it is in effect iterated
//! in f32, so pixels near the set that linger there change fate. Its glitch test hands such
//! samples back to the CPU (docs/DEEP_ZOOM.md, "Glitch test"); the rest must agree to at least
//! 99.5 %, at most 0.2 % off by more than [`MAX_COUNT_DIFF`], with at most 10 % of the samples
//! recomputed (measured: see the constants).
//!
//! Without an adapter the tests print a notice and pass; with `RENDER_REQUIRE_GPU=1` they fail.

use malachite_base::num::basic::traits::{One, Zero};
use malachite_base::num::conversion::string::options::ToSciOptions;
use malachite_base::num::conversion::traits::{FromSciString, ToSci};
use malachite_base::rounding_modes::RoundingMode::Nearest;
use malachite_float::Float;
use malachite_q::Rational;
use render_core::{EscapeSample, Flow, Precision, RenderParams, StopFlag};
use render_gpu::gpu::{DeepFloat, GpuTuning};
use render_gpu::render_backend::{BackendKind, Backends, Target};

use crate::parity::{all_samples, gpu_backends};

/// A count difference beyond this is a different fate, not a rounding at an escape threshold.
const MAX_COUNT_DIFF: u32 = 4;
/// Least share of samples equal, and largest share off by more than [`MAX_COUNT_DIFF`], for
/// each variant. Measured on lavapipe (docs/DEEP_ZOOM.md): f32 99.90–100 % equal, at most
/// 0.03 % off by more than 4, 0–6.6 % of the samples recomputed on the CPU (97.0–100 % equal
/// and up to 2.2 % off by more than 4 without the glitch test); f64 equal everywhere, nothing
/// recomputed.
const MIN_EQUAL_F32: f64 = 0.995;
const MAX_FAR_F32: f64 = 0.002;
const MAX_ON_CPU_F32: f64 = 0.10;
const MIN_EQUAL_F64: f64 = 1.0;
const MAX_FAR_F64: f64 = 0.0;

const DEEP_EXAMPLE: &str = include_str!("../../../docs/examples/deep.json");
const RABBIT: (&str, &str) = ("-0.12256116687665361237", "0.74486176661974423659");

/// The views: decades of depth and a `max_iter` that leaves room to escape.
const DEPTHS: [(u32, u32); 4] = [(30, 400), (100, 1000), (300, 2000), (1000, 4000)];

/// docs/examples/deep.json at `10^-depth`, `width`×`height`, counts only.
fn example_params(depth: u32, max_iter: u32, width: u32, height: u32) -> RenderParams {
    let mut doc: serde_json::Value = serde_json::from_str(DEEP_EXAMPLE).expect("JSON");
    doc["view_width"] = format!("1e-{depth}").into();
    doc["max_iter"] = max_iter.into();
    doc["width"] = width.into();
    doc["height"] = height.into();
    doc["format"] = "npy".into();
    parse(&doc.to_string())
}

fn parse(json: &str) -> RenderParams {
    let params = render_core::parse_params(json, &render_core::Limits::default())
        .expect("valid deep params");
    assert_eq!(params.resolved_precision(), Precision::Deep);
    params
}

/// The rabbit's repelling fixed point at `10^-depth`: `β = (1 + √(1 − 4c))/2`, with the
/// principal square root `(√((|w| + a)/2), sign(b)·√((|w| − a)/2))`, to `depth + 40` digits.
fn rabbit_params(depth: u32, max_iter: u32, width: u32, height: u32) -> RenderParams {
    let p = u64::from(depth) * 34 / 10 + 128;
    let float = |text: &str| {
        let r = Rational::from_sci_string(text).expect("a decimal");
        Float::from_rational_prec_round(r, p, Nearest).0
    };
    let (c_re, c_im) = (float(RABBIT.0), float(RABBIT.1));
    // w = 1 − 4c
    let w_re = Float::ONE.sub_prec_round(c_re << 2u32, p, Nearest).0;
    let w_im = -(c_im << 2u32);
    let modulus = w_re
        .square_prec_round_ref(p, Nearest)
        .0
        .add_prec_round(w_im.square_prec_round_ref(p, Nearest).0, p, Nearest)
        .0
        .sqrt_prec_round(p, Nearest)
        .0;
    let half_root = |x: Float| (x >> 1u32).sqrt_prec_round(p, Nearest).0;
    let root_re = half_root(modulus.add_prec_round_ref_ref(&w_re, p, Nearest).0);
    let root_im = half_root(modulus.sub_prec_round_ref_ref(&w_re, p, Nearest).0);
    let root_im = if w_im < Float::ZERO {
        -root_im
    } else {
        root_im
    };
    let beta_re = Float::ONE.add_prec_round(root_re, p, Nearest).0 >> 1u32;
    let beta_im = root_im >> 1u32;
    let digits = |x: &Float| {
        let mut options = ToSciOptions::default();
        options.set_precision(u64::from(depth) + 40);
        x.to_sci_with_options(options).to_string()
    };
    parse(&format!(
        r#"{{"width": {width}, "height": {height}, "c": {{"re": "{}", "im": "{}"}},
            "center": {{"re": "{}", "im": "{}"}}, "view_width": "1e-{depth}",
            "max_iter": {max_iter}, "format": "npy"}}"#,
        RABBIT.0,
        RABBIT.1,
        digits(&beta_re),
        digits(&beta_im)
    ))
}

struct Agreement {
    samples: usize,
    equal: usize,
    /// Samples whose counts differ by more than [`MAX_COUNT_DIFF`].
    far: usize,
    max_diff: u32,
    distinct_counts: usize,
    escaping: usize,
    /// Samples the f32 shader's glitch test handed back to the CPU.
    on_cpu: u64,
}

fn agreement(params: &RenderParams, gpu: &[EscapeSample], cpu: &[EscapeSample]) -> Agreement {
    assert_eq!(gpu.len(), cpu.len());
    let mut counts: Vec<u32> = cpu.iter().map(|s| s.count).collect();
    let escaping = counts.iter().filter(|&&c| c < params.max_iter).count();
    counts.sort_unstable();
    counts.dedup();
    Agreement {
        samples: cpu.len(),
        equal: gpu
            .iter()
            .zip(cpu)
            .filter(|(g, c)| g.count == c.count)
            .count(),
        far: gpu
            .iter()
            .zip(cpu)
            .filter(|(g, c)| g.count.abs_diff(c.count) > MAX_COUNT_DIFF)
            .count(),
        max_diff: gpu
            .iter()
            .zip(cpu)
            .map(|(g, c)| g.count.abs_diff(c.count))
            .max()
            .unwrap_or(0),
        distinct_counts: counts.len(),
        escaping,
        on_cpu: 0,
    }
}

/// Renders `params` with the deep shader in `float` and on the CPU, prints the agreement, and
/// checks that the view has structure (so agreement is not trivially a flat image).
fn deep_agreement(
    name: &str,
    backends: &Backends,
    params: &RenderParams,
    float: DeepFloat,
) -> Agreement {
    let mut gpu = backends
        .gpu_source(0, GpuTuning::default())
        .expect("GPU source")
        .with_deep_float(float);
    let gpu_samples = all_samples(&mut gpu, params);
    let cpu_samples = all_samples(&mut backends.cpu_source(), params);
    let a = Agreement {
        on_cpu: gpu.deep_samples_on_cpu(),
        ..agreement(params, &gpu_samples, &cpu_samples)
    };
    eprintln!(
        "deep {name} ({}): {} of {} samples equal ({:.3} %), {} differ by more than \
         {MAX_COUNT_DIFF}, max count difference {}; {} recomputed on the CPU",
        float.as_str(),
        a.equal,
        a.samples,
        100.0 * a.equal as f64 / a.samples as f64,
        a.far,
        a.max_diff,
        a.on_cpu
    );
    assert!(
        a.distinct_counts >= 5 && a.escaping > 0,
        "{name}: a flat view proves nothing"
    );
    a
}

/// Every view in `float`; the tolerance is checked after all are printed.
fn all_views(float: DeepFloat) {
    let Some(backends) = gpu_backends() else {
        return;
    };
    if float == DeepFloat::F64 && !backends.gpus()[0].f64 {
        eprintln!("notice: adapter has no SHADER_F64; f64 deep parity not applicable");
        return;
    }
    let (min_equal, max_far, max_on_cpu) = match float {
        DeepFloat::F32 => (MIN_EQUAL_F32, MAX_FAR_F32, MAX_ON_CPU_F32),
        DeepFloat::F64 => (MIN_EQUAL_F64, MAX_FAR_F64, 0.0),
    };
    let mut failures = Vec::new();
    for (depth, max_iter) in DEPTHS {
        let views = [
            (
                format!("example 1e-{depth}"),
                example_params(depth, max_iter, 96, 72),
            ),
            (
                format!("rabbit β 1e-{depth}"),
                rabbit_params(depth, max_iter + 2 * depth, 96, 72),
            ),
        ];
        for (name, params) in views {
            let a = deep_agreement(&name, &backends, &params, float);
            let equal = a.equal as f64 / a.samples as f64;
            let far = a.far as f64 / a.samples as f64;
            let on_cpu = a.on_cpu as f64 / a.samples as f64;
            if equal < min_equal || far > max_far || on_cpu > max_on_cpu {
                failures.push(format!(
                    "{name}: {:.3} % equal, {:.3} % off by more than {MAX_COUNT_DIFF}, \
                     {:.3} % recomputed on the CPU",
                    100.0 * equal,
                    100.0 * far,
                    100.0 * on_cpu
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gpu_deep_f32_matches_cpu_deep_from_1e_30_to_1e_1000() {
    all_views(DeepFloat::F32);
}

#[test]
fn gpu_deep_f64_equals_cpu_deep_from_1e_30_to_1e_1000() {
    all_views(DeepFloat::F64);
}

#[test]
fn gpu_deep_split_into_chunks_and_dispatches_is_stitched_exactly() {
    let Some(backends) = gpu_backends() else {
        return;
    };
    let params = RenderParams {
        supersample: 2,
        ..example_params(300, 2000, 61, 37)
    };
    // A band is 4 sample rows of 122 samples; 300 samples per chunk makes it two chunks (the
    // second starting at a later sample row), and the iteration budget cuts the iterations after
    // the linear start into dozens of resumed dispatches (state parked in both loops).
    let tiny = GpuTuning {
        max_chunk_samples: 300,
        work_per_dispatch: 300 * 8 * 37,
    };
    let mut split = backends
        .gpu_source(0, tiny)
        .expect("GPU source")
        .with_deep_float(DeepFloat::F32);
    let mut whole = backends
        .gpu_source(0, GpuTuning::default())
        .expect("GPU source")
        .with_deep_float(DeepFloat::F32);
    assert!(render_core::plan_bands(params.width, params.height, 2).len() > 1);
    let split_samples = all_samples(&mut split, &params);
    let whole_samples = all_samples(&mut whole, &params);
    assert!(
        split_samples == whole_samples,
        "a split deep render must equal the unsplit one sample for sample"
    );
}

/// BLA on the GPU: on a view with interior pixels, where samples jump along the zero orbit, the
/// f64 variant equals the CPU (which takes the same jumps) sample for sample, counts and final
/// `|z|²`, as do the same render without jumps and one cut into dispatches so short that jumped
/// samples park ahead of them (each sample's iteration count is its own).
#[test]
fn gpu_deep_bla_jumps_keep_every_count_and_park_ahead_of_the_dispatches() {
    let Some(backends) = gpu_backends() else {
        return;
    };
    if !backends.gpus()[0].f64 {
        eprintln!("notice: adapter has no SHADER_F64; exact BLA parity not applicable");
        return;
    }
    let params = rabbit_params(30, 1200, 64, 48);
    let cpu = all_samples(&mut backends.cpu_source(), &params);
    let interior = cpu.iter().filter(|s| s.count == params.max_iter).count();
    assert!(
        interior > 0 && interior < cpu.len(),
        "the view needs interior and escaping pixels ({interior} of {} interior)",
        cpu.len()
    );
    let source = |tuning| {
        backends
            .gpu_source(0, tuning)
            .expect("GPU source")
            .with_deep_float(DeepFloat::F64)
    };
    // 64×48 samples, 8 work units an iteration: 16 iterations per dispatch.
    let short = GpuTuning {
        max_chunk_samples: 64 * 48,
        work_per_dispatch: 64 * 48 * 8 * 16,
    };
    let renders = [
        (
            "with BLA",
            all_samples(&mut source(GpuTuning::default()), &params),
        ),
        (
            "without BLA",
            all_samples(&mut source(GpuTuning::default()).without_bla(), &params),
        ),
        (
            "in 16-iteration dispatches",
            all_samples(&mut source(short), &params),
        ),
    ];
    // An interior sample's count is max_iter whatever its path; its final |z|² is that of the
    // orbit point it stops at, so a jump taken or counted wrong shows there.
    for (name, gpu) in renders {
        let differ = gpu
            .iter()
            .zip(&cpu)
            .filter(|(g, c)| g.count != c.count || g.norm2.to_bits() != c.norm2.to_bits())
            .count();
        assert_eq!(differ, 0, "{name}: {differ} samples differ from the CPU's");
    }
}

#[test]
fn deep_job_through_the_gpu_backend_reports_the_gpu() {
    let Some(backends) = gpu_backends() else {
        return;
    };
    let params = example_params(1000, 2200, 80, 60);
    let mut out = Vec::new();
    let outcome = backends
        .render(
            Target::Gpu(0),
            &params,
            &mut out,
            &StopFlag::new(),
            &mut |_| Flow::Continue,
        )
        .expect("renders");
    assert_eq!(outcome.gpu_fallback, None);
    assert_eq!(outcome.backend, BackendKind::Gpu);
    assert_eq!(outcome.device, backends.gpus()[0].name);
    assert_eq!(outcome.stats.precision, Precision::Deep);
    let mut cpu_out = Vec::new();
    let cpu = backends
        .render(
            Target::Cpu,
            &params,
            &mut cpu_out,
            &StopFlag::new(),
            &mut |_| Flow::Continue,
        )
        .expect("renders");
    assert_eq!(cpu.backend, BackendKind::Cpu);
    assert_eq!(out.len(), cpu_out.len());
    // Same header, counts within the tolerance (the default variant is f64 where the adapter has
    // it: then the files are equal).
    let header = out.len() - 80 * 60 * 4;
    assert_eq!(out[..header], cpu_out[..header]);
    let counts = |bytes: &[u8]| -> Vec<EscapeSample> {
        bytes[header..]
            .chunks_exact(4)
            .map(|b| EscapeSample {
                count: u32::from_le_bytes(b.try_into().unwrap()),
                norm2: 0.0,
            })
            .collect()
    };
    let a = agreement(&params, &counts(&out), &counts(&cpu_out));
    assert!(a.equal * 100 >= a.samples * 99 && a.max_diff <= MAX_COUNT_DIFF);
    if backends.gpus()[0].f64 {
        assert_eq!(out, cpu_out, "the f64 variant's npy is the CPU's");
    }
}

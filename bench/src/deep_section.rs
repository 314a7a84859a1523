//! The deep-zoom sections of the report: `deep::measure` at each view of `deep::DEEP_VIEWS`, as
//! ratios to f64 SIMD measured around it (kept apart from `deep.rs`, which render-core's
//! `deep_throughput` example includes and which must not know the report), and the GPU rows of
//! `deep_gpu`.

use crate::report::{Report, ms, ratio, sci};
use render_gpu::gpu::DeepFloat;

use crate::{deep, deep_gpu};

/// Deep zoom on the CPU (issue 13), against f64 SIMD measured in the same run.
pub fn section(report: &mut Report, threads: usize) {
    let (width, height) = (640, 480);
    report.section(
        "Deep zoom (CPU)",
        &format!(
            "docs/examples/deep.json (c = -0.8+0.156i, centred on a point of the Julia set) at \
             {width}×{height}, precision deep, {threads} threads. Escape-iterations/s = sum of \
             escape counts / escape time with the reference orbits cached, including the \
             iterations every pixel skips at once (the shared linear start); \"looped\" counts \
             only those the per-pixel loop ran. Ratios are against f64 SIMD on the reference view \
             (512², 1000 iterations, view width 3) measured just before and after each row, on \
             the same threads. Reference orbits: both (centre and 0), computed from nothing."
        ),
    );
    let rows: Vec<Vec<String>> = deep::DEEP_VIEWS
        .into_iter()
        .map(|(view_width, max_iter)| {
            let f = deep::measure(view_width, max_iter, width, height, threads);
            vec![
                view_width.to_string(),
                max_iter.to_string(),
                sci(f.per_second()),
                sci(f.f64_rate),
                ratio(f.ratio()),
                sci(f.looped_per_second()),
                ratio(f.looped_ratio()),
                f.skipped_per_pixel.to_string(),
                ms(f.orbit_seconds * 1e3),
            ]
        })
        .collect();
    report.table(
        &[
            "view width",
            "max_iter",
            "escape-iterations/s",
            "f64 SIMD (around it)",
            "× f64 SIMD",
            "looped iterations/s",
            "× f64 SIMD",
            "skipped per pixel",
            "reference orbits",
        ],
        &rows,
    );
}

/// Deep zoom on every GPU adapter (issue 13), against the adapter's own escape shaders in the
/// same precision, measured in the same run.
pub fn gpu_section(report: &mut Report) -> anyhow::Result<()> {
    report.section(
        "Deep zoom (GPU)",
        "docs/examples/deep.json at the same views as the CPU rows, precision deep, through the \
         perturbation shader (shaders/src/deep.wgsl.tmpl) with f32 mantissas and, where the \
         adapter has SHADER_F64, f64 mantissas; 640×480 on hardware adapters, 320×240 on software \
         ones (lavapipe runs on the CPU's cores). Escape-iterations/s = sum of escape counts / \
         escape time, orbits already uploaded, skipped iterations included as in the CPU rows; \
         \"looped\" counts only those the shader's loop ran; \"on the CPU\": samples the f32 \
         shader's glitch test handed back to the CPU's deep path, whose time is included. \
         Ratios are against the same adapter's escape shader in the same precision (f32 or f64) \
         on the reference view (512², 1000 iterations, view width 3) in the same run.",
    );
    let rows: Vec<Vec<String>> = deep_gpu::measure()?
        .into_iter()
        .map(|row| {
            let mut cells = adapter_cells(row.adapter, row.float, row.pixels);
            cells.extend([
                row.view_width.to_string(),
                row.max_iter.to_string(),
                sci(row.per_second),
                sci(row.baseline),
                ratio(row.per_second / row.baseline),
                sci(row.looped_per_second),
                ratio(row.looped_per_second / row.baseline),
                format!("{:.1} %", 100.0 * row.on_cpu),
            ]);
            cells
        })
        .collect();
    if rows.is_empty() {
        report.paragraph("No GPU adapter on this machine.");
        return Ok(());
    }
    report.table(
        &[
            "adapter",
            "mantissas",
            "pixels",
            "view width",
            "max_iter",
            "escape-iterations/s",
            "escape shader, same precision",
            "× escape shader",
            "looped iterations/s",
            "× escape shader",
            "on the CPU",
        ],
        &rows,
    );
    Ok(())
}

/// The GPU's BLA table on a view with interior pixels (issue 13): the shader with and without
/// its jumps, side by side, and the CPU deep path on the same view for scale.
pub fn gpu_bla_section(report: &mut Report, threads: usize) -> anyhow::Result<()> {
    let rows = deep_gpu::measure_bla(threads)?;
    if rows.is_empty() {
        return Ok(());
    }
    report.section(
        "Deep zoom (GPU), BLA",
        &format!(
            "The rabbit (c = -0.1226+0.7449i) centred on its repelling fixed point at view width \
             1e-100, 3000 iterations, precision deep: pixels inside the filled Julia set follow \
             the zero orbit into its attracting cycle, where the zero orbit's BLA table \
             (render-core/src/deep/bla.rs, uploaded to the shader) jumps up to 2^k iterations at \
             once. Render time with the orbits uploaded, the same shader with its jumps turned \
             off, and the CPU deep path ({threads} threads, jumps on) on the same view. Counts \
             are identical either way (tests/tests/gpu/deep.rs)."
        ),
    );
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|row| {
            let mut cells = adapter_cells(row.adapter, row.float, row.pixels);
            cells.extend([
                format!("{:.1} %", 100.0 * row.interior),
                ms(row.with_bla_seconds * 1e3),
                ms(row.without_bla_seconds * 1e3),
                ratio(row.without_bla_seconds / row.with_bla_seconds),
                ms(row.cpu_seconds * 1e3),
            ]);
            cells
        })
        .collect();
    report.table(
        &[
            "adapter",
            "mantissas",
            "pixels",
            "interior",
            "with BLA",
            "without BLA",
            "speed-up",
            "CPU deep",
        ],
        &rows,
    );
    Ok(())
}

/// The first cells of a GPU deep row: the adapter, the shader's mantissas and the image size.
fn adapter_cells(adapter: String, float: DeepFloat, (width, height): (u32, u32)) -> Vec<String> {
    vec![
        adapter,
        float.as_str().to_string(),
        format!("{width}×{height}"),
    ]
}

/// Deep zoom in the browser preview (issue 13): the WASM core's escape-iterations/s on each deep
/// view as ratios to its own f64 path, measured in the same page.
pub fn wasm_section(report: &mut Report, preview: &crate::wasm::PreviewFigures) {
    report.section(
        "Deep zoom (WASM preview in Chromium)",
        "The page's own preview renderer (render-core compiled to wasm32 with simd128, the page's \
         thread) called through `window.__previewBench` on the deep views above at 320×240, \
         against its f64 path on the reference view (320×240, 1000 iterations, view width 3) in \
         the same page. First = the first render of the view (both reference orbits computed in \
         the page); median = 5 more with the orbits cached. Then the first preview of a new \
         view at 1e-100 (320×240, the UI's depth rule for max_iter, reference orbits computed in \
         the page) where a user meets it: in the running page (the page's renderer on a centre \
         it has not seen), on opening a link in a browser that ran the page before (Chromium \
         reuses V8's cached machine code for the module), and on opening it in a fresh profile \
         (V8 starts on its baseline compiler and optimises the hot functions on the same cores \
         meanwhile). The last two are the page's own first frame (`window.__previewTimes[0]`).",
    );
    let f64_rate = preview.f64_core.per_second();
    let mut rows = vec![vec![
        "f64 (view width 3)".to_string(),
        "1000".into(),
        sci(f64_rate),
        ratio(1.0),
        ms(preview.f64_core.first_ms),
        ms(preview.f64_core.median_ms),
    ]];
    rows.extend(preview.deep_core.iter().map(|(width, max_iter, f)| {
        vec![
            width.to_string(),
            max_iter.to_string(),
            sci(f.per_second()),
            ratio(f.per_second() / f64_rate),
            ms(f.first_ms),
            ms(f.median_ms),
        ]
    }));
    report.table(
        &[
            "view width",
            "max_iter",
            "iter/s",
            "× f64",
            "first",
            "median",
        ],
        &rows,
    );
    let deep = &preview.first_deep;
    let situations = [
        (
            "in the running page (a new place reached by zoom, drag or back)",
            &deep.running_page,
        ),
        (
            "opening a link to it, the module run on an earlier visit",
            &deep.revisit,
        ),
        (
            "opening a link to it in a fresh browser profile",
            &deep.fresh_profile,
        ),
    ];
    let rows: Vec<Vec<String>> = situations
        .iter()
        .map(|(situation, times)| {
            let mut sorted = times.to_vec();
            sorted.sort_by(f64::total_cmp);
            vec![
                (*situation).to_string(),
                ms(sorted[sorted.len() / 2]),
                format!("{:.1}–{:.1} ms", sorted[0], sorted[sorted.len() - 1]),
                sorted.len().to_string(),
            ]
        })
        .collect();
    let heading = format!(
        "first 320×240 preview of a new view at 1e-100, {} iterations",
        crate::wasm::NEW_DEEP_VIEW_MAX_ITER
    );
    report.table(&[&heading, "median", "range", "samples"], &rows);
}

//! Deep zoom in the browser preview: the page's own renderer on the deep views
//! (`window.__previewBench`) against its f64 path, and the first preview of a new view at 1e-100
//! in the three situations a user meets it (in the running page, opening a link after an earlier
//! visit, and in a fresh browser profile).

use std::time::Duration;

use anyhow::Context;
use render_core::RenderParams;
use serde_json::json;

use super::chromium_session;
use crate::api::ServerProcess;

/// One view through the page's preview renderer (`web-ui/src/preview/bench_hook.rs`), 320×240.
pub struct CoreFigure {
    /// The first render: reference orbits included for a deep view.
    pub first_ms: f64,
    /// Median of the repeats, orbits cached.
    pub median_ms: f64,
    pub iterations: f64,
}

impl CoreFigure {
    pub fn per_second(&self) -> f64 {
        self.iterations / (self.median_ms / 1e3)
    }
}

/// The view of the browser test of a deep first preview (tests/tests/ui/explorer.rs).
const NEW_DEEP_VIEW: &str = "?cre=-0.74609375&cim=0.125&x=1.5&y=-0.0625&vw=1e-100";
/// The iteration limit the page's depth rule gives that view (web-ui/src/depth.rs: 500 + 25 per
/// decade below the default width of 3).
pub const NEW_DEEP_VIEW_MAX_ITER: u32 = 3012;
/// Times each situation of [`FirstDeepPreview`] is measured.
const DEEP_SAMPLES: usize = 5;

/// The first 320×240 preview of a new view at 1e-100 (reference orbits computed in the page), in
/// the three situations a user meets it, [`DEEP_SAMPLES`] times each, in milliseconds.
pub struct FirstDeepPreview {
    /// In the running page (the user zooms, drags or goes back to a new place): the page's
    /// preview renderer on a centre it has not seen.
    pub running_page: Vec<f64>,
    /// Opening a link to the view, in a browser that ran the page's module before: Chromium
    /// reuses the machine code V8 cached for it.
    pub revisit: Vec<f64>,
    /// Opening the link in a fresh browser profile: V8 starts the module on its baseline
    /// compiler and optimises the hot functions meanwhile, on the same cores.
    pub fresh_profile: Vec<f64>,
}

/// Renders `params` through the page's own preview renderer, `repeats` times after a first.
async fn core_figure(
    client: &fantoccini::Client,
    params: &RenderParams,
    repeats: u32,
) -> anyhow::Result<CoreFigure> {
    let json = serde_json::to_string(params)?;
    let answer = client
        .execute(
            "return window.__previewBench(arguments[0], arguments[1]);",
            vec![json.into(), repeats.into()],
        )
        .await?;
    let field = |name: &str| {
        answer[name]
            .as_f64()
            .with_context(|| format!("__previewBench gave no {name}: {answer}"))
    };
    Ok(CoreFigure {
        first_ms: field("firstMs")?,
        median_ms: field("medianMs")?,
        iterations: field("iterations")?,
    })
}

/// The WASM core's f64 baseline (the CPU section's reference view at 320×240, 1000 iterations)
/// and each deep view of `crate::deep::DEEP_VIEWS` at 320×240.
pub(super) async fn core_figures(
    client: &fantoccini::Client,
) -> anyhow::Result<(CoreFigure, Vec<(&'static str, u32, CoreFigure)>)> {
    let baseline = RenderParams {
        width: 320,
        height: 240,
        max_iter: 1000,
        precision: render_core::Precision::F64,
        ..RenderParams::default()
    };
    let f64_core = core_figure(client, &baseline, 9).await?;
    let mut deep = Vec::new();
    for (width, max_iter) in crate::deep::DEEP_VIEWS {
        let params = crate::deep::deep_params(width, max_iter, 320, 240);
        deep.push((width, max_iter, core_figure(client, &params, 5).await?));
    }
    Ok((f64_core, deep))
}

/// Waits for the page's first preview and returns its time.
const FIRST_FRAME_SCRIPT: &str = "const done = arguments[arguments.length - 1];
    (function poll() {
      if ((window.__previewFrames || 0) >= 1) { done(window.__previewTimes[0]); }
      else { setTimeout(poll, 2); }
    })();";

/// Opens a link to [`NEW_DEEP_VIEW`] and returns the time of the page's first preview.
async fn open_deep_link(
    client: &fantoccini::Client,
    server: &ServerProcess,
) -> anyhow::Result<f64> {
    client
        .goto(&format!("{}/{NEW_DEEP_VIEW}", server.base))
        .await?;
    let first = client.execute_async(FIRST_FRAME_SCRIPT, vec![]).await?;
    first.as_f64().context("no first preview time")
}

/// The first deep preview in its three situations. `client` has run the page before; fresh
/// profiles get sessions of their own from the same chromedriver.
pub(super) async fn first_deep_preview(
    client: &fantoccini::Client,
    driver_port: u16,
    server: &ServerProcess,
) -> anyhow::Result<FirstDeepPreview> {
    let mut fresh_profile = Vec::new();
    for _ in 0..DEEP_SAMPLES {
        let (fresh, _profile) = chromium_session(driver_port).await?;
        let first = open_deep_link(&fresh, server).await;
        fresh.close().await?;
        fresh_profile.push(first?);
    }
    // Chromium caches the optimised code of a module a moment after a page ran it hot: one
    // visit that is not counted, and a pause before each.
    open_deep_link(client, server).await?;
    let mut revisit = Vec::new();
    for _ in 0..DEEP_SAMPLES {
        tokio::time::sleep(Duration::from_secs(2)).await;
        revisit.push(open_deep_link(client, server).await?);
    }
    // The page refines the view on its workers after the first frame: measured on their cores,
    // the renders below would share them.
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (function poll() {
               if (window.__previewSettled === true) { done(true); } else { setTimeout(poll, 10); }
             })();",
            vec![],
        )
        .await?;
    let mut running_page = Vec::new();
    for k in 1..=DEEP_SAMPLES {
        // The centre moves by k·1e-102 (about 3k pixels), so each render needs new reference
        // orbits.
        let params = json!({
            "width": 320, "height": 240, "max_iter": NEW_DEEP_VIEW_MAX_ITER, "precision": "deep",
            "c": {"re": "-0.74609375", "im": "0.125"},
            "center": {"re": format!("1.5{}{k}", "0".repeat(100)), "im": "-0.0625"},
            "view_width": "1e-100",
        });
        let params = render_core::parse_params(&params.to_string(), &Default::default())?;
        running_page.push(core_figure(client, &params, 1).await?.first_ms);
    }
    Ok(FirstDeepPreview {
        running_page,
        revisit,
        fresh_profile,
    })
}

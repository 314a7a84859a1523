//! The browser preview: frame time of the WASM preview in headless Chromium (the real page from
//! the real server, driven through chromedriver), time to the first preview, and the same preview
//! rendered natively on one thread for the ratio; deep zoom in the page is measured in `deep.rs`.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::ClientBuilder;
use render_core::{Band, Colorizer, CpuSource, EscapeSample, EscapeSource, RenderParams};
use serde_json::{Value, json};

use crate::api::ServerProcess;

mod deep;
pub use deep::{CoreFigure, FirstDeepPreview, NEW_DEEP_VIEW_MAX_ITER};
use deep::{core_figures, first_deep_preview};

pub struct PreviewFigures {
    pub frames: usize,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub first_preview_ms: f64,
    pub native_ms: f64,
    pub wasm_bytes: u64,
    pub wasm_gzip_bytes: u64,
    /// Time to a full-resolution preview after input rests (median), on the page's thread
    /// (`?workers=0`) and on the preview workers, with the canvas's device size.
    pub full_page_ms: f64,
    pub full_workers_ms: f64,
    pub full_size: String,
    /// The page's first preview (320×240, coarse) of a new view at 1e-100.
    pub first_deep: FirstDeepPreview,
    /// The WASM core on the f64 baseline view and on each deep view (`window.__previewBench`).
    pub f64_core: CoreFigure,
    pub deep_core: Vec<(&'static str, u32, CoreFigure)>,
}

/// Edits `c real` once per settled preview, `EDITS_PER_REFINEMENT` times, and returns the time
/// each full-resolution preview took and who computed it.
const REFINE_SCRIPT: &str = "
    const done = arguments[arguments.length - 1];
    const times = [], by = [];
    let k = 0, input = null;
    // Once the app is up and its first preview settled.
    (function start() {
      const label = [...document.querySelectorAll('label')].find(l => l.textContent.trim() === 'c real');
      if (!label || window.__previewSettled !== true) { setTimeout(start, 20); return; }
      input = document.getElementById(label.htmlFor);
      edit();
    })();
    function edit() {
      window.__previewSettled = false;
      input.value = (-0.79 + 0.003 * k).toFixed(4);
      input.dispatchEvent(new Event('input', {bubbles: true}));
      (function poll() {
        if (window.__previewSettled !== true) { setTimeout(poll, 5); return; }
        times.push(window.__previewFullTimes[window.__previewFullTimes.length - 1]);
        by.push(window.__previewRefinedBy);
        k += 1;
        if (k === EDITS) {
          const c = document.querySelector('canvas[aria-label=Preview]');
          done({times, by, size: c.width + 'x' + c.height});
        } else { setTimeout(edit, 50); }
      })();
    }";
const EDITS_PER_REFINEMENT: usize = 7;

/// Median time to a full-resolution preview, on the workers or (`workers` false) on the page.
async fn refine_ms(
    client: &fantoccini::Client,
    server: &ServerProcess,
    workers: bool,
) -> anyhow::Result<(f64, String)> {
    let flag = if workers { "" } else { "&workers=0" };
    client
        .goto(&format!("{}/?iter=300{flag}", server.base))
        .await?;
    let script = REFINE_SCRIPT.replace("EDITS", &EDITS_PER_REFINEMENT.to_string());
    let answer = client.execute_async(&script, vec![]).await?;
    let by: Vec<String> = serde_json::from_value(answer["by"].clone())?;
    let mut times: Vec<f64> = serde_json::from_value(answer["times"].clone())?;
    let expected = if workers { "workers" } else { "page" };
    // The first refinement may come before the workers have loaded: leave it out.
    let kept: Vec<f64> = times
        .drain(..)
        .zip(&by)
        .skip(1)
        .filter(|(_, who)| *who == expected)
        .map(|(t, _)| t)
        .collect();
    if kept.len() < EDITS_PER_REFINEMENT / 2 {
        bail!(
            "only {} of the refinements ran on the {expected}: {by:?}",
            kept.len()
        );
    }
    let mut sorted = kept;
    sorted.sort_by(f64::total_cmp);
    let size = answer["size"].as_str().unwrap_or("?").to_string();
    Ok((sorted[sorted.len() / 2], size))
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium session through the chromedriver at `port`, with a profile of its own
/// (deleted when the returned directory is dropped, after the session is closed).
async fn chromium_session(port: u16) -> anyhow::Result<(fantoccini::Client, tempfile::TempDir)> {
    let profile = tempfile::tempdir()?;
    let caps = json!({"goog:chromeOptions": {"args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1280,1000", format!("--user-data-dir={}", profile.path().display()),
    ]}});
    let caps = caps.as_object().cloned().context("capabilities")?;
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let client = client.context("no Chromium session through chromedriver")?;
    Ok((client, profile))
}

/// Edits `c real` `edits` times, one edit per animation frame, the way a dragging user does, and
/// reads the page's own frame timings (`window.__previewTimes`).
pub async fn measure(server: &ServerProcess, edits: usize) -> anyhow::Result<PreviewFigures> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let _driver = KillOnDrop(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver (scripts/setup.sh installs it)")?,
    );
    let (client, _profile) = chromium_session(port).await?;
    client.goto(&format!("{}/?iter=256", server.base)).await?;
    let first: Value = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (function poll() {
               if ((window.__previewFrames || 0) >= 1) { done(performance.now()); }
               else { setTimeout(poll, 2); }
             })();",
            vec![],
        )
        .await?;
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const label = [...document.querySelectorAll('label')].find(l => l.textContent.trim() === 'c real');
         const input = document.getElementById(label.htmlFor);
         window.__previewTimes = [];
         let k = 0;
         function step() {{
           if (k === {edits}) {{ requestAnimationFrame(() => done(window.__previewTimes)); return; }}
           input.value = (-0.8 + 0.0005 * (k % 200)).toFixed(4);
           input.dispatchEvent(new Event('input', {{bubbles: true}}));
           k += 1;
           requestAnimationFrame(() => requestAnimationFrame(step));
         }}
         step();"
    );
    let times: Vec<f64> = serde_json::from_value(client.execute_async(&script, vec![]).await?)?;
    client.set_window_size(1400, 1000).await?;
    let (full_page_ms, _) = refine_ms(&client, server, false).await?;
    let (full_workers_ms, full_size) = refine_ms(&client, server, true).await?;
    let first_deep = first_deep_preview(&client, port, server).await?;
    let (f64_core, deep_core) = core_figures(&client).await?;
    client.close().await?;
    if times.len() < edits / 2 {
        bail!("only {} preview frames for {edits} edits", times.len());
    }
    let (wasm_bytes, wasm_gzip_bytes) = wasm_size()?;
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(PreviewFigures {
        frames: times.len(),
        median_ms: sorted[sorted.len() / 2],
        p90_ms: sorted[sorted.len() * 9 / 10],
        first_preview_ms: first.as_f64().unwrap_or(f64::NAN),
        native_ms: native_preview_ms(),
        wasm_bytes,
        wasm_gzip_bytes,
        full_page_ms,
        full_workers_ms,
        full_size,
        first_deep,
        f64_core,
        deep_core,
    })
}

/// The same 320×240, 256-iteration preview through the same code, natively on one thread.
fn native_preview_ms() -> f64 {
    let params = RenderParams {
        width: 320,
        height: 240,
        max_iter: 256,
        ..RenderParams::default()
    }
    .normalized();
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool"),
    );
    let mut source = CpuSource::with_pool(pool);
    let mut samples = vec![EscapeSample::default(); 320 * 240];
    let mut rgba = Vec::new();
    // Built once, as the page's PreviewRenderer caches it between frames.
    let colorizer = Colorizer::new(&params);
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let Ok(()) = source.compute_band(
            &params,
            Band { y0: 0, rows: 240 },
            &mut samples,
            &render_core::StopFlag::new(),
        );
        colorizer.colour_band(&samples, 240, &mut rgba);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Size of the built `.wasm` in `dist/` (the page's program, which the preview workers run too),
/// raw and gzip-compressed (`gzip -9`).
fn wasm_size() -> anyhow::Result<(u64, u64)> {
    let wasm = std::fs::read_dir("dist")
        .context("dist/ is missing: run `make ui`")?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "wasm"))
        .context("no .wasm in dist/")?;
    let raw = std::fs::metadata(&wasm)?.len();
    let gz = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&wasm)
        .output()?
        .stdout
        .len() as u64;
    Ok((raw, gz))
}

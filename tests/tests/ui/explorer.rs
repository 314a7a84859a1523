//! The explorer in headless Chromium against the real julia-server (issues 13 and 15): the wheel
//! zooms past 1e-30 in exact decimals and Render's image, shown on the stage, matches the preview;
//! dragging on the c-picker map moves c and the Julia preview follows; once input rests the
//! preview reaches the canvas's device pixels. The measured frame times are printed.

use std::time::Duration;

use fantoccini::actions::{
    InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction, WheelAction, WheelActions,
};
use serde_json::Value;

use crate::support::{Browser, Server};

/// c = −0.74609375 + 0.125i has the repelling fixed point β = (1 + s)/2 with s² = 1 − 4c,
/// s = 2 − 0.125i: β = 1.5 − 0.0625i, exact in decimals and in binary, and on the Julia set, so a
/// view centred there shows the set's structure at every depth.
const DEEP_START: &str = "cre=-0.74609375&cim=0.125&x=1.5&y=-0.0625&vw=3&w=320&h=240";

/// The viewport pixel nearest the preview canvas's centre.
const STAGE_CENTRE: &str = "
    const r = document.querySelector('canvas[aria-label=Preview]').getBoundingClientRect();
    return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];";

/// Mean absolute difference (0..255) between the stage's image and the preview, both scaled to
/// 32×24, and the spread of the image's grey levels (so a blank match cannot pass).
const COMPARE_STAGE: &str = "
    const scaled = (src) => {
      const c = document.createElement('canvas'); c.width = 32; c.height = 24;
      const g = c.getContext('2d'); g.drawImage(src, 0, 0, 32, 24);
      return g.getImageData(0, 0, 32, 24).data;
    };
    const a = scaled(document.querySelector('img.stage-result'));
    const b = scaled(document.querySelector('canvas[aria-label=Preview]'));
    let diff = 0, sum = 0, sum2 = 0, n = 0;
    for (let i = 0; i < a.length; i += 4) {
      for (let k = 0; k < 3; k++) diff += Math.abs(a[i + k] - b[i + k]);
      const grey = (a[i] + a[i + 1] + a[i + 2]) / 3; sum += grey; sum2 += grey * grey; n++;
    }
    return { diff: diff / (3 * n), spread: Math.sqrt(sum2 / n - (sum / n) ** 2) };";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wheel_zooms_past_1e_30_and_the_render_on_the_stage_matches_the_preview() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser
        .client
        .set_window_size(1400, 1000)
        .await
        .expect("window size");

    // The first preview of a new view at 1e-100 (reference orbits computed in the page).
    browser
        .goto(&format!(
            "{}/?cre=-0.74609375&cim=0.125&x=1.5&y=-0.0625&vw=1e-100",
            server.url()
        ))
        .await;
    browser.wait_for_frames(1).await;
    let first = browser.js("return window.__previewTimes[0];").await;
    eprintln!("first 320x240 preview after opening a link to 1e-100 (page load): {first} ms");
    // A new view at 1e-100 in the running page, through the page's own preview renderer at
    // 320×240 (the coarse frames adapt their size to stay interactive): the centre moves by a
    // tenth of the view, as a drag would, so the reference orbit is computed anew.
    let new_view = browser
        .js(&format!(
            r#"return window.__previewBench(JSON.stringify({{width: 320, height: 240,
                 c: {{re: -0.74609375, im: 0.125}}, center: {{re: "1.5{zeros}1", im: -0.0625}},
                 view_width: "1e-100", max_iter: 3012}}), 1).firstMs;"#,
            zeros = "0".repeat(100)
        ))
        .await;
    eprintln!("first 320x240 preview of a new view at 1e-100 in the running page: {new_view} ms");

    browser
        .goto(&format!("{}/?{DEEP_START}", server.url()))
        .await;
    browser
        .wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(30),
            "the server to show as connected",
        )
        .await;
    browser.wait_for_frames(1).await;
    // The viewport pixel nearest the canvas's centre: within half a pixel, so the zoom keeps the
    // centre exactly.
    let centre = browser.js(STAGE_CENTRE).await;
    let (cx, cy) = (
        centre[0].as_i64().expect("x"),
        centre[1].as_i64().expect("y"),
    );
    let times_before = browser.js("return window.__previewTimes.length;").await;
    for _ in 0..40 {
        browser
            .client
            .perform_actions(scroll_at(cx, cy, -3000))
            .await
            .expect("wheel");
        let vw = browser.query_value("vw").await.unwrap_or_default();
        if exponent(&vw) < -30 {
            break;
        }
    }
    let vw = browser.query_value("vw").await.expect("vw in the URL");
    assert!(exponent(&vw) < -30, "the wheel stopped at vw = {vw}");
    // Exact decimals: the centre under the wheel did not move by a single digit.
    assert_eq!(browser.query_value("x").await.as_deref(), Some("1.5"));
    assert_eq!(browser.query_value("y").await.as_deref(), Some("-0.0625"));
    let info = browser
        .js("return document.querySelector('.view-info').textContent;")
        .await;
    let info = info.as_str().unwrap_or_default();
    assert!(
        info.contains("deep"),
        "the view says it needs deep precision: {info}"
    );
    assert!(
        info.contains(&format!("e{}", exponent(&vw))),
        "the depth is shown: {info}"
    );
    let frames = coarse_frame_stats(&browser, &times_before).await;
    eprintln!("coarse preview frames while zooming to {vw}: {frames}");
    browser.wait_for_settled().await;
    browser.screenshot("deep-1e-30").await;

    browser
        .client
        .find(fantoccini::Locator::Css("button.render"))
        .await
        .expect("the Render button")
        .click()
        .await
        .expect("click Render");
    browser
        .wait_until(
            "(() => { const i = document.querySelector('img.stage-result'); return i && i.complete && i.naturalWidth > 0; })()",
            Duration::from_secs(120),
            "the render to appear on the stage",
        )
        .await;
    browser.screenshot("deep-1e-30-rendered").await;
    let src = browser
        .js("return document.querySelector('img.stage-result').src;")
        .await;
    let id = src
        .as_str()
        .and_then(|s| s.split('/').rev().nth(1))
        .expect("job id in the src");
    let (status, job) = server.get(&format!("/api/jobs/{id}"));
    assert_eq!(status, 200);
    let job: Value = serde_json::from_slice(&job).expect("job JSON");
    // A width an f64 holds travels as a number, a deeper one as its decimal string.
    let job_width = match &job["params"]["view_width"] {
        Value::String(text) => text.parse::<f64>().ok(),
        other => other.as_f64(),
    };
    assert_eq!(job_width, vw.parse::<f64>().ok(), "{job}");
    assert_eq!(job["params"]["center"]["re"], 1.5);
    assert_eq!(job["params"]["center"]["im"], -0.0625);
    assert_eq!(job["precision_used"], "deep");
    let compared = browser.js(COMPARE_STAGE).await;
    let (diff, spread) = (
        compared["diff"].as_f64().unwrap(),
        compared["spread"].as_f64().unwrap(),
    );
    assert!(
        spread > 10.0,
        "the image shows structure, not a flat colour: {compared}"
    );
    assert!(
        diff < 20.0,
        "the render differs from the preview of its view: {compared}"
    );

    // A new view takes the image off the stage (wheeled where the stage is now: clicking Render
    // may have scrolled the page).
    let centre = browser.js(STAGE_CENTRE).await;
    let (cx, cy) = (
        centre[0].as_i64().expect("x"),
        centre[1].as_i64().expect("y"),
    );
    browser
        .client
        .perform_actions(scroll_at(cx, cy, 500))
        .await
        .expect("wheel");
    browser
        .wait_until(
            "document.querySelector('img.stage-result') === null",
            Duration::from_secs(20),
            "the image to leave the stage",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dragging_on_the_map_moves_c_and_the_preview_refines_to_device_pixels() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser
        .client
        .set_window_size(1400, 1000)
        .await
        .expect("window size");
    browser.goto(&format!("{}/?iter=300", server.url())).await;
    browser.wait_for_settled().await;
    let sizes = browser
        .js("const c = document.querySelector('canvas[aria-label=Preview]'); const r = c.getBoundingClientRect();
             return [c.width, c.height, Math.round(r.width * devicePixelRatio), Math.round(r.height * devicePixelRatio)];")
        .await;
    assert_eq!(
        sizes[0], sizes[2],
        "backing width = CSS width × dpr: {sizes}"
    );
    assert_eq!(
        sizes[1], sizes[3],
        "backing height = CSS height × dpr: {sizes}"
    );
    eprintln!(
        "time to a full-resolution preview ({}x{}) after input rests: {} ms",
        sizes[0],
        sizes[1],
        browser
            .js("return window.__previewFullTimes[window.__previewFullTimes.length - 1];")
            .await
    );
    let before = browser.preview_pixels().await;
    let c_before = (
        browser.query_value("cre").await,
        browser.query_value("cim").await,
    );
    let times_before = browser.js("return window.__previewTimes.length;").await;

    let map = browser
        .client
        .find(fantoccini::Locator::Css(
            "canvas[aria-label='Parameter map']",
        ))
        .await
        .expect("the parameter map");
    // The drag in two halves with the button held, and a wait for a coarse frame after each: a
    // loaded machine may deliver one half's moves in a single burst, but every move of c that the
    // page sees must be drawn.
    let press_and_move = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: map,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(300)),
            x: 15.0,
            y: -10.0,
        });
    browser
        .client
        .perform_actions(press_and_move)
        .await
        .expect("press and drag on the map");
    let coarse_frames_since =
        |n: usize| format!("window.__previewTimes.length >= {times_before} + {n}");
    browser
        .wait_until(
            &coarse_frames_since(1),
            Duration::from_secs(30),
            "a coarse frame while the map is dragged",
        )
        .await;
    let c_halfway = (
        browser.query_value("cre").await,
        browser.query_value("cim").await,
    );
    assert_ne!(c_before, c_halfway, "dragging on the map did not move c");
    let move_and_release = MouseActions::new("mouse".into())
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(300)),
            x: 15.0,
            y: -10.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser
        .client
        .perform_actions(move_and_release)
        .await
        .expect("drag further and release");
    browser
        .wait_until(
            &coarse_frames_since(2),
            Duration::from_secs(30),
            "a coarse frame for the second half of the drag",
        )
        .await;
    let c_after = (
        browser.query_value("cre").await,
        browser.query_value("cim").await,
    );
    assert_ne!(
        c_halfway, c_after,
        "the second half of the drag did not move c"
    );
    let frames = coarse_frame_stats(&browser, &times_before).await;
    eprintln!("coarse preview frames while dragging c on the map: {frames}");
    browser.wait_for_settled().await;
    assert_ne!(
        before,
        browser.preview_pixels().await,
        "the Julia preview did not follow c"
    );
    assert_eq!(
        browser.js("return window.__previewRefinedBy;").await,
        "workers",
        "the full-resolution preview was computed by the preview workers, off the page's thread"
    );
    browser.screenshot("map-dragged").await;
    browser.close().await;
}

/// Count, median and maximum of the coarse frame times recorded after the first `times_before`.
async fn coarse_frame_stats(browser: &Browser, times_before: &Value) -> Value {
    browser
        .js(&format!(
            "const t = window.__previewTimes.slice({times_before}).sort((a, b) => a - b);
             return {{ n: t.length, median: t[Math.floor(t.length / 2)], max: t[t.length - 1] }};"
        ))
        .await
}

/// One wheel notch of `delta_y` at viewport position (`x`, `y`).
fn scroll_at(x: i64, y: i64, delta_y: i64) -> WheelActions {
    let mut wheel = WheelActions::new("wheel".into());
    wheel.push(WheelAction::Scroll {
        duration: None,
        x,
        y,
        delta_x: 0,
        delta_y,
    });
    wheel
}

/// The power of ten of a decimal as the URL writes it (`3`, `1.2e-31`, `0.000123`).
fn exponent(decimal: &str) -> i64 {
    let value: f64 = decimal.parse().unwrap_or(f64::NAN);
    match decimal.split_once(['e', 'E']) {
        Some((mantissa, exp)) => {
            let m: f64 = mantissa.parse().unwrap_or(1.0);
            exp.parse::<i64>().unwrap_or(0) + m.abs().log10().floor() as i64
        }
        None => value.abs().log10().floor() as i64,
    }
}

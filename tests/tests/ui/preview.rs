//! The web UI's local preview in headless Chromium, served by the real julia-server: the page
//! loads, edits redraw the preview without any request, drag and wheel move the view and the URL,
//! a reloaded URL restores the view, and the preview's frame times are measured in the page.

use std::time::Duration;

use crate::support::{Browser, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_loads_from_the_server_and_draws_a_preview() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser.goto(&server.url()).await;
    browser.wait_for_frames(1).await;
    assert!(browser.preview_has_picture().await, "the preview is blank");
    eprintln!(
        "first preview on screen {} ms after navigation started",
        browser.js("return window.__firstPreviewAt;").await
    );
    browser
        .wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(30),
            "the server to show as connected",
        )
        .await;
    for label in [
        "c real",
        "c imaginary",
        "Max iterations",
        "Palette",
        "Width",
        "Height",
        "Supersample",
    ] {
        browser.labelled(label).await;
    }
    browser.screenshot("loaded").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_c_real_redraws_the_preview_without_any_request() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser.goto(&format!("{}/?iter=256", server.url())).await;
    browser
        .wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(30),
            "the server to show as connected",
        )
        .await;
    browser.wait_for_frames(2).await; // the fast frame and the sharper one
    let before = browser.preview_pixels().await;
    let requests_before = browser.resource_count().await;
    let frames_before = browser.frames().await;

    browser.set_number("c real", "-0.70").await;
    browser.wait_for_frames(frames_before + 1).await;
    // Let refinement finish too, so the comparison sees the settled picture.
    browser.wait_for_settled().await;
    let after = browser.preview_pixels().await;
    let requests_after = browser.resource_count().await;

    assert_ne!(before, after, "the preview did not change with c real");
    let made = browser
        .js(&format!(
            "return performance.getEntriesByType('resource').slice({requests_before}).map(e => e.name);"
        ))
        .await;
    assert_eq!(
        requests_before, requests_after,
        "editing made network requests: {made}"
    );
    assert_eq!(browser.query_value("cre").await.as_deref(), Some("-0.7"));
    browser.screenshot("c-real-changed").await;
    browser.close().await;
}

/// The view as the URL states it: (x, y, vw).
async fn url_view(browser: &Browser) -> (f64, f64, f64) {
    let get = |v: Option<String>| {
        v.and_then(|s| s.parse::<f64>().ok())
            .expect("a number in the URL")
    };
    (
        get(browser.query_value("x").await),
        get(browser.query_value("y").await),
        get(browser.query_value("vw").await),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drag_and_wheel_move_the_view_and_the_url_and_a_reload_restores_it() {
    use fantoccini::actions::{
        InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction, WheelAction, WheelActions,
    };
    let server = Server::start();
    let browser = Browser::start().await;
    browser.goto(&format!("{}/?iter=128", server.url())).await;
    browser.wait_for_frames(1).await;
    let canvas = browser
        .client
        .find(fantoccini::Locator::Css("canvas[aria-label=Preview]"))
        .await
        .expect("the preview canvas");
    let before_pixels = browser.preview_pixels().await;

    // Drag right by 120 px and down by 60 px.
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: canvas.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: 120.0,
            y: 60.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.client.perform_actions(drag).await.expect("drag");
    browser
        .wait_until(
            "new URLSearchParams(location.search).get('x') !== null",
            Duration::from_secs(20),
            "the URL to carry the view",
        )
        .await;
    let (x, y, vw) = url_view(&browser).await;
    assert!(x < 0.0, "dragging right moves the centre left, got x = {x}");
    assert!(y > 0.0, "dragging down moves the centre up, got y = {y}");
    assert_eq!(vw, 3.0, "a drag does not zoom");

    // Wheel up over the canvas zooms in.
    let mut wheel = WheelActions::new("wheel".into());
    wheel.push(WheelAction::Scroll {
        duration: None,
        x: 300,
        y: 200,
        delta_x: 0,
        delta_y: -500,
    });
    browser.client.perform_actions(wheel).await.expect("wheel");
    browser
        .wait_until(
            "parseFloat(new URLSearchParams(location.search).get('vw')) < 3.0",
            Duration::from_secs(20),
            "the wheel to zoom in",
        )
        .await;
    let zoomed = url_view(&browser).await;
    assert!(zoomed.2 < vw);
    browser.wait_for_settled().await;
    let moved_pixels = browser.preview_pixels().await;
    assert_ne!(
        before_pixels, moved_pixels,
        "the preview did not follow the view"
    );
    browser.screenshot("dragged-and-zoomed").await;

    // Reloading the URL restores exactly that view and picture.
    let url = browser.client.current_url().await.expect("url").to_string();
    browser.goto(&url).await;
    browser.wait_for_frames(2).await;
    assert_eq!(url_view(&browser).await, zoomed);
    browser.wait_for_settled().await;
    assert_eq!(browser.preview_pixels().await, moved_pixels);

    // Back returns to the view before the wheel.
    browser.client.back().await.expect("back");
    browser
        .wait_until(
            "parseFloat(new URLSearchParams(location.search).get('vw')) === 3.0",
            Duration::from_secs(20),
            "back to restore the view before the zoom",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_frame_times_are_measured_in_the_page() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser.goto(&format!("{}/?iter=256", server.url())).await;
    browser.wait_for_frames(1).await;
    // 150 edits, one per animation frame, as a slider drag would make them.
    let median = browser
        .js_async(
            "const done = arguments[arguments.length - 1];
             const input = document.getElementById('c-re');
             let k = 0;
             const start = window.__previewTimes.length;
             function step() {
               if (k === 150) {
                 const t = window.__previewTimes.slice(start).sort((a, b) => a - b);
                 done({ frames: t.length, median: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)] });
                 return;
               }
               input.value = (-0.8 + 0.0005 * k).toFixed(4);
               input.dispatchEvent(new Event('input', { bubbles: true }));
               k++;
               requestAnimationFrame(() => requestAnimationFrame(step));
             }
             step();",
        )
        .await;
    let frames = median["frames"].as_u64().expect("frame count");
    // Every edit drew exactly one frame (none dropped, none doubled): one rAF per edit.
    assert!(frames >= 140, "only {frames} frames drawn for 150 edits");
    eprintln!(
        "preview 320x240 at 256 iterations over {frames} frames: median {} ms, p90 {} ms",
        median["median"], median["p90"]
    );
    browser.close().await;
}

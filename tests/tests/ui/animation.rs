//! The video panel in headless Chromium against the real server (issue 16): two views marked as
//! keyframes, the path previewed in the page, the animation submitted and followed, and the
//! finished MP4 playing in the page's `<video>`, which reports its duration and decoded frames.

use std::time::Duration;

use crate::support::{Browser, Server};
use serde_json::Value;

/// Clicks the button whose text is `text`.
async fn click(browser: &Browser, text: &str) {
    browser
        .client
        .find(fantoccini::Locator::XPath(&format!(
            "//button[normalize-space()='{text}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("the button `{text}`: {e}"))
        .click()
        .await
        .expect("click");
}

/// Sets an input's value as a user would (a `change` event that bubbles).
async fn set_input(browser: &Browser, selector: &str, value: &str) {
    browser
        .js(&format!(
            "const input = document.querySelectorAll('{selector}');
             const last = input[input.length - 1];
             last.value = '{value}';
             last.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await;
}

/// Marks the default view and the Basilica as keyframes one second apart at 8 fps (8 frames of
/// 640×360), previews the path, makes the video and waits until the page can play it.
pub async fn make_video(browser: &Browser, server: &Server) {
    browser.goto(&format!("{}/?iter=150", server.url())).await;
    browser.wait_online().await;
    click(browser, "Add this view as a keyframe").await;
    browser
        .client
        .find(fantoccini::Locator::XPath(
            "//button[contains(., 'Basilica')]",
        ))
        .await
        .expect("the Basilica in the gallery")
        .click()
        .await
        .expect("click the Basilica");
    click(browser, "Add this view as a keyframe").await;
    let rows = browser
        .js("return document.querySelectorAll('li.keyframe').length;")
        .await;
    assert_eq!(rows, 2);
    set_input(browser, "input.keyframe-t", "1").await;
    set_input(browser, "input.fps", "8").await;

    click(browser, "Preview path").await;
    browser
        .wait_until(
            "document.querySelector('.animation-status').textContent === 'Previewing 8 frames'
             && !document.querySelector('button.preview-path').disabled",
            Duration::from_secs(30),
            "the path preview to play to its end",
        )
        .await;
    let lit = browser
        .js("const c = document.querySelector('canvas.path-preview');
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             let lit = 0; for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 0) lit++;
             return lit;")
        .await;
    assert!(
        lit.as_u64().unwrap() > 100,
        "the path preview drew the last frame: {lit}"
    );

    click(browser, "Make video").await;
    browser
        .wait_until(
            "(() => { const v = document.querySelector('video.animation-video');
                      return v !== null && v.readyState >= 2; })()",
            Duration::from_secs(120),
            "the finished video to load in the page",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_video_panel_makes_a_video_that_plays_in_the_page() {
    let server = Server::start();
    let browser = Browser::start().await;
    make_video(&browser, &server).await;
    let status = browser
        .js("return document.querySelector('.animation-status').textContent;")
        .await;
    assert_eq!(status, "Done: 8 frames at 8 fps");
    let played: Value = browser
        .js_async(
            "const done = arguments[arguments.length - 1];
             const v = document.querySelector('video.animation-video');
             v.loop = false; v.pause(); v.currentTime = 0;
             const before = v.getVideoPlaybackQuality().totalVideoFrames;
             v.play().then(() => {
               v.addEventListener('ended', () => done({
                 duration: v.duration,
                 frames: v.getVideoPlaybackQuality().totalVideoFrames - before,
                 error: v.error && v.error.code,
               }));
             }, (e) => done({ error: String(e) }));",
        )
        .await;
    assert_eq!(played["error"], Value::Null, "{played}");
    let duration = played["duration"].as_f64().unwrap();
    assert!((duration - 1.0).abs() < 0.05, "{played}");
    let frames = played["frames"].as_u64().unwrap();
    // One playthrough decodes the 8 frames (one more if the seek to the start decoded one).
    assert!((4..=9).contains(&frames), "decoded frames: {played}");
    browser
        .js("document.querySelector('section.animation').scrollIntoView({block: 'center'});")
        .await;
    browser.screenshot("video-panel").await;
    browser.close().await;
}

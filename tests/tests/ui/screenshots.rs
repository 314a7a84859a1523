//! The screenshots in `docs/screenshots/`, taken by `scripts/screenshots.sh` (this test, ignored in
//! ordinary runs because it rewrites files under `docs/`): the real server and UI in headless
//! Chromium at 1400×1000 (the default view, a view zoomed to 1e-30, the help overlay, a finished
//! render on the stage), at 1400×1400 (the video panel with its finished video, beside the stage)
//! and at a phone's 390×844.

use std::time::Duration;

use crate::support::{Browser, Server, repo_root};

/// A view on the Julia set of c = −0.74609375 + 0.125i at 1e-30 (see `explorer.rs`).
const DEEP: &str = "cre=-0.74609375&cim=0.125&x=1.5&y=-0.0625&vw=1.2e-30&w=960&h=720";

async fn save(browser: &Browser, name: &str) {
    let png = browser.client.screenshot().await.expect("screenshot");
    let dir = repo_root().join("docs").join("screenshots");
    std::fs::create_dir_all(&dir).expect("docs/screenshots");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "rewrites docs/screenshots/; run scripts/screenshots.sh"]
async fn screenshots_for_the_docs() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser
        .client
        .set_window_size(1400, 1000)
        .await
        .expect("window size");
    browser.goto(&server.url()).await;
    browser
        .wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(30),
            "the server to show as connected",
        )
        .await;
    browser.wait_for_settled().await;
    save(&browser, "desktop").await;

    browser
        .js("document.querySelector('.help-button').click();")
        .await;
    browser
        .wait_until(
            "document.querySelector('.help-overlay') !== null",
            Duration::from_secs(20),
            "the help overlay",
        )
        .await;
    save(&browser, "desktop-help").await;

    browser.goto(&format!("{}/?{DEEP}", server.url())).await;
    browser.wait_for_settled().await;
    save(&browser, "desktop-deep-1e-30").await;
    browser
        .js("document.querySelector('button.render').click();")
        .await;
    browser
        .wait_until(
            "(() => { const i = document.querySelector('img.stage-result'); return i && i.complete && i.naturalWidth > 0; })()",
            Duration::from_secs(300),
            "the render to appear on the stage",
        )
        .await;
    save(&browser, "desktop-deep-1e-30-rendered").await;

    // The video panel with its finished video in the page, in a window tall enough for the
    // stage and the panel, the video paused halfway through the morph.
    browser
        .client
        .set_window_size(1400, 1400)
        .await
        .expect("window size");
    crate::animation::make_video(&browser, &server).await;
    browser
        .js_async(
            "const done = arguments[arguments.length - 1];
             const v = document.querySelector('video.animation-video');
             v.loop = false; v.pause();
             v.addEventListener('seeked', () => done(v.currentTime), { once: true });
             v.currentTime = v.duration / 2;",
        )
        .await;
    browser
        .js("document.querySelector('section.animation').scrollIntoView({block: 'end'});")
        .await;
    save(&browser, "video-panel").await;

    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    browser.goto(&server.url()).await;
    browser.wait_for_settled().await;
    save(&browser, "phone").await;
    browser.close().await;
}

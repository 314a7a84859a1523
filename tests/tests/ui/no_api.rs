//! The built web UI from a plain static file server with no API at all: it still previews, and
//! says that the render server cannot be reached.

use std::time::Duration;

use crate::support::{Browser, StaticHost, dist_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_from_a_static_host_with_no_api_still_previews() {
    let host = StaticHost::start(dist_dir());
    let browser = Browser::start().await;
    browser
        .goto(&format!("{}/?cre=-0.4&cim=0.6", host.url()))
        .await;
    browser.wait_for_frames(1).await;
    assert!(browser.preview_has_picture().await, "the preview is blank");
    let frames = browser.frames().await;
    browser.set_number("Max iterations", "64").await;
    browser.wait_for_frames(frames + 1).await;
    browser
        .wait_until(
            "document.querySelector('.server.offline') !== null",
            Duration::from_secs(30),
            "the page to say the server cannot be reached",
        )
        .await;
    browser.screenshot("static-host").await;
    browser.close().await;
}

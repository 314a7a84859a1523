//! Render on commit, through the real julia-server in headless Chromium: one click is exactly one
//! POST, progress shows, and the image shown is the server's result; with the server gone the
//! preview still works, Render says the server cannot be reached, and the page recovers by itself.

use std::time::Duration;

use crate::support::{Browser, Server};
use serde_json::Value;

/// Counts the page's POSTs by wrapping `fetch`, which the app calls for every request, and notes
/// whether a job's progress bar was ever on the page.
const COUNT_POSTS: &str = "
    window.__posts = [];
    const original = window.fetch;
    window.fetch = function (input, init) {
      const method = (init && init.method) || (input && input.method) || 'GET';
      const url = typeof input === 'string' ? input : input.url;
      if (method.toUpperCase() === 'POST') window.__posts.push(url);
      return original.apply(this, arguments);
    };
    window.__sawProgress = false;
    new MutationObserver(() => {
      if (document.querySelector('li.job progress')) window.__sawProgress = true;
    }).observe(document.body, { childList: true, subtree: true });";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn render_posts_one_job_shows_progress_and_the_servers_image() {
    let server = Server::start();
    let browser = Browser::start().await;
    // Big enough to take a moment on one CPU thread, so progress is visible.
    browser
        .goto(&format!("{}/?w=1600&h=1200&iter=3000&ss=2", server.url()))
        .await;
    browser
        .wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(30),
            "the server to show as connected",
        )
        .await;
    browser.js(COUNT_POSTS).await;
    browser
        .client
        .find(fantoccini::Locator::XPath(
            "//button[normalize-space()='Render']",
        ))
        .await
        .expect("the Render button")
        .click()
        .await
        .expect("click Render");

    browser
        .wait_until(
            "document.querySelector('li.job') !== null",
            Duration::from_secs(30),
            "the job to appear in the list",
        )
        .await;
    browser
        .wait_until(
            "document.querySelector('li.job progress') !== null || document.querySelector('li.job[data-status=done]') !== null",
            Duration::from_secs(30),
            "progress to show",
        )
        .await;
    browser
        .js("document.querySelector('li.job').scrollIntoView();")
        .await;
    browser.screenshot("render-in-progress").await;
    browser
        .wait_until(
            "document.querySelector('li.job[data-status=done] img.result') !== null",
            Duration::from_secs(120),
            "the render to finish",
        )
        .await;
    assert_eq!(
        browser.js("return window.__sawProgress;").await,
        Value::Bool(true),
        "no progress bar was shown while the job was queued or running"
    );
    let posts = browser.js("return window.__posts;").await;
    assert_eq!(
        posts.as_array().map(Vec::len),
        Some(1),
        "Render must POST exactly once: {posts}"
    );
    assert!(posts[0].as_str().unwrap_or_default().ends_with("/api/jobs"));

    let id = browser
        .js("return document.querySelector('li.job[data-status=done]').dataset.jobId;")
        .await
        .as_str()
        .expect("job id")
        .to_string();
    let (status, job) = server.get(&format!("/api/jobs/{id}"));
    assert_eq!(status, 200);
    let job: Value = serde_json::from_slice(&job).expect("job JSON");
    assert_eq!(job["params"]["width"], 1600);
    assert_eq!(job["params"]["height"], 1200);
    assert_eq!(job["params"]["supersample"], 2);

    // The bytes behind the shown image are the server's result.
    let shown = browser
        .js_async(
            "const done = arguments[arguments.length - 1];
             const img = document.querySelector('li.job[data-status=done] img.result');
             fetch(img.src).then(r => r.arrayBuffer()).then(b => done({
               src: img.src, loaded: img.complete && img.naturalWidth,
               bytes: Array.from(new Uint8Array(b)) }));",
        )
        .await;
    let (status, result) = server.get(&format!("/api/jobs/{id}/result"));
    assert_eq!(status, 200);
    let shown_bytes: Vec<u8> = shown["bytes"]
        .as_array()
        .expect("bytes")
        .iter()
        .map(|b| b.as_u64().expect("byte") as u8)
        .collect();
    assert!(
        shown["src"]
            .as_str()
            .unwrap_or_default()
            .ends_with(&format!("/api/jobs/{id}/result")),
        "the image is not the job's result: {}",
        shown["src"]
    );
    assert_eq!(
        shown["loaded"], 1600,
        "the image did not load at full width"
    );
    assert_eq!(
        shown_bytes, result,
        "the shown image differs from GET /result"
    );
    browser
        .js("document.querySelector('li.job').scrollIntoView();")
        .await;
    browser.screenshot("render-done").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_server_the_preview_works_render_explains_and_the_page_recovers() {
    let mut server = Server::start();
    let browser = Browser::start().await;
    browser.goto(&format!("{}/?iter=200", server.url())).await;
    browser
        .wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(30),
            "the server to show as connected",
        )
        .await;
    server.stop();

    // Editing still previews.
    let before = browser.preview_pixels().await;
    let frames = browser.frames().await;
    browser.set_number("c imaginary", "0.3").await;
    browser.wait_for_frames(frames + 1).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_ne!(before, browser.preview_pixels().await);
    assert!(browser.preview_has_picture().await);

    browser
        .client
        .find(fantoccini::Locator::XPath(
            "//button[normalize-space()='Render']",
        ))
        .await
        .expect("the Render button")
        .click()
        .await
        .expect("click Render");
    browser
        .wait_until(
            "document.querySelector('.render-panel .notice').textContent.includes('Cannot reach the render server at')",
            Duration::from_secs(30),
            "Render to say the server cannot be reached",
        )
        .await;
    let notice = browser.notice().await;
    assert!(
        notice.contains(&server.url()),
        "the message names the server: {notice}"
    );
    browser.screenshot("offline").await;

    // The server comes back: the page notices by itself.
    server.restart();
    browser
        .wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(20),
            "the page to reconnect by itself",
        )
        .await;
    browser.screenshot("recovered").await;
    browser.close().await;
}

//! Jobs you can come back to, in headless Chromium against the real julia-server: a finished job's
//! thumbnail restores its view and parameters after the view went elsewhere (a gallery place), and
//! a palette or mapping change on the restored job recolours it in the page from its escape data,
//! with no new job.

use std::time::Duration;

use crate::support::{Browser, Server};
use serde_json::Value;

/// Counts the page's POSTs (every job submission is one).
const COUNT_POSTS: &str = "
    window.__posts = 0;
    const original = window.fetch;
    window.fetch = function (input, init) {
      const method = (init && init.method) || (input && input.method) || 'GET';
      if (method.toUpperCase() === 'POST') window.__posts += 1;
      return original.apply(this, arguments);
    };";

async fn click(browser: &Browser, xpath: &str) {
    browser
        .client
        .find(fantoccini::Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("no {xpath}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {xpath}: {e}"));
}

async fn choose(browser: &Browser, select_id: &str, value: &str) {
    browser
        .js(&format!(
            "const s = document.getElementById({select_id:?}); s.value = {value:?};
             s.dispatchEvent(new Event('change', {{bubbles: true}}));"
        ))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thumbnail_click_restores_the_view_and_colour_changes_apply_in_place() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser
        .goto(&format!(
            "{}/?cre=-0.123&cim=0.745&iter=300&palette=magma&w=240&h=180",
            server.url()
        ))
        .await;
    browser
        .wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(30),
            "the server to show as connected",
        )
        .await;
    click(&browser, "//button[normalize-space()='Render']").await;
    browser
        .wait_until(
            "document.querySelector('li.job[data-status=done] button.thumbnail img') !== null",
            Duration::from_secs(60),
            "the job to be shown as done",
        )
        .await;
    // Thumbnails load lazily, within a distance of the viewport that Chromium sets by its
    // estimate of the connection; the user looks at the list, and so does the test.
    browser
        .wait_until(
            "(() => { const img = document.querySelector('li.job[data-status=done] button.thumbnail img');
                      img.scrollIntoView({block: 'nearest'});
                      return img.complete && img.naturalWidth > 0; })()",
            Duration::from_secs(20),
            "the finished job's thumbnail to load",
        )
        .await;
    let size = browser
        .js("const i = document.querySelector('button.thumbnail img'); return [i.naturalWidth, i.naturalHeight];")
        .await;
    assert_eq!(
        size,
        serde_json::json!([240, 180]),
        "a 240×180 image is its own thumbnail"
    );

    // Somewhere else: the gallery's San Marco, another palette.
    click(
        &browser,
        "//section[@aria-label='Famous Julia sets']//button[normalize-space()='San Marco']",
    )
    .await;
    choose(&browser, "palette", "ocean").await;
    assert_eq!(browser.query_value("cre").await.as_deref(), Some("-0.75"));
    browser.screenshot("jobs-before-restore").await;

    browser.js(COUNT_POSTS).await;
    click(
        &browser,
        "//li[@data-status='done']//button[contains(@aria-label, 'Restore the view')]",
    )
    .await;
    assert_eq!(browser.query_value("cre").await.as_deref(), Some("-0.123"));
    assert_eq!(browser.query_value("cim").await.as_deref(), Some("0.745"));
    assert_eq!(
        browser.query_value("palette").await.as_deref(),
        Some("magma")
    );
    assert_eq!(browser.query_value("w").await.as_deref(), Some("240"));
    let c_real = browser
        .labelled("c real")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(c_real.as_deref(), Some("-0.123"));

    // The restored job, coloured in the page; a palette and a mapping change recolour it there.
    browser
        .wait_until(
            "(() => { const c = document.querySelector('canvas.recoloured');
                      return c !== null && !c.hidden && c.dataset.palette === 'magma'; })()",
            Duration::from_secs(20),
            "the finished job to be coloured in the page",
        )
        .await;
    let pixels = "(() => { const c = document.querySelector('canvas.recoloured');
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data
          .filter((_, i) => i % 4096 === 0)).join(','); })()";
    let magma = browser.js(&format!("return {pixels};")).await;
    choose(&browser, "palette", "viridis").await;
    choose(&browser, "colour-mapping", "histogram").await;
    browser
        .wait_until(
            "(() => { const c = document.querySelector('canvas.recoloured');
                      return c.dataset.palette === 'viridis' && c.dataset.colourMapping === 'histogram'; })()",
            Duration::from_secs(30),
            "the job to be recoloured in place",
        )
        .await;
    let recoloured = browser.js(&format!("return {pixels};")).await;
    assert_ne!(magma, recoloured, "the pixels did not change");
    assert_eq!(
        browser.query_value("map").await.as_deref(),
        Some("histogram")
    );
    assert_eq!(
        browser.js("return window.__posts;").await,
        Value::from(0),
        "restoring and recolouring must not submit a job"
    );
    browser
        .js("document.querySelector('canvas.recoloured').scrollIntoView();")
        .await;
    browser.screenshot("jobs-recoloured-in-place").await;
    browser.close().await;
}

//! chromedriver and one headless Chromium session through it, with helpers that read and drive
//! the page (scripts, waits, the preview canvas, labelled controls, the URL query, screenshots).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::{KillOnDrop, screenshot_dir, spawn_listening};

/// chromedriver on a free port, and one headless Chromium session through it.
pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
    _driver: KillOnDrop,
}

impl Browser {
    pub async fn start() -> Self {
        let (driver, port) = spawn_listening(
            "chromedriver (apt-get install chromium-driver; scripts/setup.sh does)",
            |port| {
                let mut command = Command::new("chromedriver");
                command
                    .arg(format!("--port={port}"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null());
                command
            },
        );
        let profile = tempfile::tempdir().expect("browser profile directory");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("start a Chromium session through chromedriver");
        Self {
            client,
            _profile: profile,
            _driver: KillOnDrop(driver),
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs an async script: its last argument is the callback that returns the value.
    pub async fn js_async(&self, script: &str) -> Value {
        self.client
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}\n{script}"))
    }

    /// Polls `condition` (a JS expression) until it is true, or panics after `timeout`.
    pub async fn wait_until(&self, condition: &str, timeout: Duration, what: &str) {
        let deadline = Instant::now() + timeout;
        let script = format!("return !!({condition});");
        loop {
            if self.js(&script).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                self.screenshot(&format!("timeout-{}", what.replace(' ', "-")))
                    .await;
                // What the page showed, so a timeout in CI (where the screenshot is out of
                // reach) still says which state the page was stuck in.
                let page = self
                    .js("const jobs = document.querySelector('section.jobs');
                         const problems = [...document.querySelectorAll('.problem')]
                             .map(p => 'problem: ' + p.innerText);
                         return [jobs ? jobs.innerText : 'no job list', ...problems]
                             .join('\\n').slice(0, 4000);")
                    .await;
                panic!(
                    "timed out after {timeout:?} waiting for {what} ({condition})\n\
                     the job list and any problems shown:\n{}",
                    page.as_str().unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page shows the render server as connected.
    pub async fn wait_online(&self) {
        self.wait_until(
            "document.querySelector('.server.online') !== null",
            Duration::from_secs(30),
            "the server to show as connected",
        )
        .await;
    }

    /// Waits until the preview has drawn at least `frames` frames in total.
    pub async fn wait_for_frames(&self, frames: u64) {
        self.wait_until(
            &format!("(window.__previewFrames || 0) >= {frames}"),
            Duration::from_secs(20),
            "preview frames",
        )
        .await;
    }

    /// Waits until the preview shows the current view at full resolution (refinement done).
    pub async fn wait_for_settled(&self) {
        self.wait_until(
            "window.__previewSettled === true",
            Duration::from_secs(30),
            "the preview to reach full resolution",
        )
        .await;
    }

    /// Frames drawn so far.
    pub async fn frames(&self) -> u64 {
        self.js("return window.__previewFrames || 0;")
            .await
            .as_u64()
            .unwrap_or(0)
    }

    /// The preview canvas's pixels, as a data URL.
    pub async fn preview_pixels(&self) -> String {
        self.js("return document.querySelector('canvas[aria-label=Preview]').toDataURL();")
            .await
            .as_str()
            .expect("data URL")
            .to_string()
    }

    /// Whether the preview shows more than one colour (it drew a picture, not a blank).
    pub async fn preview_has_picture(&self) -> bool {
        self.js(
            "const c = document.querySelector('canvas[aria-label=Preview]');
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             const colours = new Set();
             for (let i = 0; i < d.length; i += 4 * 97) colours.add((d[i] << 16) | (d[i+1] << 8) | d[i+2]);
             return colours.size > 8;",
        )
        .await
            == Value::Bool(true)
    }

    /// Resource requests the page has made so far (fetches, event streams, assets).
    pub async fn resource_count(&self) -> u64 {
        self.js("return performance.getEntriesByType('resource').length;")
            .await
            .as_u64()
            .expect("a count")
    }

    /// The input labelled `label` (found through its `<label for>`: its accessible name).
    pub async fn labelled(&self, label: &str) -> fantoccini::elements::Element {
        let xpath = format!(
            "//input[@id=//label[normalize-space()='{label}']/@for] | //select[@id=//label[normalize-space()='{label}']/@for]"
        );
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no control labelled {label:?}: {e}"))
    }

    /// Types a new value into the control labelled `label` the way a user does (select all,
    /// type), and commits it with Enter.
    pub async fn set_number(&self, label: &str, value: &str) {
        let input = self.labelled(label).await;
        input.click().await.expect("focus the input");
        self.js(&format!(
            "document.getElementById({:?}).select();",
            input.attr("id").await.expect("id").expect("has id")
        ))
        .await;
        input
            .send_keys(&format!("{value}\u{E007}"))
            .await
            .expect("type the value");
    }

    /// The page's URL query, parsed into pairs.
    pub async fn query(&self) -> Vec<(String, String)> {
        let url = self.client.current_url().await.expect("current url");
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub async fn query_value(&self, key: &str) -> Option<String> {
        self.query()
            .await
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Saves a screenshot as `target/ui-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(screenshot_dir().join(format!("{name}.png")), png);
        }
    }

    /// The text of the Render panel's notice.
    pub async fn notice(&self) -> String {
        self.js("return document.querySelector('.render-panel .notice').textContent;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

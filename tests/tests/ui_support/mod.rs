//! Support for the browser tests (`ui_*.rs`): the real `julia-server` with the built UI, a plain
//! static file server with no API, and headless Chromium driven through chromedriver.

#![allow(dead_code)] // each ui_*.rs test file uses a different part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The built web UI; the tests need `trunk build` to have run.
pub fn dist_dir() -> PathBuf {
    let dist = repo_root().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "the web UI is not built: {} has no index.html; run trunk build (or `make ui`) first",
        dist.display()
    );
    dist
}

pub use julia_tests::server_binary;

/// Where screenshots of the tested states go: `target/ui-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = repo_root().join("target").join("ui-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    dir
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

fn wait_for_port(port: u16, what: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening on port {port}: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on port {port} within 30 s");
}

/// A child process that is killed when dropped.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real server, CPU only, serving the built UI, with its data in a temporary directory.
pub struct Server {
    process: Option<KillOnDrop>,
    pub port: u16,
    pub data_dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Self {
        let data_dir = tempfile::tempdir().expect("temporary data directory");
        let port = free_port();
        let mut server = Self {
            process: None,
            port,
            data_dir,
        };
        server.restart();
        server
    }

    /// Starts the server (again) on the same port and data directory.
    pub fn restart(&mut self) {
        let log = std::fs::File::create(self.data_dir.path().join("server.log")).expect("log file");
        let mut child = Command::new(server_binary())
            .arg("serve")
            .arg("--cpu-only")
            .args(["--cpu-threads", "1"])
            .arg("--addr")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .arg("--ui-dir")
            .arg(dist_dir())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start julia-server");
        wait_for_port(self.port, "julia-server", &mut child);
        self.process = Some(KillOnDrop(child));
    }

    /// Kills the server process; the port stops answering.
    pub fn stop(&mut self) {
        self.process = None;
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// GET a path, returning status and body (plain std HTTP/1.1, no client library needed).
    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        http_get(self.port, path)
    }
}

/// A one-shot HTTP GET over a fresh connection.
pub fn http_get(port: u16, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).expect("status line");
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let mut content_length = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            content_length = v.trim().parse::<usize>().ok();
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).expect("chunk size");
            let size = usize::from_str_radix(size.trim(), 16).expect("chunk size is hex");
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).expect("chunk");
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(len) = content_length {
        body.resize(len, 0);
        reader.read_exact(&mut body).expect("body");
    } else {
        reader.read_to_end(&mut body).expect("body");
    }
    (status, body)
}

/// A plain static file server for `dist/`: what any static host does, and no `/api` at all.
pub struct StaticHost {
    pub port: u16,
}

impl StaticHost {
    pub fn start(root: PathBuf) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the static host");
        let port = listener.local_addr().expect("address").port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || serve_file(stream, &root));
            }
        });
        Self { port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn serve_file(mut stream: TcpStream, root: &Path) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or("/");
    let relative = if path == "/" {
        "index.html"
    } else {
        path.trim_start_matches('/')
    };
    let file = root.join(relative);
    let inside = !relative.split('/').any(|part| part == "..");
    let (status, body, mime) = match std::fs::read(&file) {
        Ok(body) if inside => ("200 OK", body, mime_type(&file)),
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    let _ = stream.write_all(&body);
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// chromedriver on a free port, and one headless Chromium session through it.
pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
    _driver: KillOnDrop,
}

impl Browser {
    pub async fn start() -> Self {
        let port = free_port();
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (apt-get install chromium-driver; scripts/setup.sh does)");
        wait_for_port(port, "chromedriver", &mut driver);
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
                panic!("timed out after {timeout:?} waiting for {what} ({condition})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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

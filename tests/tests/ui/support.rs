//! Support for the browser tests of this binary: the real `julia-server` with the built UI, a plain
//! static file server with no API, and headless Chromium driven through chromedriver.
//!
//! This file holds the paths, ports, processes and the real server; [`static_host`] is the plain
//! file server and [`browser`] the Chromium session. Both are re-exported here, so users write
//! `support::StaticHost` and `support::Browser`.

mod browser;
mod static_host;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

// Re-exported so the tests write `support::Browser` and `support::StaticHost`.
pub use browser::Browser;
pub use static_host::StaticHost;

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

/// Held from choosing a free port until the process given it listens, so two tests of this
/// binary that start processes at once cannot be handed the same port.
static PORT_HANDOUT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Starts the process `command` builds for a free port and waits until it listens there. A
/// process that exits first (another program took the port in between) is started again on a
/// new port, up to three times.
pub fn spawn_listening(what: &str, command: impl Fn(u16) -> Command) -> (Child, u16) {
    let _handout = PORT_HANDOUT.lock().unwrap_or_else(|e| e.into_inner());
    let mut exits = Vec::new();
    for _ in 0..3 {
        let port = free_port();
        let mut child = command(port)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        match wait_for_port(port, what, &mut child) {
            Ok(()) => return (child, port),
            Err(exit) => exits.push(exit),
        }
    }
    panic!("{what} never listened: {exits:?}");
}

/// Waits until `port` accepts connections; `Err` when `child` exits first.
fn wait_for_port(port: u16, what: &str, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{what} exited before listening on port {port}: {status}"
            ));
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on port {port} within 30 s");
}

impl Drop for Server {
    /// A failing test shows the end of the server's log (CI keeps no other copy of it).
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "--- the last {} lines of julia-server's log ---",
                tail.len()
            );
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
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
    /// Options beyond the defaults below, given on every start.
    options: Vec<String>,
}

impl Server {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts it with `options` added to `serve`'s.
    pub fn start_with(options: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().expect("temporary data directory");
        let _handout = PORT_HANDOUT.lock().unwrap_or_else(|e| e.into_inner());
        let port = free_port();
        let mut server = Self {
            process: None,
            port,
            data_dir,
            options: options.iter().map(|o| o.to_string()).collect(),
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
            .args(&self.options)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start julia-server");
        if let Err(exit) = wait_for_port(self.port, "julia-server", &mut child) {
            panic!("{exit}");
        }
        self.process = Some(KillOnDrop(child));
    }

    /// Kills the server process; the port stops answering.
    pub fn stop(&mut self) {
        self.process = None;
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server's log so far (its stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("server.log")).unwrap_or_default()
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

//! End-to-end test support; the tests themselves live in `tests/tests/`.
//!
//! [`Server`] starts the real `julia-server` binary on a free loopback port. Cargo does not build
//! another package's binaries for tests: `cargo test --workspace` builds it for the server's own
//! integration tests; `cargo test -p julia-tests` alone needs `cargo build -p julia-server` first.
//! Each server has its own temporary data directory and is killed when dropped.

pub use test_support::pg_cluster;
pub mod video;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The `julia-server` binary next to the test executable (`target/<profile>/`).
pub fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test>-<hash> → target/<profile>/julia-server
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let binary = profile_dir.join(format!("julia-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "{} does not exist: run `cargo build -p julia-server` first, or test with `--workspace`",
        binary.display()
    );
    binary
}

/// A running server process.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub data_dir: PathBuf,
    pub log: PathBuf,
    pub client: reqwest::Client,
    /// Keeps a temporary data directory alive as long as the server.
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts a server with a fresh temporary data directory and `extra` arguments.
    pub fn start(extra: &[&str]) -> Server {
        let temp = tempfile::tempdir().expect("temp dir");
        let data = temp.path().join("data");
        let mut server = Server::start_in(&data, extra);
        server._temp = Some(temp);
        server
    }

    /// Starts a server on `data_dir` (kept; e.g. a restart on the same data).
    pub fn start_in(data_dir: &Path, extra: &[&str]) -> Server {
        std::fs::create_dir_all(data_dir).expect("data dir");
        let log = data_dir.with_file_name(format!("server-{}.log", next_serial()));
        let log_file = std::fs::File::create(&log).expect("log file");
        let mut child = Command::new(server_binary())
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            // API tests run without a UI unless the caller names one.
            .args(if extra.contains(&"--ui-dir") {
                &[][..]
            } else {
                &["--ui-dir", "/nonexistent-ui"][..]
            })
            .args(extra)
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("start julia-server");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "julia-server did not print its URL; log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .build()
            .expect("http client");
        let server = Server {
            child,
            base,
            data_dir: data_dir.to_path_buf(),
            log,
            client,
            _temp: None,
        };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = self.url("/healthz");
        while Instant::now() < deadline {
            if probe_status(&url).is_ok_and(|status| status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "julia-server never became healthy; log:\n{}",
            self.log_text()
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`: no chance to clean up.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM (the drain signal).
    pub fn terminate(&self) {
        // SAFETY: kill(2) with a pid we own; no memory is involved.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
    }

    /// Waits for the process to exit on its own; its exit status.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// POSTs params JSON to `/api/jobs`; (status, body).
    pub async fn submit(&self, params: &Value) -> (u16, Value) {
        let resp = self
            .client
            .post(self.url("/api/jobs"))
            .json(params)
            .send()
            .await
            .expect("POST /api/jobs");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let resp = self.client.get(self.url(path)).send().await.expect("GET");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Polls a job until it reaches a final state (`done`, `failed`, `canceled`).
    pub async fn wait_finished(&self, id: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let (status, job) = self.get_json(&format!("/api/jobs/{id}")).await;
            assert_eq!(status, 200, "job {id}: {job}");
            if matches!(job["status"].as_str(), Some("done" | "failed" | "canceled")) {
                return job;
            }
            assert!(
                Instant::now() < deadline,
                "job {id} not finished in {timeout:?}: {job}\nlog:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Polls until the job has the given status.
    pub async fn wait_status(&self, id: &str, wanted: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let (_, job) = self.get_json(&format!("/api/jobs/{id}")).await;
            if job["status"] == wanted {
                return job;
            }
            assert!(
                Instant::now() < deadline,
                "job {id} never became {wanted}: {job}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The finished result's bytes.
    pub async fn result_bytes(&self, id: &str) -> Vec<u8> {
        let resp = self
            .client
            .get(self.url(&format!("/api/jobs/{id}/result")))
            .send()
            .await
            .expect("GET result");
        assert_eq!(resp.status(), 200, "result of {id}");
        resp.bytes().await.expect("result body").to_vec()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A number unique within this test process (log file names).
fn next_serial() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Status code of a GET over a raw TCP connection (HTTP/1.0), for start-up polling without a runtime.
fn probe_status(url: &str) -> std::io::Result<u16> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    Ok(std::str::from_utf8(&head[9..12])
        .unwrap_or("0")
        .parse()
        .unwrap_or(0))
}

/// Small render parameters (fast on the CPU) varied by `seed`, so each seed is a distinct job.
pub fn small_params(seed: u32) -> Value {
    serde_json::json!({
        "width": 64, "height": 64,
        "c": {"re": -0.8, "im": 0.156 + f64::from(seed) * 1e-6},
        "max_iter": 200,
        "palette": "viridis",
    })
}

/// Parameters whose render cost grows with `max_iter`: most of the view is inside the set, so
/// nearly every pixel runs all iterations (256×256 × `max_iter` iterations).
pub fn deep_params(seed: u32, max_iter: u32) -> Value {
    serde_json::json!({
        "width": 256, "height": 256,
        "c": {"re": -0.12, "im": 0.75 + f64::from(seed) * 1e-7},
        "view_width": 0.3,
        "max_iter": max_iter,
        "format": "npy",
    })
}

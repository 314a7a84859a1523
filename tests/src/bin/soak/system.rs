//! The system under test: the real `julia-server` processes, on one fixed loopback port so the
//! clients can follow restarts. SQLite mode is one `serve` process that the chaos loop kills and
//! restarts on the same data directory; distributed mode is an API node and two `worker`
//! processes on a throwaway PostgreSQL cluster, and the chaos loop kills workers.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use julia_tests::pg_cluster::PgCluster;

/// Lease of the soak's claims: short, so a killed process's job comes back within seconds.
const LEASE_SECS: &str = "3";

pub struct System {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    extra: Vec<String>,
    api: Child,
    /// Distributed mode: the cluster and the worker processes.
    pg: Option<PgCluster>,
    workers: Vec<Child>,
    incarnations: u32,
    logs: Vec<PathBuf>,
}

impl System {
    /// One `serve` process with in-process workers on SQLite.
    pub fn sqlite(bin: &Path, extra: &[String]) -> System {
        let mut system = System::empty(bin, extra, None);
        system.api = system.spawn_api();
        system.wait_healthy(Duration::from_secs(60));
        system
    }

    /// An API node and two workers on PostgreSQL.
    pub fn distributed(bin: &Path, extra: &[String]) -> System {
        let pg = PgCluster::start();
        let mut system = System::empty(bin, extra, Some(pg));
        system.api = system.spawn_api();
        system.wait_healthy(Duration::from_secs(60));
        for _ in 0..2 {
            let worker = system.spawn_worker();
            system.workers.push(worker);
        }
        system
    }

    fn empty(bin: &Path, extra: &[String], pg: Option<PgCluster>) -> System {
        let dir = tempfile::Builder::new()
            .prefix("julia-soak-")
            .tempdir()
            .expect("soak directory");
        System {
            bin: bin.to_path_buf(),
            dir,
            port: free_port(),
            extra: extra.to_vec(),
            // Replaced at once by the caller; `true` exits immediately and is reaped on drop.
            api: Command::new("true").spawn().expect("spawn true"),
            pg,
            workers: Vec::new(),
            incarnations: 0,
            logs: Vec::new(),
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn mode(&self) -> &'static str {
        if self.pg.is_some() {
            "distributed"
        } else {
            "sqlite"
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn next_log(&mut self, name: &str) -> (PathBuf, std::fs::File) {
        self.incarnations += 1;
        let path = self
            .dir
            .path()
            .join(format!("{name}-{}.log", self.incarnations));
        let file = std::fs::File::create(&path).expect("log file");
        self.logs.push(path.clone());
        (path, file)
    }

    fn spawn_api(&mut self) -> Child {
        let (_, log) = self.next_log("serve");
        let mut cmd = Command::new(&self.bin);
        cmd.arg("serve")
            .args(["--addr", &format!("127.0.0.1:{}", self.port)])
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(["--ui-dir", "/nonexistent-ui", "--cpu-only"])
            // Every soak client shares one loopback address, so the per-client rate limit would
            // throttle them as one; it has tests of its own.
            .args(["--rate-limit", "0"])
            .args(["--lease-secs", LEASE_SECS]);
        if let Some(pg) = &self.pg {
            cmd.args(["--database-url", &pg.url(), "--no-workers"]);
        } else {
            cmd.args(["--cpu-threads", "1"]);
        }
        cmd.args(&self.extra)
            .env("RUST_LOG", "info,sqlx=warn,tower_http=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start julia-server serve")
    }

    fn spawn_worker(&mut self) -> Child {
        let pg = self.pg.as_ref().expect("distributed mode");
        let url = pg.url();
        let id = format!("soak-worker-{}", self.incarnations + 1);
        let (_, log) = self.next_log(&id);
        Command::new(&self.bin)
            .args(["worker", "--database-url", &url, "--data-dir"])
            .arg(self.data_dir())
            .args(["--cpu-only", "--cpu-threads", "1", "--worker-id", &id])
            .args(["--lease-secs", LEASE_SECS])
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start julia-server worker")
    }

    /// `kill -9` of one process (the server, or a random worker) and its restart. Returns what
    /// was killed.
    pub fn kill_and_restart(&mut self, pick: u64) -> String {
        if self.pg.is_none() {
            kill_hard(&mut self.api);
            self.api = self.spawn_api();
            self.wait_healthy(Duration::from_secs(60));
            "serve".to_string()
        } else {
            let i = (pick % self.workers.len() as u64) as usize;
            kill_hard(&mut self.workers[i]);
            self.workers[i] = self.spawn_worker();
            format!("worker {i}")
        }
    }

    fn wait_healthy(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if probe_status(self.port, "/healthz").is_ok_and(|s| s == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "julia-server did not become healthy on port {}; last log:\n{}",
            self.port,
            self.logs
                .last()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default()
        );
    }

    /// Every log written by every incarnation of every process.
    pub fn log_texts(&self) -> Vec<String> {
        self.logs
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }
}

impl Drop for System {
    fn drop(&mut self) {
        kill_hard(&mut self.api);
        for worker in &mut self.workers {
            kill_hard(worker);
        }
    }
}

fn kill_hard(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Status code of a GET over a raw HTTP/1.0 connection (no runtime needed).
fn probe_status(port: u16, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    Ok(std::str::from_utf8(&head[9..12])
        .unwrap_or("0")
        .parse()
        .unwrap_or(0))
}

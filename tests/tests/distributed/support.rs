//! Shared pieces of the distributed-mode tests: API nodes (`serve --no-workers`) and `worker`
//! processes against one throwaway PostgreSQL cluster and one shared data directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use julia_tests::Server;
use julia_tests::pg_cluster::PgCluster;
use render_core::{CpuSource, Flow, Limits, render_to_writer};
use serde_json::Value;

/// Short leases, so a lost worker's job comes back within seconds.
pub const LEASE_SECS: &str = "3";

/// An API node with no render workers, on the shared store and data directory.
pub fn api_node(cluster: &PgCluster, data_dir: &Path) -> Server {
    let url = cluster.url();
    Server::start_in(
        data_dir,
        &[
            "--database-url",
            &url,
            "--no-workers",
            "--cpu-only",
            "--lease-secs",
            LEASE_SECS,
        ],
    )
}

/// A `julia-server worker` process.
pub struct Worker {
    child: Child,
    pub id: String,
    log: PathBuf,
}

impl Worker {
    /// Starts a CPU-only worker with one render thread and waits until it is claiming.
    pub fn start(cluster: &PgCluster, data_dir: &Path, id: &str) -> Worker {
        let log = data_dir.with_file_name(format!("worker-{id}.log"));
        let mut child = Command::new(julia_tests::server_binary())
            .args(["worker", "--database-url", &cluster.url(), "--data-dir"])
            .arg(data_dir)
            .args([
                "--cpu-only",
                "--cpu-threads",
                "1",
                "--lease-secs",
                LEASE_SECS,
                "--worker-id",
                id,
            ])
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::File::create(&log).expect("worker log"),
            ))
            .spawn()
            .expect("start julia-server worker");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("worker ") && line.ends_with(" ready") {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = child.kill();
            panic!(
                "worker {id} never became ready:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        Worker {
            child,
            id: id.to_string(),
            log,
        }
    }

    /// The owner name this worker's claims carry in `jobs.lease_owner`.
    pub fn lease_owner(&self) -> String {
        format!("{}/cpu", self.id)
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on a child we own; no memory is involved.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, signal);
        }
    }

    /// `kill -9`.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn pause(&self) {
        self.signal(libc::SIGSTOP);
    }

    pub fn resume(&self) {
        self.signal(libc::SIGCONT);
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.resume();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The single-node reference: the same params rendered in this process by render-core.
pub fn fresh_render(params: &Value) -> Vec<u8> {
    let params =
        render_core::parse_params(&params.to_string(), &Limits::default()).expect("valid params");
    let mut out = Vec::new();
    render_to_writer(
        &params,
        &mut CpuSource::new(),
        &mut out,
        &render_core::StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .expect("render");
    out
}

/// Kills `worker` with `kill -9` while it holds a running job, and returns that job's id. The
/// worker is paused first and the job it holds read while it cannot finish it; otherwise a short
/// render could complete between the query and the kill, and no job would be lost to recover.
pub fn kill_while_holding_a_job(cluster: &PgCluster, worker: &mut Worker) -> String {
    let held_by_victim = format!(
        "SELECT id FROM jobs WHERE status = 'running' AND lease_owner = '{}'",
        worker.lease_owner()
    );
    let held = loop {
        wait_for_sql(cluster, &held_by_victim, Duration::from_secs(60), |id| {
            !id.is_empty()
        });
        worker.pause();
        let held = cluster.psql(&held_by_victim);
        if !held.is_empty() {
            break held;
        }
        worker.resume();
    };
    worker.kill_hard();
    held
}

/// Polls `sql` (one value) until `done` accepts it.
pub fn wait_for_sql(
    cluster: &PgCluster,
    sql: &str,
    timeout: Duration,
    done: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let value = cluster.psql(sql);
        if done(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "`{sql}` never satisfied the wait; last: {value}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A connected `GET /api/events` client: the subscription exists once `connect` returns.
pub struct SseClient {
    stream: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<Vec<u8>>> + Send>>,
    buffer: String,
}

impl SseClient {
    pub async fn connect(server: &Server) -> SseClient {
        let resp = server
            .client
            .get(server.url("/api/events"))
            .timeout(Duration::from_secs(600))
            .send()
            .await
            .expect("GET /api/events");
        assert_eq!(resp.status(), 200);
        SseClient {
            stream: Box::pin(resp.bytes_stream().map(|chunk| chunk.map(|b| b.to_vec()))),
            buffer: String::new(),
        }
    }

    /// Reads `job` events until `until` accepts one; every event seen, or `Err` with how many
    /// were seen when the awaited one never came.
    pub async fn until(
        &mut self,
        timeout: Duration,
        until: impl Fn(&Value) -> bool,
    ) -> Result<Vec<Value>, usize> {
        let mut seen = Vec::new();
        let found = tokio::time::timeout(timeout, async {
            while let Some(chunk) = self.stream.next().await {
                let chunk = chunk.expect("event stream chunk");
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = self.buffer.find("\n\n") {
                    let event: String = self.buffer.drain(..end + 2).collect();
                    for data in event.lines().filter_map(|l| l.strip_prefix("data:")) {
                        if let Ok(job) = serde_json::from_str::<Value>(data.trim()) {
                            let stop = until(&job);
                            seen.push(job);
                            if stop {
                                return true;
                            }
                        }
                    }
                }
            }
            false
        })
        .await;
        if found == Ok(true) {
            Ok(seen)
        } else {
            Err(seen.len())
        }
    }
}

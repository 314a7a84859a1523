//! The service seen from a client: API latency idle and while every core renders, a cached
//! re-request against a fresh render, and small-job throughput. Runs the real release
//! `julia-server serve` on a loopback port with a temporary data directory.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::process::server_binary;

/// A server process, killed on drop.
pub struct ServerProcess {
    child: Child,
    pub base: String,
    _data: tempfile::TempDir,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_server(extra: &[&str]) -> anyhow::Result<ServerProcess> {
    let data = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(server_binary()?)
        .args(["serve", "--addr", &addr, "--data-dir"])
        .arg(data.path())
        // One load generator on one address is not abuse: measure the API, not the rate limit.
        .args(["--rate-limit", "0"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting julia-server serve")?;
    let server = ServerProcess {
        child,
        base: format!("http://{addr}"),
        _data: data,
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
            && r.status().is_success()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("julia-server did not become ready")
}

/// Latency percentiles in milliseconds.
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
}

fn percentiles(mut samples: Vec<f64>) -> Latency {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Latency {
        p50: at(0.50),
        p99: at(0.99),
    }
}

async fn submit(client: &reqwest::Client, base: &str, params: &Value) -> anyhow::Result<Value> {
    let r = client
        .post(format!("{base}/api/jobs"))
        .json(params)
        .send()
        .await?;
    if !r.status().is_success() {
        bail!(
            "POST /api/jobs answered {}: {}",
            r.status(),
            r.text().await?
        );
    }
    Ok(r.json().await?)
}

async fn wait_status(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    wanted: &str,
) -> anyhow::Result<Value> {
    loop {
        let job: Value = client
            .get(format!("{base}/api/jobs/{id}"))
            .send()
            .await?
            .json()
            .await?;
        let status = job["status"].as_str().unwrap_or_default();
        if status == wanted {
            return Ok(job);
        }
        if matches!(status, "failed" | "canceled" | "done") {
            bail!("job {id} ended {status}, waiting for {wanted}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// p50/p99 of `GET /api/jobs/{id}` and of a dedup-hit `POST`, `n` requests each, sequential.
pub async fn latencies(
    server: &ServerProcess,
    job_params: &Value,
    n: usize,
) -> anyhow::Result<(Latency, Latency)> {
    let client = reqwest::Client::new();
    let job = submit(&client, &server.base, job_params).await?;
    let id = job["id"].as_str().context("job id")?.to_string();
    let mut get = Vec::with_capacity(n);
    let mut post = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = client
            .get(format!("{}/api/jobs/{id}", server.base))
            .send()
            .await?;
        r.bytes().await?;
        get.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let r = client
            .post(format!("{}/api/jobs", server.base))
            .json(job_params)
            .send()
            .await?;
        if r.status() != 200 {
            bail!("dedup POST answered {}", r.status());
        }
        r.bytes().await?;
        post.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok((percentiles(get), percentiles(post)))
}

/// Starts `count` distinct renders, each big enough to keep its worker busy for the whole
/// measurement, and waits until all run (one per worker); returns their ids.
pub async fn start_load(server: &ServerProcess, count: usize) -> anyhow::Result<Vec<String>> {
    let client = reqwest::Client::new();
    let mut ids = Vec::with_capacity(count);
    for k in 0..count {
        let heavy = json!({"width": 8192, "height": 8192, "max_iter": 20000, "view_width": 0.5,
                           "c": {"re": -0.8 + k as f64 * 1e-3, "im": 0.156}, "format": "png"});
        let job = submit(&client, &server.base, &heavy).await?;
        ids.push(job["id"].as_str().context("job id")?.to_string());
    }
    for id in &ids {
        wait_status(&client, &server.base, id, "running").await?;
    }
    Ok(ids)
}

/// Names of the GPU adapters the server renders on (`GET /api/info`).
pub async fn gpu_names(server: &ServerProcess) -> anyhow::Result<Vec<String>> {
    let info: Value = reqwest::get(format!("{}/api/info", server.base))
        .await?
        .json()
        .await?;
    Ok(info["backends"]["gpus"]
        .as_array()
        .map(|gpus| {
            gpus.iter()
                .filter_map(|g| g["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

pub async fn cancel(server: &ServerProcess, id: &str) -> anyhow::Result<()> {
    reqwest::Client::new()
        .post(format!("{}/api/jobs/{id}/cancel", server.base))
        .send()
        .await?;
    Ok(())
}

/// The 1024×768 renders of the cached re-request benchmark: (description, params). A cached
/// request costs the same whatever the render, so its speed-up is the render's time over it: one
/// light render (the reference view at 500 iterations) and one final-quality render (the Douady
/// rabbit, whose filled interior runs every sample to 20000 iterations, 2×2 supersampled).
pub fn cached_rerequest_renders() -> [(&'static str, Value); 2] {
    [
        (
            "reference view, 500 iterations",
            json!({"width": 1024, "height": 768, "max_iter": 500}),
        ),
        (
            "Douady rabbit (c = -0.123+0.745i), 20000 iterations, supersample 2",
            json!({"width": 1024, "height": 768, "max_iter": 20000, "supersample": 2,
                   "c": {"re": -0.123, "im": 0.745}}),
        ),
    ]
}

/// (first render: POST → done → result downloaded, cached: dedup POST + download, best of 20),
/// in seconds.
pub async fn cached_rerequest(
    server: &ServerProcess,
    params: &Value,
) -> anyhow::Result<(f64, f64)> {
    let client = reqwest::Client::new();
    let t = Instant::now();
    let job = submit(&client, &server.base, params).await?;
    let id = job["id"].as_str().context("job id")?;
    wait_status(&client, &server.base, id, "done").await?;
    let first = client
        .get(format!("{}/api/jobs/{id}/result", server.base))
        .send()
        .await?
        .bytes()
        .await?;
    let fresh = t.elapsed().as_secs_f64();
    let mut best = f64::INFINITY;
    for _ in 0..20 {
        let t = Instant::now();
        let job = submit(&client, &server.base, params).await?;
        let url = job["result_url"]
            .as_str()
            .context("result_url on a done job")?;
        let bytes = client
            .get(format!("{}{url}", server.base))
            .send()
            .await?
            .bytes()
            .await?;
        best = best.min(t.elapsed().as_secs_f64());
        if bytes != first {
            bail!("the cached result differs from the first download");
        }
    }
    Ok((fresh, best))
}

/// Jobs per second end to end for `n` distinct 64×64 renders submitted back to back.
pub async fn small_job_throughput(server: &ServerProcess, n: usize) -> anyhow::Result<f64> {
    let client = reqwest::Client::new();
    let t = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for k in 0..n {
        let params = json!({"width": 64, "height": 64, "max_iter": 200,
                            "c": {"re": -0.8 + k as f64 * 1e-4, "im": 0.156}});
        let job = submit(&client, &server.base, &params).await?;
        ids.push(job["id"].as_str().context("job id")?.to_string());
    }
    for id in &ids {
        wait_status(&client, &server.base, id, "done").await?;
    }
    Ok(n as f64 / t.elapsed().as_secs_f64())
}

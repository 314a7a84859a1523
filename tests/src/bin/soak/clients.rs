//! The soak's clients: each loops over a weighted mix of what real users do (submit new and
//! repeated jobs, poll, download, list, cancel, watch the event stream), with a short think time,
//! until the deadline; one observer follows the event stream for the whole run. Every answer goes
//! into the ledger; a refused connection (a process is down) is counted and retried later.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};

use crate::ledger::Ledger;

/// What every client task shares.
pub struct Shared {
    pub base: String,
    pub http: reqwest::Client,
    pub ledger: Mutex<Ledger>,
}

impl Shared {
    pub fn new(base: String) -> Shared {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(2))
            .pool_max_idle_per_host(8)
            .build()
            .expect("HTTP client");
        Shared {
            base,
            http,
            ledger: Mutex::new(Ledger::default()),
        }
    }

    pub fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().expect("ledger lock")
    }

    /// Sends a request; the status and body, recorded in the ledger. `None` when no answer came.
    async fn call(&self, op: &'static str, req: reqwest::RequestBuilder) -> Option<(u16, Vec<u8>)> {
        let started = Instant::now();
        let answer = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                resp.bytes().await.ok().map(|b| (status, b.to_vec()))
            }
            Err(_) => None,
        };
        let millis = started.elapsed().as_secs_f64() * 1e3;
        match &answer {
            Some((status, body)) => {
                let what = String::from_utf8_lossy(&body[..body.len().min(200)]).to_string();
                self.ledger().answer(op, *status, millis, &what);
            }
            None => self.ledger().no_answer(),
        }
        answer
    }
}

/// A deterministic xorshift generator, one per client.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The path that cancels a job.
fn cancel_request(shared: &Shared, id: &str) -> reqwest::RequestBuilder {
    shared
        .http
        .post(format!("{}/api/jobs/{id}/cancel", shared.base))
}

/// Parameters of a new job: mostly light, one in six heavy enough (about a second on one core)
/// that renders are often in flight when a kill lands.
fn random_params(rng: &mut Rng) -> Value {
    let heavy = rng.below(6) == 0;
    let (width, height, max_iter) = if heavy {
        (384, 288, 3000 + rng.below(5000))
    } else {
        (
            48 + rng.below(112),
            48 + rng.below(80),
            100 + rng.below(1500),
        )
    };
    let palettes = ["viridis", "magma", "twilight", "turbo"];
    json!({
        "width": width,
        "height": height,
        "c": {"re": -0.8 + rng.unit() * 0.05, "im": 0.156 + rng.unit() * 0.05},
        "view_width": if heavy { 1.0 } else { 3.0 },
        "max_iter": max_iter,
        "palette": palettes[rng.below(palettes.len() as u64) as usize],
        "format": if rng.below(10) == 0 { "npy" } else { "png" },
    })
}

/// One client until `until`.
pub async fn client_loop(shared: Arc<Shared>, seed: u64, until: Instant) {
    let mut rng = Rng::new(seed);
    let mut mine: Vec<(String, Value)> = Vec::new();
    while Instant::now() < until {
        let roll = rng.below(100);
        match roll {
            0..=11 => submit(&shared, random_params(&mut rng), &mut mine).await,
            12..=16 if !mine.is_empty() => {
                let params = mine[rng.below(mine.len() as u64) as usize].1.clone();
                submit(&shared, params, &mut mine).await;
            }
            17..=56 if !mine.is_empty() => {
                let id = mine[rng.below(mine.len() as u64) as usize].0.clone();
                poll_and_download(&shared, &id).await;
            }
            57..=61 if !mine.is_empty() => {
                let id = mine[rng.below(mine.len() as u64) as usize].0.clone();
                cancel(&shared, &id).await;
            }
            62..=64 => {
                watch_events(&shared, Duration::from_secs(2)).await;
            }
            _ => list(&shared).await,
        }
        tokio::time::sleep(Duration::from_millis(100 + rng.below(300))).await;
    }
}

async fn submit(shared: &Shared, params: Value, mine: &mut Vec<(String, Value)>) {
    let req = shared
        .http
        .post(format!("{}/api/jobs", shared.base))
        .json(&params);
    let Some((status, body)) = shared.call("submit", req).await else {
        return;
    };
    if status == 200 || status == 202 {
        let job: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        shared.ledger().acknowledge(&job);
        if let Some(id) = job["id"].as_str() {
            mine.push((id.to_string(), params));
        }
    }
}

async fn poll_and_download(shared: &Shared, id: &str) {
    let req = shared.http.get(format!("{}/api/jobs/{id}", shared.base));
    let Some((200, body)) = shared.call("poll", req).await else {
        return;
    };
    let job: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.ledger().observe(&job);
    if job["status"] == "done" {
        let _ = download(shared, id, &job).await;
    }
}

/// Downloads and checks a done job's result; `Err` says what was wrong with it.
pub async fn download(shared: &Shared, id: &str, job: &Value) -> Result<(), String> {
    let req = shared
        .http
        .get(format!("{}/api/jobs/{id}/result", shared.base));
    let Some((status, body)) = shared.call("download", req).await else {
        return Err("no answer".to_string());
    };
    let magic: &[u8] = if job["params"]["format"] == "npy" {
        b"\x93NUMPY"
    } else {
        b"\x89PNG\r\n\x1a\n"
    };
    let verdict = if status != 200 {
        Err(format!("result answered {status}"))
    } else if !body.starts_with(magic) {
        Err(format!(
            "result of {} bytes is not a valid file",
            body.len()
        ))
    } else {
        Ok(())
    };
    let mut ledger = shared.ledger();
    ledger.downloads += 1;
    if let Err(why) = &verdict {
        ledger.bad_downloads.push(format!("{id}: {why}"));
    }
    verdict
}

async fn cancel(shared: &Shared, id: &str) {
    if let Some(entry) = shared.ledger().acknowledged.get_mut(id) {
        entry.cancel_requested = true;
    }
    shared.call("cancel", cancel_request(shared, id)).await;
}

async fn list(shared: &Shared) {
    let req = shared
        .http
        .get(format!("{}/api/jobs?limit=20", shared.base));
    if let Some((200, body)) = shared.call("list", req).await {
        let jobs: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let mut ledger = shared.ledger();
        for job in jobs.as_array().into_iter().flatten() {
            ledger.observe(job);
        }
    }
}

/// Reads the event stream for up to `span`, observing every job it carries; the number of events.
pub async fn watch_events(shared: &Shared, span: Duration) -> u64 {
    let started = Instant::now();
    let resp = shared
        .http
        .get(format!("{}/api/events", shared.base))
        .timeout(span + Duration::from_secs(5))
        .send()
        .await;
    let resp = match resp {
        Ok(resp) => resp,
        Err(_) => {
            shared.ledger().no_answer();
            return 0;
        }
    };
    let status = resp.status().as_u16();
    let millis = started.elapsed().as_secs_f64() * 1e3;
    shared
        .ledger()
        .answer("events", status, millis, "event stream");
    if status != 200 {
        return 0;
    }
    shared.ledger().sse_streams += 1;
    let mut stream = resp.bytes_stream();
    let mut pending = String::new();
    let mut events = 0;
    let deadline = tokio::time::Instant::now() + span.saturating_sub(started.elapsed());
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        pending.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            let data = event.lines().find_map(|l| l.strip_prefix("data:"));
            if let Some(Ok(job)) = data.map(|d| serde_json::from_str::<Value>(d.trim())) {
                events += 1;
                shared.ledger().observe(&job);
            }
        }
    }
    shared.ledger().sse_events += events;
    events
}

/// Follows the event stream until `until`, reconnecting after every restart.
pub async fn observer(shared: Arc<Shared>, until: Instant) {
    while Instant::now() < until {
        let left = until.saturating_duration_since(Instant::now());
        if watch_events(&shared, left).await == 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Running renders right now (best effort; `0` when the service does not answer).
pub async fn running_renders(shared: &Shared) -> usize {
    let req = shared
        .http
        .get(format!("{}/api/jobs?limit=100", shared.base));
    match shared.call("list", req).await {
        Some((200, body)) => serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .map(|jobs| jobs.iter().filter(|j| j["status"] == "running").count())
            .unwrap_or(0),
        _ => 0,
    }
}

//! `julia-server render --server URL`: the same parameters rendered by a remote julia-server.
//!
//! The merged parameters go to `POST /api/jobs` as they are (the server validates them against
//! its own limits and names bad fields as it does for every client); progress comes from the
//! server's event stream (`GET /api/events`), or from polling the job when the stream is
//! unavailable; the result is downloaded through the same temporary-file-then-rename path as a
//! local render. Plain `http://` only: this build carries no TLS stack.

use std::path::Path;
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use futures::StreamExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Map, Value};

use super::{Stop, progress_bar, write_atomically};

/// Time between two looks at the job when polling.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// Connection set-up limit; a render itself may take as long as it takes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Renders `params` on the server at `base` into `output`.
pub(super) fn render_remote(
    base: &str,
    api_key: Option<&str>,
    params: &Map<String, Value>,
    output: &Path,
) -> Result<(), Stop> {
    let base = base.trim_end_matches('/');
    if !base.starts_with("http://") {
        return Err(Stop::bad_input(format!(
            "invalid `server`: {base} must be an http:// URL (this build speaks plain HTTP)"
        )));
    }
    let (runtime, remote) = Remote::connect(base, api_key)?;
    let started = Instant::now();
    let job = runtime.block_on(remote.submit_and_wait(params))?;
    remote.save(&runtime, &format!("/api/jobs/{}/result", job.id), output)?;
    println!(
        "{}: {} on {base} ({}{}) in {:.2} s",
        output.display(),
        job.describe(),
        job.device,
        if job.deduplicated {
            ", an existing job"
        } else {
            ""
        },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What the CLI needs of a Job.
struct JobState {
    id: String,
    status: String,
    progress: f64,
    height: u64,
    width: u64,
    format: String,
    device: String,
    deduplicated: bool,
    error: String,
}

impl JobState {
    fn from_json(job: &Value) -> Result<JobState, Stop> {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let id = text(&job["id"]);
        if id.is_empty() {
            return Err(Stop::failed(format!(
                "the server answered something that is not a job: {job}"
            )));
        }
        Ok(JobState {
            id,
            status: text(&job["status"]),
            progress: job["progress"].as_f64().unwrap_or(0.0),
            width: job["params"]["width"].as_u64().unwrap_or(0),
            height: job["params"]["height"].as_u64().unwrap_or(0),
            format: text(&job["params"]["format"]),
            device: match job["device"].as_str() {
                Some(device) => device.to_string(),
                None => text(&job["backend"]),
            },
            deduplicated: job["deduplicated"].as_bool().unwrap_or(false),
            error: format!(
                "{}: {}",
                text(&job["error"]["code"]),
                text(&job["error"]["message"])
            ),
        })
    }

    fn finished(&self) -> bool {
        matches!(self.status.as_str(), "done" | "failed" | "canceled")
    }

    fn describe(&self) -> String {
        format!("{}x{} {}", self.width, self.height, self.format)
    }
}

pub(crate) struct Remote {
    pub(crate) base: String,
    http: Client,
}

impl Remote {
    pub(crate) fn new(base: &str, api_key: Option<&str>) -> Result<Remote, Stop> {
        let mut headers = HeaderMap::new();
        if let Some(key) = api_key.filter(|k| !k.is_empty()) {
            let value = HeaderValue::from_str(&format!("Bearer {key}"))
                .map_err(|_| Stop::bad_input("invalid `api-key`: not a valid header value"))?;
            headers.insert(AUTHORIZATION, value);
        }
        let http = Client::builder()
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| Stop::failed(format!("cannot start the HTTP client: {e}")))?;
        Ok(Remote {
            base: base.to_string(),
            http,
        })
    }

    /// A client for `base` and the single-threaded runtime the CLI drives it with.
    pub(crate) fn connect(
        base: &str,
        api_key: Option<&str>,
    ) -> Result<(tokio::runtime::Runtime, Remote), Stop> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Stop::failed(format!("cannot start the HTTP client: {e}")))?;
        Ok((runtime, Remote::new(base, api_key)?))
    }

    /// Streams the body of `GET path` into `output`, through a temporary file.
    pub(crate) fn save(
        &self,
        runtime: &tokio::runtime::Runtime,
        path: &str,
        output: &Path,
    ) -> Result<(), Stop> {
        write_atomically(output, |out| {
            runtime.block_on(async {
                let mut response = self.get(path).await?;
                while let Some(chunk) = response.chunk().await.map_err(|e| self.unreachable(e))? {
                    out.write_all(&chunk).map_err(|e| {
                        Stop::failed(format!("writing {} failed: {e}", output.display()))
                    })?;
                }
                Ok(())
            })
        })
    }

    pub(crate) fn unreachable(&self, err: reqwest::Error) -> Stop {
        Stop::failed(format!("cannot reach {}: {err}", self.base))
    }

    /// An answer of 400 or more becomes the server's error message; 400 and 422 are input to fix.
    pub(crate) async fn checked(&self, response: Response) -> Result<Response, Stop> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let error = &body["error"];
        let message = match (error["message"].as_str(), error["field"].as_str()) {
            (Some(message), Some(field)) => format!("invalid `{field}`: {message}"),
            (Some(message), None) => message.to_string(),
            _ => format!("the server answered {status}"),
        };
        let message = format!("{}: {message}", self.base);
        Err(match status {
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => Stop::bad_input(message),
            _ => Stop::failed(message),
        })
    }

    /// POSTs `body` as JSON to `path` (and `query`); an error answer becomes [`Stop`].
    pub(crate) async fn post_json(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: &Value,
    ) -> Result<Response, Stop> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .query(query)
            .json(body)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        self.checked(response).await
    }

    pub(crate) async fn get(&self, path: &str) -> Result<Response, Stop> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        self.checked(response).await
    }

    async fn job(&self, id: &str) -> Result<JobState, Stop> {
        let job: Value = self
            .get(&format!("/api/jobs/{id}"))
            .await?
            .json()
            .await
            .map_err(|e| self.unreachable(e))?;
        JobState::from_json(&job)
    }

    /// Submits, then follows the job until it is done; a failed or canceled job is an error.
    async fn submit_and_wait(&self, params: &Map<String, Value>) -> Result<JobState, Stop> {
        let body = Value::Object(params.clone());
        let submitted: Value = self
            .post_json("/api/jobs", &[], &body)
            .await?
            .json()
            .await
            .map_err(|e| self.unreachable(e))?;
        let mut job = JobState::from_json(&submitted)?;
        let bar = progress_bar(u32::try_from(job.height).unwrap_or(u32::MAX));
        let show = |job: &JobState| {
            if let Some(bar) = &bar {
                bar.set_position((job.progress * job.height as f64).round() as u64);
            }
        };
        if !job.finished() {
            let deduplicated = job.deduplicated;
            job = match self.follow_events(&job.id, &show).await {
                Some(finished) => finished,
                None => self.poll(&job.id, &show).await?,
            };
            job.deduplicated = deduplicated;
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        match job.status.as_str() {
            "done" => Ok(job),
            _ => Err(Stop::failed(format!(
                "the job {} on {} {}: {}",
                job.id, self.base, job.status, job.error
            ))),
        }
    }

    /// Follows the event stream until the job finishes; `None` when the stream is unavailable or
    /// breaks (the caller polls instead).
    async fn follow_events(&self, id: &str, show: &impl Fn(&JobState)) -> Option<JobState> {
        let response = self
            .http
            .get(format!("{}/api/events", self.base))
            .header("accept", "text/event-stream")
            .send()
            .await
            .ok()?;
        let is_stream = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !response.status().is_success() || !is_stream {
            return None;
        }
        // Subscribed: a change before this look is seen by it, any later one as an event.
        let job = self.job(id).await.ok()?;
        show(&job);
        if job.finished() {
            return Some(job);
        }
        let mut events = response.bytes_stream().eventsource();
        while let Some(event) = events.next().await {
            let event = event.ok()?;
            if event.event != "job" {
                continue;
            }
            let Ok(value) = serde_json::from_str::<Value>(&event.data) else {
                continue;
            };
            if value["id"].as_str() != Some(id) {
                continue;
            }
            let job = JobState::from_json(&value).ok()?;
            show(&job);
            if job.finished() {
                return Some(job);
            }
        }
        None
    }

    async fn poll(&self, id: &str, show: &impl Fn(&JobState)) -> Result<JobState, Stop> {
        loop {
            let job = self.job(id).await?;
            show(&job);
            if job.finished() {
                return Ok(job);
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
}

//! Prometheus metrics: the recorder, the queue gauges refreshed at scrape time, and the HTTP
//! latency middleware (labelled by the matched route, never the raw path, so ids do not explode
//! the label set).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use time::OffsetDateTime;

use crate::store::QueueStats;
use julia_api_types::JobStatus;

pub mod names;

use names::{
    ATTEMPT_FAILURES, DEDUP_HITS, GPU_FALLBACKS, HTTP_DURATION, JOBS, JOBS_PRUNED,
    OLDEST_QUEUED_AGE, QUEUE_DEPTH, QUEUE_REJECTIONS, RECOLOURED_JOBS, RENDER_DURATION,
    RENDERED_SAMPLES,
};

/// Installs the global recorder (once per process) and returns the handle that renders the
/// Prometheus text.
pub fn install() -> Result<PrometheusHandle, metrics_exporter_prometheus::BuildError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(RENDER_DURATION.to_string()),
            &[
                0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0,
            ],
        )?
        .set_buckets_for_metric(
            Matcher::Full(HTTP_DURATION.to_string()),
            &[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
            ],
        )?
        .install_recorder()?;
    metrics::describe_gauge!(
        QUEUE_DEPTH,
        "Jobs waiting in the queue (the autoscaling signal)"
    );
    metrics::describe_gauge!(OLDEST_QUEUED_AGE, "Age of the oldest queued job in seconds");
    metrics::describe_gauge!(JOBS, "Jobs by status");
    metrics::describe_histogram!(RENDER_DURATION, "Render time per job by backend");
    metrics::describe_counter!(GPU_FALLBACKS, "Jobs a GPU failure moved to the CPU");
    metrics::describe_histogram!(HTTP_DURATION, "HTTP request latency by route");
    metrics::describe_counter!(DEDUP_HITS, "Submissions answered with an existing job");
    metrics::describe_counter!(
        QUEUE_REJECTIONS,
        "Submissions refused because the queue was full"
    );
    metrics::describe_counter!(
        JOBS_PRUNED,
        "Finished jobs deleted after the retention period"
    );
    metrics::describe_counter!(
        ATTEMPT_FAILURES,
        "Attempts that failed for a passing reason (storage) and went back to the queue"
    );
    metrics::describe_counter!(
        RENDERED_SAMPLES,
        "Escape samples iterated by renders (a recoloured job adds none)"
    );
    metrics::describe_counter!(
        RECOLOURED_JOBS,
        "Jobs coloured from stored escape data without a render"
    );
    // Present from the first scrape, so dashboards and alerts see a zero rather than nothing.
    metrics::counter!(GPU_FALLBACKS).increment(0);
    metrics::counter!(DEDUP_HITS).increment(0);
    metrics::counter!(QUEUE_REJECTIONS).increment(0);
    metrics::counter!(JOBS_PRUNED).increment(0);
    metrics::counter!(RENDERED_SAMPLES).increment(0);
    metrics::counter!(RECOLOURED_JOBS).increment(0);
    Ok(handle)
}

/// Sets the queue gauges from fresh store statistics.
pub fn record_queue(stats: &QueueStats) {
    metrics::gauge!(QUEUE_DEPTH).set(stats.count(JobStatus::Queued) as f64);
    for status in JobStatus::ALL {
        metrics::gauge!(JOBS, "status" => status.as_str()).set(stats.count(status) as f64);
    }
    let age = stats.oldest_queued_at.map_or(0.0, |t| {
        (OffsetDateTime::now_utc() - t).as_seconds_f64().max(0.0)
    });
    metrics::gauge!(OLDEST_QUEUED_AGE).set(age);
}

/// The method as a label: the standard methods by name, anything else `_OTHER`, so junk methods
/// cannot add label values (series that live for ever).
fn method_label(method: &Method) -> String {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    if KNOWN.contains(method) {
        method.as_str().to_string()
    } else {
        "_OTHER".to_string()
    }
}

/// Records the latency of every routed request.
pub async fn track_http(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}

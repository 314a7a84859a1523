//! Every metric name the server records, in one table, so that a name is written once and a
//! dashboard can be checked against this file. The GPU fallback counter is render-gpu's (it is
//! counted there); the table re-uses its name.

pub const QUEUE_DEPTH: &str = "julia_queue_depth";
pub const OLDEST_QUEUED_AGE: &str = "julia_queue_oldest_age_seconds";
pub const JOBS: &str = "julia_jobs";
pub const RENDER_DURATION: &str = "julia_render_duration_seconds";
pub const GPU_FALLBACKS: &str = render_gpu::render_backend::GPU_FALLBACKS_METRIC;
pub const HTTP_DURATION: &str = "julia_http_request_duration_seconds";
pub const DEDUP_HITS: &str = "julia_dedup_hits_total";
pub const QUEUE_REJECTIONS: &str = "julia_queue_full_rejections_total";
pub const JOBS_PRUNED: &str = "julia_jobs_pruned_total";
pub const ATTEMPT_FAILURES: &str = "julia_attempt_failures_total";
pub const RESULT_EVICTIONS: &str = "julia_result_evictions_total";
pub const RENDERED_SAMPLES: &str = "julia_rendered_samples_total";
pub const RECOLOURED_JOBS: &str = "julia_recoloured_jobs_total";

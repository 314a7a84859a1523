//! Per-client rate limit of writes (submit, cancel): a GCRA limiter (`governor`) keyed by the
//! caller's API key identity, else by its address, answering `429` + `Retry-After`. Behind a
//! reverse proxy every client shares the proxy's address, so limit there or use keys.
//!
//! Keys that have not written for a while are forgotten every minute, so a flood of addresses
//! costs memory only for as long as it lasts.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::auth::Caller;
use super::error::ApiError;
use super::state::AppState;

/// How often idle per-client state is dropped.
const FORGET_EVERY: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct ClientLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl ClientLimiter {
    /// `per_sec` writes a second sustained, `burst` at once; `None` when `per_sec` is 0.
    pub fn new(per_sec: u32, burst: u32) -> Option<ClientLimiter> {
        let rate = NonZeroU32::new(per_sec)?;
        let burst = NonZeroU32::new(burst).unwrap_or(rate);
        Some(ClientLimiter {
            limiter: Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            )),
        })
    }

    /// `Ok` when `client` may write now, else the whole seconds until it may.
    pub fn check(&self, client: &str) -> Result<(), u32> {
        self.limiter
            .check_key(&client.to_string())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                u32::try_from(wait.as_secs() + 1).unwrap_or(u32::MAX)
            })
    }

    /// Drops idle clients' state, periodically, for as long as the limiter lives.
    pub fn spawn_forgetting(&self) -> tokio::task::JoinHandle<()> {
        let limiter = Arc::downgrade(&self.limiter);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FORGET_EVERY);
            loop {
                tick.tick().await;
                let Some(limiter) = limiter.upgrade() else {
                    return;
                };
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        })
    }
}

/// Limits writes per client; reads and probes pass.
pub async fn limit_writes(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let Some(limiter) = &app.rate_limiter else {
        return next.run(req).await;
    };
    if !matches!(*req.method(), Method::POST | Method::DELETE) {
        return next.run(req).await;
    }
    let identity = req
        .extensions()
        .get::<Caller>()
        .and_then(|caller| caller.identity().map(|id| format!("key:{id}")));
    let client = identity.or_else(|| {
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| format!("ip:{}", addr.ip()))
    });
    match client.map(|client| limiter.check(&client)) {
        Some(Err(retry_after)) => ApiError::too_many_requests(retry_after).into_response(),
        _ => next.run(req).await,
    }
}

//! Retrying PostgreSQL calls through connection trouble: a restarting or unreachable database
//! makes a call wait and try again for a few seconds instead of failing at once.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::store::{StoreError, StoreResult};

/// How long one call keeps retrying a connection failure (a restarting database) before it
/// reports the error to its caller.
const RETRY_FOR: Duration = Duration::from_secs(4);

/// Runs `op`, retrying for up to [`RETRY_FOR`] while the database is unreachable or restarting.
/// Every operation is safe to repeat: a write whose commit was lost is either redone or, being
/// fenced, refused.
pub(super) async fn retry<T, F, Fut>(mut op: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let started = Instant::now();
    let mut delay = Duration::from_millis(50);
    loop {
        match op().await {
            Err(StoreError::Database(err))
                if is_transient(&err) && started.elapsed() < RETRY_FOR =>
            {
                tracing::debug!(%err, "transient database error; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(1));
            }
            other => return other,
        }
    }
}

/// Connection trouble, a restarting server, or a serialisation conflict: worth another try.
fn is_transient(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P0x: admin shutdown / crash shutdown / starting up;
            // 40001 / 40P01: serialisation failure / deadlock.
            code.starts_with("08") || code.starts_with("57P0") || code == "40001" || code == "40P01"
        }),
        _ => false,
    }
}

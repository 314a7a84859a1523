//! The HTTP/1.1 server: our own accept loop over hyper, because `axum::serve` has no timer and so
//! no header timeout. Each connection must send a request's headers within the header timeout
//! (hyper's `header_read_timeout`, which also bounds an idle keep-alive connection), may stall a
//! write for at most [`WRITE_STALL`] (a client that stops reading an event stream or a download
//! is dropped), and counts against `--max-connections`: at the limit the loop stops accepting
//! until a connection closes, so excess clients wait in the kernel's backlog instead of costing
//! memory. Shutdown is graceful: idle connections close, in-flight requests finish, bounded.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;
use tower::Layer;

use crate::config::HttpLimits;

/// How long a write may stay blocked on a client that does not read before the connection is
/// dropped. Long enough for any live client on a slow link; event streams send a keep-alive
/// every 15 s, so a vanished reader is noticed within a minute or so.
pub const WRITE_STALL: Duration = Duration::from_secs(60);

/// After shutdown begins, how long in-flight requests may still run.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Pause after a failed `accept` (out of file descriptors, say), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until `shutdown` resolves, then closes gracefully.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &HttpLimits,
    shutdown: impl Future<Output = ()>,
) {
    let connections = Arc::new(Semaphore::new(
        limits.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!(%err, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let mut io = TimeoutStream::new(stream);
        io.set_write_timeout(Some(WRITE_STALL));
        let service = TowerToHyperService::new(
            axum::Extension(ConnectInfo::<SocketAddr>(remote)).layer(router.clone()),
        );
        let connection =
            graceful.watch(builder.serve_connection(TokioIo::new(Box::pin(io)), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%remote, %err, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace period; closing them");
    }
}

//! Opening the SQLite store: WAL mode, one writer connection and a pool of readers, migrations,
//! and the re-queueing of jobs a previous process left `running`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::{broadcast, watch};

use super::SqliteStore;
use crate::store::StoreResult;

/// How many job events a slow SSE client may fall behind before it skips some.
const EVENT_BUFFER: usize = 1024;

impl SqliteStore {
    /// Opens (creating if needed) the database, runs migrations and re-queues orphaned jobs.
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode survives a killed process (only power loss can drop the last
            // commits), which is the failure this store promises to survive.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        let requeued = sqlx::query(
            "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL, backend = NULL,
                 device = NULL, lease_owner = NULL, lease_expires_at = NULL
             WHERE status = 'running'",
        )
        .execute(&writer)
        .await?
        .rows_affected();
        if requeued > 0 {
            tracing::info!(
                requeued,
                "re-queued jobs that were running when the last process stopped"
            );
        }
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let (work, _) = watch::channel(0);
        Ok(SqliteStore {
            writer,
            reader,
            events,
            work,
        })
    }
}

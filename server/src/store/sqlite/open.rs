//! Opening the SQLite store: WAL mode, one writer connection and a pool of readers, migrations,
//! and the recovery of jobs a previous process left `running` (re-queued, or failed once out of
//! tries: a job that kills its process fails after `max_attempts` restarts instead of for ever).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::{broadcast, watch};

use super::{SqliteStore, now_micros};
use crate::store::animations::SqlAnimations;
use crate::store::attempts::Sql;
use crate::store::{StoreOptions, StoreResult};
use julia_api_types::JobStatus;

/// How many job events a slow SSE client may fall behind before it skips some.
const EVENT_BUFFER: usize = 1024;

impl SqliteStore {
    /// Opens (creating if needed) the database, runs migrations and recovers orphaned jobs.
    pub async fn open(url: &str, store_options: StoreOptions) -> StoreResult<SqliteStore> {
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
        let max_attempts = i64::from(store_options.max_attempts.max(1));
        let recover = format!(
            "UPDATE jobs SET {} WHERE status = 'running' RETURNING status",
            Sql {
                max: "?1",
                now: "?2"
            }
            .give_back_set(None)
        );
        let recovered: Vec<String> = sqlx::query_scalar(&recover)
            .bind(max_attempts)
            .bind(now_micros())
            .fetch_all(&writer)
            .await?;
        let failed = recovered
            .iter()
            .filter(|status| *status == JobStatus::Failed.as_str())
            .count();
        let requeued = recovered.len() - failed;
        if requeued > 0 {
            tracing::info!(
                requeued,
                "re-queued jobs that were running when the last process stopped"
            );
        }
        if failed > 0 {
            tracing::warn!(
                failed,
                max_attempts,
                "failed jobs that were running when the last process stopped and had no tries left"
            );
        }
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let (work, _) = watch::channel(0);
        Ok(SqliteStore {
            animations: SqlAnimations::sqlite(writer.clone()),
            writer,
            reader,
            events,
            work,
            max_attempts,
        })
    }
}

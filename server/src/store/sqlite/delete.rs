//! `JobStore::delete` for SQLite: cancel (published, so the worker stops at once), then remove the
//! row and count the jobs that still name its hash, in one write transaction.

use uuid::Uuid;

use super::{SqliteStore, job_from_row};
use crate::store::{Deleted, JobStore, StoreResult};

pub(super) async fn delete(store: &SqliteStore, id: Uuid) -> StoreResult<Deleted> {
    store.cancel(id).await?;
    let mut tx = store.writer.begin().await?;
    let row = sqlx::query("DELETE FROM jobs WHERE id = ? RETURNING *")
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Ok(Deleted::NotFound);
    };
    let job = job_from_row(&row)?;
    let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE hash = ?")
        .bind(&job.hash)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Deleted::Deleted {
        job: Box::new(job),
        hash_in_use: others > 0,
    })
}

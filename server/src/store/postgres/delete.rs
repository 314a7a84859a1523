//! `JobStore::delete` for PostgreSQL: cancel, then remove the row and count the jobs that still
//! name its hash in one transaction. The cancel is also published in this process at once: the
//! notification's relay would find the row already gone. Workers of other processes notice the
//! deletion at their next fenced write (the heartbeat).

use uuid::Uuid;

use super::{PostgresStore, job_from_row, retry};
use crate::store::{Canceled, Deleted, JobStore, StoreResult};

pub(super) async fn delete(store: &PostgresStore, id: Uuid) -> StoreResult<Deleted> {
    if let Canceled::Canceled(job) = store.cancel(id).await? {
        let _ = store.events.send(job);
    }
    retry(move || async move {
        let mut tx = store.pool.begin().await?;
        let row = sqlx::query("DELETE FROM jobs WHERE id = $1 RETURNING *")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(Deleted::NotFound);
        };
        let job = job_from_row(&row)?;
        let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE hash = $1")
            .bind(&job.hash)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Deleted::Deleted {
            job: Box::new(job),
            hash_in_use: others > 0,
        })
    })
    .await
}

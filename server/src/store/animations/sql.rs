//! The SQL of [`AnimationStore`], written once for both stores. The dialects differ only in how a
//! statement names its parameters (`?1` or `$1`), reads the clock (the process's for SQLite, the
//! database's for PostgreSQL, so leases mean the same on every node) and skips rows another
//! claimer holds; the impl is one macro body instantiated per database, so the code that binds
//! and decodes is the same text for both.

use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::{Database, Pool};
use uuid::Uuid;

use super::row::{
    AnimationRow, CLAIMABLE, FRAME_LOST_SQL, FRAME_NOT_DONE, LOST_MESSAGE, SELECT, corrupt,
};
use super::{
    AnimationInserted, AnimationStore, CanceledAnimation, ClaimedEncode, EncodeOutcome, FRAME_LOST,
    MAX_ENCODE_ATTEMPTS, NewAnimation, StoredAnimation,
};
use crate::store::row::micros;
use crate::store::{StoreError, StoreResult};
use julia_api_types::VideoFormat;

/// Both stores' animation tables, on one pool.
pub(in crate::store) struct SqlAnimations<DB: Database> {
    pool: Pool<DB>,
    dialect: Dialect,
}

#[derive(Clone, Copy)]
struct Dialect {
    /// Parameters are `$1` rather than `?1`.
    dollar: bool,
    /// Now, in Unix microseconds.
    now: &'static str,
    /// Appended to the claim's row lookup.
    skip_locked: &'static str,
}

impl Dialect {
    /// `sql` (written with `?1`-style parameters and `{now}`) in this dialect.
    fn sql(self, sql: &str) -> String {
        let sql = sql.replace("{now}", self.now);
        if self.dollar {
            sql.replace('?', "$")
        } else {
            sql
        }
    }
}

impl SqlAnimations<sqlx::Sqlite> {
    /// On the SQLite store's writer: one connection, so every statement here is serialised.
    pub(in crate::store) fn sqlite(pool: Pool<sqlx::Sqlite>) -> Self {
        let dialect = Dialect {
            dollar: false,
            now: "CAST(unixepoch('subsec') * 1000000 AS INTEGER)",
            skip_locked: "",
        };
        SqlAnimations { pool, dialect }
    }
}

impl SqlAnimations<sqlx::Postgres> {
    pub(in crate::store) fn postgres(pool: Pool<sqlx::Postgres>) -> Self {
        let dialect = Dialect {
            dollar: true,
            now: "julia_now_us()",
            skip_locked: "FOR UPDATE OF a SKIP LOCKED",
        };
        SqlAnimations { pool, dialect }
    }
}

/// The body shared by both databases' impls: `$db` is the sqlx database type.
macro_rules! animation_store {
    ($db:ty) => {
        impl SqlAnimations<$db> {
            async fn fetch(&self, by: &str, key: &str) -> StoreResult<Option<StoredAnimation>> {
                let sql = self.dialect.sql(&format!("{SELECT} WHERE a.{by} = ?1"));
                let row: Option<AnimationRow> = sqlx::query_as(&sql)
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(AnimationRow::into_stored).transpose()
            }

            async fn insert(&self, new: NewAnimation) -> StoreResult<AnimationInserted> {
                let id = Uuid::new_v4().to_string();
                let mut tx = self.pool.begin().await?;
                let sql = self.dialect.sql(
                    "INSERT INTO animations (id, hash, spec, format, width, height, fps,
                        frame_count, owner, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'rendering', {now})
                     ON CONFLICT (hash) DO NOTHING",
                );
                let inserted = sqlx::query(&sql)
                    .bind(&id)
                    .bind(&new.hash)
                    .bind(&new.spec)
                    .bind(new.format.as_str())
                    .bind(i64::from(new.width))
                    .bind(i64::from(new.height))
                    .bind(i64::from(new.fps))
                    .bind(new.frame_hashes.len() as i64)
                    .bind(&new.owner)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1;
                if inserted {
                    let sql = self
                        .dialect
                        .sql("INSERT INTO animation_frames (animation_id, n, hash) VALUES (?1, ?2, ?3)");
                    for (n, hash) in new.frame_hashes.iter().enumerate() {
                        sqlx::query(&sql)
                            .bind(&id)
                            .bind(n as i64)
                            .bind(hash)
                            .execute(&mut *tx)
                            .await?;
                    }
                } else {
                    // Submitted again: a failed or canceled one, or a done one whose video is
                    // gone, renders its missing frames (the caller has just queued them).
                    let sql = self.dialect.sql(
                        "UPDATE animations SET status = 'rendering', finished_at = NULL,
                            error_code = NULL, error_message = NULL, lease_owner = NULL,
                            lease_expires_at = NULL
                         WHERE hash = ?1 AND (status IN ('failed', 'canceled')
                            OR (status = 'done' AND ?2 = 1))",
                    );
                    sqlx::query(&sql)
                        .bind(&new.hash)
                        .bind(i64::from(new.video_missing))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                let stored = self
                    .fetch("hash", &new.hash)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt("an inserted animation is gone".into()))?;
                Ok(if inserted {
                    AnimationInserted::Created(stored)
                } else {
                    AnimationInserted::Existing(stored)
                })
            }

            async fn cancel(&self, id: Uuid) -> StoreResult<Option<CanceledAnimation>> {
                let id = id.to_string();
                let mut tx = self.pool.begin().await?;
                let sql = self.dialect.sql(
                    "UPDATE animations SET status = 'canceled', finished_at = {now},
                        lease_owner = NULL, lease_expires_at = NULL,
                        error_code = 'canceled', error_message = 'the animation was canceled'
                     WHERE id = ?1 AND status IN ('rendering', 'encoding')",
                );
                let canceled = sqlx::query(&sql).bind(&id).execute(&mut *tx).await?.rows_affected();
                let jobs: Vec<(String,)> = if canceled == 0 {
                    Vec::new()
                } else {
                    let sql = self.dialect.sql(
                        "SELECT DISTINCT j.id FROM animation_frames f
                         JOIN jobs j ON j.hash = f.hash AND j.status IN ('queued', 'running')
                         WHERE f.animation_id = ?1 AND NOT EXISTS (
                             SELECT 1 FROM animation_frames g
                             JOIN animations o ON o.id = g.animation_id
                             WHERE g.hash = f.hash AND o.id <> ?1
                                 AND o.status IN ('rendering', 'encoding'))",
                    );
                    sqlx::query_as(&sql).bind(&id).fetch_all(&mut *tx).await?
                };
                tx.commit().await?;
                let Some(stored) = self.fetch("id", &id).await? else {
                    return Ok(None);
                };
                let jobs = jobs
                    .into_iter()
                    .filter_map(|(job,)| Uuid::parse_str(&job).ok())
                    .collect();
                Ok(Some(CanceledAnimation {
                    stored,
                    frame_jobs: jobs,
                }))
            }

            async fn claim(&self, worker: &str, lease: Duration) -> StoreResult<Option<ClaimedEncode>> {
                let mut tx = self.pool.begin().await?;
                let sweep_lost = self.dialect.sql(&format!(
                    "UPDATE animations SET status = 'failed', finished_at = {{now}},
                        error_code = '{FRAME_LOST}', error_message = '{LOST_MESSAGE}'
                     WHERE status = 'rendering' AND {FRAME_LOST_SQL}"
                ));
                sqlx::query(&sweep_lost).execute(&mut *tx).await?;
                let sweep_tries = self.dialect.sql(&format!(
                    "UPDATE animations SET status = 'failed', finished_at = {{now}},
                        error_code = 'too_many_attempts', lease_owner = NULL,
                        error_message = 'the video was claimed ' || attempt
                            || ' times without finishing its encode'
                     WHERE status = 'encoding' AND lease_expires_at < {{now}}
                        AND attempt >= {MAX_ENCODE_ATTEMPTS}"
                ));
                sqlx::query(&sweep_tries).execute(&mut *tx).await?;
                let claim = self.dialect.sql(&format!(
                    "UPDATE animations SET status = 'encoding', attempt = attempt + 1,
                        lease_owner = ?1, lease_expires_at = {{now}} + ?2
                     WHERE id = (SELECT a.id FROM animations a
                            WHERE (a.status = 'rendering' OR (a.status = 'encoding'
                                AND a.lease_expires_at < {{now}}))
                            AND NOT {FRAME_NOT_DONE}
                            ORDER BY a.seq LIMIT 1 {skip})
                        AND {CLAIMABLE}
                     RETURNING id, hash, format, fps, attempt",
                    skip = self.dialect.skip_locked,
                ));
                let row: Option<(String, String, String, i64, i64)> = sqlx::query_as(&claim)
                    .bind(worker)
                    .bind(micros(lease))
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((id, hash, format, fps, token)) = row else {
                    tx.commit().await?;
                    return Ok(None);
                };
                let sql = self
                    .dialect
                    .sql("SELECT hash FROM animation_frames WHERE animation_id = ?1 ORDER BY n");
                let frames: Vec<(String,)> = sqlx::query_as(&sql).bind(&id).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(Some(ClaimedEncode {
                    id: Uuid::parse_str(&id).map_err(|_| corrupt("id", &id))?,
                    hash,
                    format: VideoFormat::parse(&format).ok_or_else(|| corrupt("format", &format))?,
                    fps: u32::try_from(fps).unwrap_or(1),
                    frame_hashes: frames.into_iter().map(|(h,)| h).collect(),
                    token,
                }))
            }

            /// A fenced `UPDATE animations SET <set> WHERE <this claim>`; `?1`, `?2` are the id
            /// and token, `?3` on are `extra`.
            async fn fenced(&self, set: &str, id: Uuid, token: i64, extra: &[i64]) -> StoreResult<bool> {
                let sql = self.dialect.sql(&format!(
                    "UPDATE animations SET {set}
                     WHERE id = ?1 AND attempt = ?2 AND status = 'encoding'"
                ));
                let mut query = sqlx::query(&sql).bind(id.to_string()).bind(token);
                for value in extra {
                    query = query.bind(*value);
                }
                Ok(query.execute(&self.pool).await?.rows_affected() == 1)
            }

            async fn finish(&self, id: Uuid, token: i64, outcome: EncodeOutcome) -> StoreResult<bool> {
                match outcome {
                    EncodeOutcome::Done { video_bytes } => {
                        let set = "status = 'done', finished_at = {now}, video_bytes = ?3,
                            lease_owner = NULL, lease_expires_at = NULL";
                        let bytes = i64::try_from(video_bytes).unwrap_or(i64::MAX);
                        self.fenced(set, id, token, &[bytes]).await
                    }
                    EncodeOutcome::Released => {
                        let set = "status = 'rendering', lease_owner = NULL, lease_expires_at = NULL";
                        self.fenced(set, id, token, &[]).await
                    }
                    EncodeOutcome::Failed(error) => {
                        let sql = self.dialect.sql(
                            "UPDATE animations SET status = 'failed', finished_at = {now},
                                error_code = ?3, error_message = ?4, lease_owner = NULL,
                                lease_expires_at = NULL
                             WHERE id = ?1 AND attempt = ?2 AND status = 'encoding'",
                        );
                        let done = sqlx::query(&sql)
                            .bind(id.to_string())
                            .bind(token)
                            .bind(error.code)
                            .bind(error.message)
                            .execute(&self.pool)
                            .await?;
                        Ok(done.rows_affected() == 1)
                    }
                }
            }
        }

        impl AnimationStore for SqlAnimations<$db> {
            fn insert_animation(
                &self,
                new: NewAnimation,
            ) -> BoxFuture<'_, StoreResult<AnimationInserted>> {
                self.insert(new).boxed()
            }

            fn get_animation(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<StoredAnimation>>> {
                async move { self.fetch("id", &id.to_string()).await }.boxed()
            }

            fn animation_by_hash(
                &self,
                hash: &str,
            ) -> BoxFuture<'_, StoreResult<Option<StoredAnimation>>> {
                let hash = hash.to_string();
                async move { self.fetch("hash", &hash).await }.boxed()
            }

            fn cancel_animation(
                &self,
                id: Uuid,
            ) -> BoxFuture<'_, StoreResult<Option<CanceledAnimation>>> {
                self.cancel(id).boxed()
            }

            fn claim_encode(
                &self,
                worker_id: &str,
                lease: Duration,
            ) -> BoxFuture<'_, StoreResult<Option<ClaimedEncode>>> {
                let worker = worker_id.to_string();
                async move { self.claim(&worker, lease).await }.boxed()
            }

            fn renew_encode(
                &self,
                id: Uuid,
                token: i64,
                lease: Duration,
            ) -> BoxFuture<'_, StoreResult<bool>> {
                async move {
                    let set = "lease_expires_at = {now} + ?3";
                    self.fenced(set, id, token, &[micros(lease)]).await
                }
                .boxed()
            }

            fn prune_animations(&self, older_than: Duration) -> BoxFuture<'_, StoreResult<u64>> {
                async move {
                    let sql = self.dialect.sql(
                        "DELETE FROM animations WHERE status IN ('done', 'failed', 'canceled')
                            AND finished_at < {now} - ?1",
                    );
                    let deleted = sqlx::query(&sql)
                        .bind(micros(older_than))
                        .execute(&self.pool)
                        .await?;
                    Ok(deleted.rows_affected())
                }
                .boxed()
            }

            fn finish_encode(
                &self,
                id: Uuid,
                token: i64,
                outcome: EncodeOutcome,
            ) -> BoxFuture<'_, StoreResult<bool>> {
                self.finish(id, token, outcome).boxed()
            }
        }
    };
}

animation_store!(sqlx::Sqlite);
animation_store!(sqlx::Postgres);

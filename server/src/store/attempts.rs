//! Capped retries in SQL, shared by both stores: the `SET` clauses that claim a job or give it
//! back, failing it with `too_many_attempts` instead once its `tries` reach the cap. Each is one
//! `UPDATE`, so deciding and writing happen atomically on the row.
//!
//! The dialects differ only in how a value is written, so the clauses take SQL expressions:
//! a bound parameter (`?1`, `$3::bigint`) or a function call (`julia_now_us()`).

use super::TOO_MANY_ATTEMPTS;

/// How one statement writes the values the clauses need.
pub(super) struct Sql<'a> {
    /// The cap (an integer).
    pub max: &'a str,
    /// Now, in Unix microseconds.
    pub now: &'a str,
}

impl Sql<'_> {
    fn out_of_tries(&self) -> String {
        format!("tries >= {}", self.max)
    }

    /// The failure message, naming how many claims the job had; `last_error` (an SQL text
    /// expression) says why the last one ended, when known.
    fn message(&self, last_error: Option<&str>) -> String {
        let base = format!(
            "'the job was claimed ' || tries || ' times without finishing (the limit is ' || {} || ' attempts)'",
            self.max
        );
        match last_error {
            Some(error) => format!("{base} || '; the last attempt failed: ' || {error}"),
            None => base,
        }
    }

    /// Claims the row for `owner` until `now + lease`, or fails it when it has no tries left.
    pub fn claim_set(&self, owner: &str, lease: &str) -> String {
        let over = self.out_of_tries();
        let now = self.now;
        format!(
            "status = CASE WHEN {over} THEN 'failed' ELSE 'running' END,
             attempt = CASE WHEN {over} THEN attempt ELSE attempt + 1 END,
             tries = CASE WHEN {over} THEN tries ELSE tries + 1 END,
             progress = 0,
             started_at = CASE WHEN {over} THEN started_at ELSE {now} END,
             finished_at = CASE WHEN {over} THEN {now} ELSE NULL END,
             lease_owner = CASE WHEN {over} THEN NULL ELSE {owner} END,
             lease_expires_at = CASE WHEN {over} THEN NULL ELSE {now} + {lease} END,
             error_code = CASE WHEN {over} THEN '{TOO_MANY_ATTEMPTS}' ELSE NULL END,
             error_message = CASE WHEN {over} THEN {message} ELSE NULL END",
            message = self.message(None),
        )
    }

    /// Gives a running row back after an attempt that did not finish: to the queue (the try
    /// counted), or failed when that was its last try.
    pub fn give_back_set(&self, last_error: Option<&str>) -> String {
        let over = self.out_of_tries();
        let now = self.now;
        format!(
            "status = CASE WHEN {over} THEN 'failed' ELSE 'queued' END,
             progress = CASE WHEN {over} THEN progress ELSE 0 END,
             started_at = CASE WHEN {over} THEN started_at ELSE NULL END,
             finished_at = CASE WHEN {over} THEN {now} ELSE NULL END,
             error_code = CASE WHEN {over} THEN '{TOO_MANY_ATTEMPTS}' ELSE NULL END,
             error_message = CASE WHEN {over} THEN {message} ELSE NULL END,
             backend = NULL, device = NULL, lease_owner = NULL, lease_expires_at = NULL",
            message = self.message(last_error),
        )
    }
}

/// Finished rows are deleted in batches of this many, so a large prune never holds the (SQLite)
/// writer or (PostgreSQL) row locks for long.
pub(super) const PRUNE_BATCH: i64 = 1000;

/// A job row (`jobs`) whose hash is a frame of a rendering or encoding animation: pruning keeps
/// it, or the animation would lose a frame it has already rendered.
pub(super) const FRAME_OF_ACTIVE_ANIMATION: &str = "EXISTS (SELECT 1 FROM animation_frames f
    JOIN animations a ON a.id = f.animation_id
    WHERE f.hash = jobs.hash AND a.status IN ('rendering', 'encoding'))";

/// The statuses a job never leaves (except `done`, by an evicted result's re-queue).
pub(super) const FINISHED: &str = "('done', 'failed', 'canceled')";

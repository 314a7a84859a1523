//! How both stores read an animation: its columns with the frame counts derived from the frames'
//! jobs, and the SQL fragments that decide whether frames are done or lost.

use uuid::Uuid;

use super::{FRAME_LOST, StoredAnimation};
use crate::store::row::from_micros;
use crate::store::{StoreError, StoreResult};
use julia_api_types::{Animation, AnimationStatus, JobError, VideoFormat};

/// An animation's columns and its frame counts.
pub(super) const SELECT: &str =
    "SELECT a.id, a.hash, a.format, a.width, a.height, a.fps, a.frame_count,
        a.owner, a.status, a.created_at, a.finished_at, a.video_bytes, a.error_code,
        a.error_message,
        (SELECT COUNT(*) FROM animation_frames f WHERE f.animation_id = a.id
            AND EXISTS (SELECT 1 FROM jobs j WHERE j.hash = f.hash AND j.status = 'done'))
            AS frames_done,
        (SELECT COUNT(*) FROM animation_frames f WHERE f.animation_id = a.id
            AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.hash = f.hash
                AND j.status IN ('queued', 'running', 'done')))
            AS frames_lost
    FROM animations a";

/// A frame with no done job.
pub(super) const FRAME_NOT_DONE: &str =
    "EXISTS (SELECT 1 FROM animation_frames f WHERE f.animation_id = a.id
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.hash = f.hash AND j.status = 'done'))";

/// A frame with no queued, running or done job.
pub(super) const FRAME_LOST_SQL: &str =
    "EXISTS (SELECT 1 FROM animation_frames f WHERE f.animation_id = animations.id
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.hash = f.hash
            AND j.status IN ('queued', 'running', 'done')))";

/// (A literal in SQL too: no quote marks.)
pub(super) const LOST_MESSAGE: &str = "the job of a frame failed, was canceled or was deleted; submit the \
    animation again to render the missing frames";

/// Claimable: rendering, or encoding under a lease that ran out.
pub(super) const CLAIMABLE: &str =
    "(status = 'rendering' OR (status = 'encoding' AND lease_expires_at < {now}))";

#[derive(sqlx::FromRow)]
pub(super) struct AnimationRow {
    id: String,
    hash: String,
    format: String,
    width: i64,
    height: i64,
    fps: i64,
    frame_count: i64,
    owner: Option<String>,
    status: String,
    created_at: i64,
    finished_at: Option<i64>,
    video_bytes: Option<i64>,
    error_code: Option<String>,
    error_message: Option<String>,
    frames_done: i64,
    frames_lost: i64,
}

pub(super) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("bad animation {what} `{value}`"))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl AnimationRow {
    pub(super) fn into_stored(self) -> StoreResult<StoredAnimation> {
        let id = Uuid::parse_str(&self.id).map_err(|_| corrupt("id", &self.id))?;
        let mut status =
            AnimationStatus::parse(&self.status).ok_or_else(|| corrupt("status", &self.status))?;
        let format =
            VideoFormat::parse(&self.format).ok_or_else(|| corrupt("format", &self.format))?;
        let mut error = self.error_code.map(|code| JobError {
            code,
            message: self.error_message.unwrap_or_default(),
        });
        // A lost frame is seen at once, before a worker's sweep writes it down.
        if status == AnimationStatus::Rendering && self.frames_lost > 0 {
            status = AnimationStatus::Failed;
            error = Some(JobError {
                code: FRAME_LOST.into(),
                message: LOST_MESSAGE.into(),
            });
        }
        let frames = count(self.frame_count);
        let frames_done = count(self.frames_done);
        let dimension = |v: i64| u32::try_from(v).unwrap_or(0);
        let animation = Animation {
            id,
            status,
            hash: self.hash,
            format,
            width: dimension(self.width),
            height: dimension(self.height),
            fps: dimension(self.fps),
            frames,
            frames_done,
            progress: if frames == 0 {
                0.0
            } else {
                frames_done as f64 / frames as f64
            },
            created_at: from_micros(self.created_at)?,
            finished_at: self.finished_at.map(from_micros).transpose()?,
            video_bytes: self.video_bytes.map(count),
            error,
            video_url: (status == AnimationStatus::Done).then(|| Animation::video_path(id)),
            deduplicated: false,
        };
        Ok(StoredAnimation {
            animation,
            owner: self.owner,
        })
    }
}

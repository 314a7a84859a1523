//! Animations in the store (docs/DESIGN.md §8.5): an animation row, its frames by parameter hash,
//! and the claim of its encode, behind one trait that both stores implement with the same SQL
//! ([`sql`]).
//!
//! Frames are ordinary jobs: the API inserts one job per frame (deduplicated by hash like any
//! other), so every worker of every node renders them, a killed worker's frame is re-queued by
//! its lease, and a restart loses nothing. The animation row only names its frames' hashes, in
//! order; a frame is done when a `done` job holds its hash. When every frame is done, a worker
//! claims the encode under a fenced lease (as it claims a render) and streams the frame files to
//! the encoder. An animation whose frame lost its job (failed, canceled, deleted) is `failed`
//! until it is submitted again, which re-queues just the missing frames.

mod row;
mod sql;

pub(super) use sql::SqlAnimations;

use std::time::Duration;

use futures::future::BoxFuture;
use uuid::Uuid;

use super::StoreResult;
use julia_api_types::{Animation, JobError, VideoFormat};

/// Encodes of one animation that may end without finishing before it fails.
pub const MAX_ENCODE_ATTEMPTS: i64 = 3;

/// The error code of an animation one of whose frames has no live job.
pub const FRAME_LOST: &str = "frame_failed";

/// An animation to store; its frame jobs are already inserted.
#[derive(Clone, Debug)]
pub struct NewAnimation {
    pub hash: String,
    /// The spec as submitted (defaults filled in), JSON.
    pub spec: String,
    pub format: VideoFormat,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Every frame's parameter hash, in order.
    pub frame_hashes: Vec<String>,
    pub owner: Option<String>,
    /// A `done` animation with this hash has lost its video (the disk budget): render and encode
    /// it again.
    pub video_missing: bool,
}

/// An animation as stored, with its frame counts.
#[derive(Clone, Debug)]
pub struct StoredAnimation {
    pub animation: Animation,
    /// Who submitted it (as a job's owner).
    pub owner: Option<String>,
}

/// What `insert_animation` did.
#[derive(Clone, Debug)]
pub enum AnimationInserted {
    Created(StoredAnimation),
    /// The same animation existed; a failed or canceled one is rendering again.
    Existing(StoredAnimation),
}

/// What `cancel_animation` did.
#[derive(Clone, Debug)]
pub struct CanceledAnimation {
    /// The animation as it now is (`canceled`, or as it was if it had already finished).
    pub stored: StoredAnimation,
    /// Its frames' queued or running jobs that no other active animation uses, for the caller to
    /// cancel as jobs (empty unless this call canceled it).
    pub frame_jobs: Vec<Uuid>,
}

/// An encode a worker now holds.
#[derive(Clone, Debug)]
pub struct ClaimedEncode {
    pub id: Uuid,
    pub hash: String,
    pub format: VideoFormat,
    pub fps: u32,
    /// Every frame's parameter hash, in order.
    pub frame_hashes: Vec<String>,
    /// The fencing token every later write names.
    pub token: i64,
}

/// How an encode ended.
#[derive(Clone, Debug)]
pub enum EncodeOutcome {
    /// The video is stored under the animation's hash.
    Done {
        video_bytes: u64,
    },
    Failed(JobError),
    /// The worker is shutting down: back to `rendering`, for another worker to encode.
    Released,
}

/// The animation half of a store.
pub trait AnimationStore: Send + Sync {
    /// Stores a new animation, or returns the one with the same hash, reviving it (back to
    /// `rendering`) when it had failed or been canceled, or is done but `video_missing`.
    fn insert_animation(&self, new: NewAnimation) -> BoxFuture<'_, StoreResult<AnimationInserted>>;

    fn get_animation(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<StoredAnimation>>>;

    fn animation_by_hash(&self, hash: &str) -> BoxFuture<'_, StoreResult<Option<StoredAnimation>>>;

    /// Cancels a rendering or encoding animation; `None` when there is no such animation.
    fn cancel_animation(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<CanceledAnimation>>>;

    /// Claims the oldest animation whose frames are all done and that nobody is encoding (or
    /// whose encoder's lease ran out). On the way, fails animations that lost a frame and
    /// encodes that were claimed [`MAX_ENCODE_ATTEMPTS`] times without finishing.
    fn claim_encode(
        &self,
        worker_id: &str,
        lease: Duration,
    ) -> BoxFuture<'_, StoreResult<Option<ClaimedEncode>>>;

    /// Renews an encode's lease; `false` when the claim is no longer valid (canceled, reclaimed).
    fn renew_encode(
        &self,
        id: Uuid,
        token: i64,
        lease: Duration,
    ) -> BoxFuture<'_, StoreResult<bool>>;

    /// Deletes done, failed and canceled animations that finished more than `older_than` ago (their
    /// frame rows with them); returns how many. Videos are left to the disk budget.
    fn prune_animations(&self, older_than: Duration) -> BoxFuture<'_, StoreResult<u64>>;

    /// Ends an encode; `false` (and no change) when the claim is no longer valid.
    fn finish_encode(
        &self,
        id: Uuid,
        token: i64,
        outcome: EncodeOutcome,
    ) -> BoxFuture<'_, StoreResult<bool>>;
}

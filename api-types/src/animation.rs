//! The Animation record (docs/DESIGN.md §8.5): a video job whose frames are ordinary render jobs,
//! as the API, the OpenAPI document and the web UI see it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::JobError;

/// Where an animation is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AnimationStatus {
    /// Its frames are queued or rendering, as jobs, on every worker.
    Rendering,
    /// Every frame is done; one worker is encoding the video.
    Encoding,
    Done,
    Failed,
    Canceled,
}

impl AnimationStatus {
    pub const ALL: [AnimationStatus; 5] = [
        AnimationStatus::Rendering,
        AnimationStatus::Encoding,
        AnimationStatus::Done,
        AnimationStatus::Failed,
        AnimationStatus::Canceled,
    ];

    /// The name used in JSON and in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            AnimationStatus::Rendering => "rendering",
            AnimationStatus::Encoding => "encoding",
            AnimationStatus::Done => "done",
            AnimationStatus::Failed => "failed",
            AnimationStatus::Canceled => "canceled",
        }
    }

    pub fn parse(name: &str) -> Option<AnimationStatus> {
        AnimationStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
    }

    /// Rendering or encoding: it can still be canceled.
    pub const fn is_active(self) -> bool {
        matches!(self, AnimationStatus::Rendering | AnimationStatus::Encoding)
    }
}

/// The container and codec of an animation's video.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum VideoFormat {
    /// H.264 in MP4.
    #[default]
    Mp4,
    /// VP9 in WebM.
    Webm,
}

impl VideoFormat {
    pub const fn as_str(self) -> &'static str {
        match self {
            VideoFormat::Mp4 => "mp4",
            VideoFormat::Webm => "webm",
        }
    }

    pub fn parse(name: &str) -> Option<VideoFormat> {
        [VideoFormat::Mp4, VideoFormat::Webm]
            .into_iter()
            .find(|f| f.as_str() == name)
    }

    pub const fn mime_type(self) -> &'static str {
        match self {
            VideoFormat::Mp4 => "video/mp4",
            VideoFormat::Webm => "video/webm",
        }
    }
}

/// An animation as clients see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Animation {
    pub id: Uuid,
    pub status: AnimationStatus,
    /// Names the video and keys dedup: a hash of the format, the frame rate and every frame's
    /// parameter hash, in order.
    pub hash: String,
    pub format: VideoFormat,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Frames in the video.
    pub frames: u64,
    /// Frames rendered so far (their jobs are done).
    pub frames_done: u64,
    /// 0.0 ..= 1.0: the frames' share, the last step being the encode.
    pub progress: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Size of the finished video in bytes.
    pub video_bytes: Option<u64>,
    pub error: Option<JobError>,
    /// Where the finished video is (only when `done`).
    pub video_url: Option<String>,
    /// True on the `200` answer to a POST that matched an existing animation.
    #[serde(default)]
    pub deduplicated: bool,
}

impl Animation {
    pub fn location(id: Uuid) -> String {
        format!("/api/animations/{id}")
    }

    pub fn video_path(id: Uuid) -> String {
        format!("/api/animations/{id}/video")
    }
}

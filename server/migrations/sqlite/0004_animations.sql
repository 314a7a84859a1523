-- Animations (docs/DESIGN.md §8.5): a video whose frames are ordinary jobs. A frame is named by
-- its parameter hash, not a job id, so whichever live job holds that hash (a re-queue, a job
-- another animation or user submitted) is the frame. `attempt` fences the encode claim as a
-- job's does its render. Times are Unix microseconds (UTC).
CREATE TABLE animations (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    hash             TEXT    NOT NULL UNIQUE,
    spec             TEXT    NOT NULL,
    format           TEXT    NOT NULL CHECK (format IN ('mp4', 'webm')),
    width            INTEGER NOT NULL,
    height           INTEGER NOT NULL,
    fps              INTEGER NOT NULL,
    frame_count      INTEGER NOT NULL,
    owner            TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('rendering', 'encoding', 'done', 'failed', 'canceled')),
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    video_bytes      INTEGER,
    error_code       TEXT,
    error_message    TEXT,
    attempt          INTEGER NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_expires_at INTEGER
);

CREATE TABLE animation_frames (
    animation_id TEXT    NOT NULL REFERENCES animations (id) ON DELETE CASCADE,
    n            INTEGER NOT NULL,
    hash         TEXT    NOT NULL,
    PRIMARY KEY (animation_id, n)
);

CREATE INDEX animation_frames_hash ON animation_frames (hash);
CREATE INDEX animations_active ON animations (status, seq);
-- Frame progress looks jobs up by hash whatever their status.
CREATE INDEX jobs_hash ON jobs (hash);

-- Animations (docs/DESIGN.md §8.5): a video whose frames are ordinary jobs. A frame is named by
-- its parameter hash, not a job id, so whichever live job holds that hash (a re-queue, a job
-- another animation or user submitted) is the frame. `attempt` fences the encode claim as a
-- job's does its render. Times are Unix microseconds from the database's clock.
CREATE TABLE animations (
    seq              BIGSERIAL PRIMARY KEY,
    id               TEXT      NOT NULL UNIQUE,
    hash             TEXT      NOT NULL UNIQUE,
    spec             TEXT      NOT NULL,
    format           TEXT      NOT NULL CHECK (format IN ('mp4', 'webm')),
    width            BIGINT    NOT NULL,
    height           BIGINT    NOT NULL,
    fps              BIGINT    NOT NULL,
    frame_count      BIGINT    NOT NULL,
    owner            TEXT,
    status           TEXT      NOT NULL CHECK (status IN ('rendering', 'encoding', 'done', 'failed', 'canceled')),
    created_at       BIGINT    NOT NULL DEFAULT julia_now_us(),
    finished_at      BIGINT,
    video_bytes      BIGINT,
    error_code       TEXT,
    error_message    TEXT,
    attempt          BIGINT    NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_expires_at BIGINT
);

CREATE TABLE animation_frames (
    animation_id TEXT   NOT NULL REFERENCES animations (id) ON DELETE CASCADE,
    n            BIGINT NOT NULL,
    hash         TEXT   NOT NULL,
    PRIMARY KEY (animation_id, n)
);

CREATE INDEX animation_frames_hash ON animation_frames (hash);
CREATE INDEX animations_active ON animations (seq) WHERE status IN ('rendering', 'encoding');
-- Frame progress looks jobs up by hash whatever their status.
CREATE INDEX jobs_hash ON jobs (hash);

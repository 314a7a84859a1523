//! `julia-server animate --server URL`: the same spec rendered by a remote julia-server's
//! workers as an animation job (docs/DESIGN.md §8.5). The spec goes to `POST /api/animations` as
//! it is (the server validates it against its own limits); its frames are followed by polling,
//! with a bar of frames on a terminal; the video is downloaded through a temporary file and
//! renamed into place. Plain `http://` only, as for `render --server`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::animation::OutputKind;
use crate::cli::render::Stop;
use crate::cli::render::remote::Remote;

/// Time between two looks at the animation.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Renders the spec `text` on the server at `base` into `output`; the summary line on success.
pub(super) fn animate_remote(
    base: &str,
    api_key: Option<&str>,
    text: &str,
    output: &Path,
    kind: OutputKind,
) -> Result<String, Stop> {
    let base = base.trim_end_matches('/');
    if !base.starts_with("http://") {
        return Err(Stop::bad_input(format!(
            "invalid `server`: {base} must be an http:// URL (this build speaks plain HTTP)"
        )));
    }
    let format = match kind {
        OutputKind::Mp4 => "mp4",
        OutputKind::Webm => "webm",
        OutputKind::PngFrames => {
            return Err(Stop::bad_input(
                "invalid `output`: a server makes .mp4 or .webm videos, not folders of frames",
            ));
        }
    };
    let spec: Value = serde_json::from_str(text)
        .map_err(|e| Stop::bad_input(format!("malformed JSON in the spec: {e}")))?;
    let (runtime, remote) = Remote::connect(base, api_key)?;
    let started = Instant::now();
    let animation = runtime.block_on(async {
        let answer = remote
            .post_json("/api/animations", &[("format", format)], &spec)
            .await?;
        let submitted: Value = answer.json().await.map_err(|e| remote.unreachable(e))?;
        follow(&remote, submitted).await
    })?;
    let id = animation["id"].as_str().unwrap_or_default();
    remote.save(&runtime, &format!("/api/animations/{id}/video"), output)?;
    let existing = if animation["deduplicated"].as_bool() == Some(true) {
        ", an existing animation"
    } else {
        ""
    };
    Ok(format!(
        "{}: {} frames {}x{} at {} fps on {base}{existing}, in {:.2} s",
        output.display(),
        animation["frames"],
        animation["width"],
        animation["height"],
        animation["fps"],
        started.elapsed().as_secs_f64()
    ))
}

/// Polls the animation until it finishes; a failed or canceled one is an error. The answer keeps
/// the submission's `deduplicated`.
async fn follow(remote: &Remote, submitted: Value) -> Result<Value, Stop> {
    let Some(id) = submitted["id"].as_str().map(str::to_string) else {
        return Err(Stop::failed(format!(
            "the server answered something that is not an animation: {submitted}"
        )));
    };
    let bar = super::progress_bar(submitted["frames"].as_u64().unwrap_or(0));
    let mut now = submitted.clone();
    while matches!(now["status"].as_str(), Some("rendering" | "encoding")) {
        if let Some(bar) = &bar {
            bar.set_position(now["frames_done"].as_u64().unwrap_or(0));
        }
        tokio::time::sleep(POLL_INTERVAL).await;
        now = remote
            .get(&format!("/api/animations/{id}"))
            .await?
            .json()
            .await
            .map_err(|e| remote.unreachable(e))?;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if now["status"] != "done" {
        return Err(Stop::failed(format!(
            "{}: the animation {}: {}: {}",
            remote.base,
            now["status"].as_str().unwrap_or("ended"),
            now["error"]["code"].as_str().unwrap_or_default(),
            now["error"]["message"].as_str().unwrap_or_default()
        )));
    }
    now["deduplicated"] = submitted["deduplicated"].clone();
    Ok(now)
}

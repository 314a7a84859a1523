//! The video panel: mark the current view as a keyframe, set when the video reaches it, reorder
//! or remove keyframes, preview the path in the page, submit it as an animation, follow its frames
//! and play the finished video here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use render_core::RenderParams;
use uuid::Uuid;

use crate::animation::{KeyframeEntry, VideoFormat, check, play_path, spec_json};
use crate::connection::ServerLink;
use crate::depth::depth_label;
use julia_api_types::{Animation, AnimationStatus};

/// Seconds between one keyframe and the next one added.
const SECONDS_PER_KEYFRAME: f64 = 3.0;
/// How often a submitted animation is asked about.
const POLL_MS: u64 = 1000;
/// The sizes offered, 16:9.
const SIZES: [(u32, u32); 3] = [(640, 360), (1280, 720), (1920, 1080)];

#[component]
pub fn AnimationPanel(view: RwSignal<RenderParams>, link: ServerLink) -> impl IntoView {
    let keyframes = RwSignal::new(Vec::<KeyframeEntry>::new());
    let size = RwSignal::new(0usize);
    let fps = RwSignal::new(30u32);
    let message = RwSignal::new(String::new());
    let playing = RwSignal::new(false);
    let animation = RwSignal::new(None::<Animation>);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let link = StoredValue::new_local(link);

    let format = move || {
        let (width, height) = SIZES[size.get().min(SIZES.len() - 1)];
        VideoFormat {
            width,
            height,
            fps: fps.get(),
        }
    };
    let add = move |_| {
        keyframes.update(|list| {
            let t = list.last().map_or(0.0, |k| k.t + SECONDS_PER_KEYFRAME);
            list.push(KeyframeEntry {
                t,
                view: view.get_untracked(),
            });
        });
    };
    let preview = move |_| {
        let spec = spec_json(&keyframes.get_untracked(), format());
        match check(&spec) {
            Err(why) => message.set(why),
            Ok(spec) => {
                let Some(canvas) = canvas.get_untracked() else {
                    return;
                };
                message.set(format!("Previewing {} frames", spec.frame_count()));
                playing.set(true);
                play_path(spec, canvas, move || playing.set(false));
            }
        }
    };
    let submit = move |_| {
        let spec = spec_json(&keyframes.get_untracked(), format());
        if let Err(why) = check(&spec) {
            message.set(why);
            return;
        }
        message.set("Submitting…".into());
        let link = link.get_value();
        spawn_local(async move {
            match link.api().submit_animation(&spec).await {
                Ok(submitted) => {
                    let id = submitted.id;
                    message.set(describe(&submitted));
                    animation.set(Some(submitted));
                    follow(link, id, animation, message);
                }
                Err(err) => message.set(err.to_string()),
            }
        });
    };
    let video_url = Memo::new(move |_| {
        let done = animation
            .get()
            .filter(|a| a.status == AnimationStatus::Done)?;
        let path = done.video_url?;
        Some(link.with_value(|l| l.api().resolve(&path)))
    });

    view! {
        <section class="animation" aria-label="Video">
            <h2>"Video"</h2>
            <button type="button" class="add-keyframe" on:click=add>
                "Add this view as a keyframe"
            </button>
            <ol class="keyframes">
                <For
                    each=move || keyframes.get().into_iter().enumerate()
                    key=|(i, k)| (*i, k.t.to_bits(), k.view.view_width.to_bits())
                    children=move |(i, k)| keyframe_row(i, k, keyframes)
                />
            </ol>
            <div class="video-format">
                <label>
                    "Size "
                    <select on:change=move |ev| {
                        size.set(event_target_value(&ev).parse().unwrap_or(0))
                    }>
                        {SIZES
                            .iter()
                            .enumerate()
                            .map(|(i, (w, h))| view! { <option value=i.to_string()>{format!("{w}×{h}")}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    "fps "
                    <input type="number" class="fps" min="1" max="60" prop:value=move || fps.get().to_string()
                        on:change=move |ev| fps.set(event_target_value(&ev).parse().unwrap_or(30))/>
                </label>
            </div>
            <div class="actions">
                <button type="button" class="preview-path" on:click=preview
                    disabled=move || playing.get() || keyframes.with(|k| k.len() < 2)>
                    "Preview path"
                </button>
                <button type="button" class="make-video" on:click=submit
                    disabled=move || keyframes.with(|k| k.len() < 2)>
                    "Make video"
                </button>
            </div>
            <canvas class="path-preview" node_ref=canvas width="192" height="108"></canvas>
            <p class="animation-status" role="status">{move || message.get()}</p>
            <Show when=move || video_url.get().is_some()>
                <video class="animation-video" controls=true autoplay=true muted=true loop=true
                    playsinline=true src=move || video_url.get().unwrap_or_default()></video>
            </Show>
        </section>
    }
}

/// One keyframe: its time (editable), its depth, and buttons to move or remove it. Moving swaps
/// the views and keeps the times in their places, so times stay increasing.
fn keyframe_row(
    i: usize,
    k: KeyframeEntry,
    keyframes: RwSignal<Vec<KeyframeEntry>>,
) -> impl IntoView {
    let swap = move |a: usize, b: usize| {
        keyframes.update(|list| {
            if a < list.len() && b < list.len() {
                let view = list[a].view.clone();
                list[a].view = std::mem::replace(&mut list[b].view, view);
            }
        })
    };
    let set_t = move |ev| {
        if let Ok(t) = event_target_value(&ev).parse::<f64>() {
            keyframes.update(|list| list[i].t = t);
        }
    };
    view! {
        <li class="keyframe">
            <label>
                "t "
                <input type="number" class="keyframe-t" min="0" step="0.5" prop:value=k.t.to_string()
                    on:change=set_t/>
                " s"
            </label>
            <span class="keyframe-width">{format!("width {}", depth_label(&k.view))}</span>
            <button type="button" class="keyframe-up" aria-label="Move up" on:click=move |_| swap(i, i.wrapping_sub(1))>"↑"</button>
            <button type="button" class="keyframe-down" aria-label="Move down" on:click=move |_| swap(i, i + 1)>"↓"</button>
            <button type="button" class="keyframe-remove" aria-label="Remove"
                on:click=move |_| keyframes.update(|list| { list.remove(i); })>"✕"</button>
        </li>
    }
}

/// What the user is told about `animation`.
fn describe(animation: &Animation) -> String {
    match animation.status {
        AnimationStatus::Rendering => format!(
            "Rendering frames: {} / {}",
            animation.frames_done, animation.frames
        ),
        AnimationStatus::Encoding => "Encoding the video…".into(),
        AnimationStatus::Done => {
            format!("Done: {} frames at {} fps", animation.frames, animation.fps)
        }
        AnimationStatus::Failed | AnimationStatus::Canceled => format!(
            "The video {}: {}",
            animation.status.as_str(),
            animation.error.as_ref().map_or("", |e| e.message.as_str())
        ),
    }
}

/// Asks about animation `id` every second until it finishes.
fn follow(
    link: ServerLink,
    id: Uuid,
    animation: RwSignal<Option<Animation>>,
    message: RwSignal<String>,
) {
    set_timeout(
        move || {
            spawn_local(async move {
                match link.api().animation(id).await {
                    Ok(now) => {
                        let active = now.status.is_active();
                        message.set(describe(&now));
                        animation.set(Some(now));
                        if active {
                            follow(link, id, animation, message);
                        }
                    }
                    Err(err) => {
                        message.set(err.to_string());
                        follow(link, id, animation, message);
                    }
                }
            })
        },
        std::time::Duration::from_millis(POLL_MS),
    );
}

//! Colour without re-rendering (issue 15 item 6): the colour mapping and offset controls, and the
//! stage of a finished job coloured in the page from its escape data (`GET …/escapes`, downloaded
//! once per job), so palette, mapping and offset changes show at once without a request.

use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::task::spawn_local;
use render_core::encode::EscapesReader;
use render_core::{Colorizer, ColourMapping, EscapeSample, ImageStats, RenderParams, escapes_hash};
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, ImageData};

use crate::api_key::ApiAuth;
use crate::connection::ServerLink;
use crate::history::ViewHistory;
use crate::job::Job;

/// The mapping select and, for `cyclic`, the offset slider.
#[component]
pub fn ColourControls(view: RwSignal<RenderParams>, history: ViewHistory) -> impl IntoView {
    let history = StoredValue::new_local(history);
    let edit = move |change: &dyn Fn(&mut RenderParams)| {
        view.update(|v| change(v));
        history.with_value(|h| {
            h.record(&view.get_untracked());
            h.end_gesture();
        });
    };
    let on_mapping = move |ev: leptos::ev::Event| {
        if let Some(mapping) = ColourMapping::from_name(&event_target_value(&ev)) {
            edit(&|v| v.colour_mapping = mapping);
        }
    };
    let on_offset = move |ev: leptos::ev::Event| {
        if let Ok(x) = event_target_value(&ev).parse::<f64>()
            && (0.0..1.0).contains(&x)
        {
            edit(&|v| v.colour_offset = x);
        }
    };
    view! {
        <div class="field">
            <label for="colour-mapping">"Colour mapping"</label>
            <select id="colour-mapping" on:change=on_mapping
                prop:value=move || view.with(|v| v.colour_mapping.name())>
                {ColourMapping::ALL
                    .into_iter()
                    .map(|m| view! { <option value=m.name()>{m.name()}</option> })
                    .collect_view()}
            </select>
        </div>
        <Show when=move || view.with(|v| v.colour_mapping == ColourMapping::Cyclic)>
            <div class="field">
                <label for="colour-offset">"Colour offset"</label>
                <input id="colour-offset" type="range" min="0" max="0.99" step="0.01"
                    prop:value=move || view.with(|v| v.colour_offset.to_string())
                    on:input=on_offset/>
            </div>
        </Show>
    }
}

/// A finished job's escape data, as the page holds it.
struct Escapes {
    job: Job,
    samples: Rc<Vec<EscapeSample>>,
}

/// The selected finished job, coloured in the page in the view's palette, mapping and offset for
/// as long as the view shows the same place (the same escape data).
#[component]
pub fn RecolourStage(
    selected: RwSignal<Option<Job>>,
    view: RwSignal<RenderParams>,
    link: ServerLink,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let loaded = RwSignal::new(None::<uuid::Uuid>);
    let problem = RwSignal::new(None::<String>);
    let escapes = StoredValue::new_local(None::<Escapes>);
    let link = StoredValue::new_local(link);

    // Download the escape data once per selected job.
    Effect::new(move |_| {
        let Some(job) = selected.get() else { return };
        if escapes.with_value(|e| e.as_ref().is_some_and(|e| e.job.id == job.id)) {
            return;
        }
        problem.set(None);
        let url = link.with_value(|l| l.api().resolve(&format!("/api/jobs/{}/escapes", job.id)));
        spawn_local(async move {
            match download(&url)
                .await
                .and_then(|bytes| read_samples(&job.params, &bytes))
            {
                Ok(samples) => {
                    let id = job.id;
                    escapes.set_value(Some(Escapes {
                        job,
                        samples: Rc::new(samples),
                    }));
                    loaded.set(Some(id));
                }
                Err(err) => problem.set(Some(format!("Cannot colour this job here: {err}"))),
            }
        });
    });

    // Colour it again on every change of the view's colouring.
    let shown = move || {
        let id = loaded.get()?;
        let current = view.get();
        escapes.with_value(|e| {
            let e = e.as_ref().filter(|e| e.job.id == id)?;
            let same_place = escapes_hash(&current) == escapes_hash(&e.job.params);
            same_place.then(|| (recoloured(&e.job.params, &current), Rc::clone(&e.samples)))
        })
    };
    Effect::new(move |_| {
        let Some((params, samples)) = shown() else {
            return;
        };
        let Some(canvas) = canvas.get() else { return };
        let rgba = colour(&params, &samples);
        if let Err(err) = draw(&canvas, &rgba, params.width, params.height) {
            leptos::logging::warn!("drawing the recoloured job failed: {err:?}");
        }
        let _ = canvas.set_attribute("data-palette", params.palette.name());
        let _ = canvas.set_attribute("data-colour-mapping", params.colour_mapping.name());
    });

    view! {
        <Show when=move || selected.with(Option::is_some)>
            <section class="recolour" aria-label="Finished job">
                <canvas node_ref=canvas class="recoloured" aria-label="Finished job, coloured here"
                    data-job-id=move || loaded.get().map(|id| id.to_string()).unwrap_or_default()
                    hidden=move || shown().is_none()></canvas>
                <Show when=move || loaded.get().is_some() && shown().is_none()>
                    <p class="hint">"The view moved away from this job: Render to see it."</p>
                </Show>
                {move || problem.get().map(|text| view! { <p class="problem">{text}</p> })}
            </section>
        </Show>
    }
}

/// `job`'s parameters in the colouring of `view`.
fn recoloured(job: &RenderParams, view: &RenderParams) -> RenderParams {
    RenderParams {
        palette: view.palette,
        colour_mapping: view.colour_mapping,
        colour_offset: view.colour_offset,
        ..job.clone()
    }
    .normalized()
}

/// RGBA of the whole image: the same colourer the server's renders use.
pub fn colour(params: &RenderParams, samples: &[EscapeSample]) -> Vec<u8> {
    let mut stats = ImageStats::new(params.max_iter);
    if params.colour_mapping.needs_image_stats() {
        stats.add(samples);
    }
    let mut rgba = Vec::new();
    Colorizer::with_stats(params, &stats).colour_band(samples, params.height, &mut rgba);
    rgba
}

/// Every sample of an escape file, checked against the job's shape.
pub fn read_samples(params: &RenderParams, bytes: &[u8]) -> Result<Vec<EscapeSample>, String> {
    let mut reader = EscapesReader::new(bytes).map_err(|e| e.to_string())?;
    let ss = params.supersample;
    let (rows, cols) = (params.height * ss, params.width * ss);
    if reader.shape() != (rows, cols) {
        return Err(format!(
            "escape data of {:?} samples, expected {rows}×{cols}",
            reader.shape()
        ));
    }
    let mut samples = vec![EscapeSample::default(); rows as usize * cols as usize];
    reader
        .read_samples(&mut samples)
        .map_err(|e| e.to_string())?;
    Ok(samples)
}

/// The escape file's bytes (the browser undoes the gzip encoding).
async fn download(url: &str) -> Result<Vec<u8>, String> {
    let mut request = gloo_net::http::Request::get(url);
    if let Some(value) = ApiAuth::from_storage().header() {
        request = request.header("Authorization", &value);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    response.binary().await.map_err(|e| e.to_string())
}

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    rgba: &[u8],
    width: u32,
    height: u32,
) -> Result<(), wasm_bindgen::JsValue> {
    canvas.set_width(width);
    canvas.set_height(height);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .dyn_into()?;
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)?;
    context.put_image_data(&image, 0.0, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use render_core::{CpuSource, Flow, StopFlag, render_to_outputs};

    #[test]
    fn the_page_colours_escape_data_as_the_server_renders_it() {
        let params = RenderParams {
            width: 40,
            height: 30,
            max_iter: 120,
            colour_mapping: ColourMapping::Histogram,
            palette: render_core::Palette::Magma,
            ..RenderParams::default()
        };
        let (mut png, mut escapes) = (Vec::new(), Vec::new());
        render_to_outputs(
            &params,
            &mut CpuSource::new(),
            &mut png,
            Some(&mut escapes),
            &StopFlag::new(),
            &mut |_| Flow::Continue,
        )
        .unwrap();
        let samples = read_samples(&params, &escapes).unwrap();
        let mut decoder = png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; decoder.output_buffer_size().unwrap()];
        decoder.next_frame(&mut pixels).unwrap();
        assert_eq!(colour(&params.normalized(), &samples), pixels);
        let other = RenderParams {
            width: 41,
            ..params
        };
        assert!(read_samples(&other, &escapes).is_err());
    }
}

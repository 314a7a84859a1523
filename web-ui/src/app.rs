//! The page: the view state and its URL, the preview, the controls, Render, and the job list.

use leptos::prelude::*;

use crate::api::Api;
use crate::api_key::ApiAuth;
use crate::components::animation_panel::AnimationPanel;
use crate::components::api_key_field::ApiKeyField;
use crate::components::bookmarks::Bookmarks;
use crate::components::c_picker::CPicker;
use crate::components::colour_controls::ColourControls;
use crate::components::controls::Controls;
use crate::components::gallery::Gallery;
use crate::components::job_list::JobList;
use crate::components::preview_canvas::PreviewCanvas;
use crate::components::render_panel::RenderPanel;
use crate::components::share::Share;
use crate::components::shortcuts::Shortcuts;
use crate::components::stage_result::{StageJob, StageResult};
use crate::components::view_info::{ViewInfo, follow_depth};
use crate::config::ApiBase;
use crate::connection::{ServerLink, ServerState};
use crate::history::ViewHistory;
use crate::job::Job;

#[component]
pub fn App() -> impl IntoView {
    let base = ApiBase::from_page();
    let history = ViewHistory::new(&base);
    let view = RwSignal::new(ViewHistory::current_view());
    let jobs = RwSignal::new(Vec::<Job>::new());
    let server = RwSignal::new(ServerState::Connecting);
    let auth = ApiAuth::from_storage();
    let link = ServerLink::start(Api::new(base, auth), server, jobs);
    let iter_auto = history.iter_auto();
    let stage_job = RwSignal::new(None::<StageJob>);
    follow_depth(view, iter_auto);

    // Back and forward restore the view of that history entry.
    let on_popstate = {
        let history = history.clone();
        move |_| {
            history.end_gesture();
            iter_auto.set(ViewHistory::current_iter_auto());
            view.set(ViewHistory::current_view());
        }
    };
    let popstate = window_event_listener(leptos::ev::popstate, on_popstate);
    on_cleanup(move || popstate.remove());

    view! {
        <header>
            <h1>"Julia sets"</h1>
            <p class="hint">
                "Drag to pan, wheel to zoom, arrows and +/- when the preview has focus. "
                "The preview is computed in your browser; Render makes the full image on the server. "
                "Pick c on the map; press ? for all shortcuts."
            </p>
            <Shortcuts view history=history.clone()/>
        </header>
        <main>
            <div class="stage">
                <div class="stage-frame">
                    <PreviewCanvas view history=history.clone()/>
                    <StageResult view jobs stage_job link=link.clone()/>
                </div>
                <ViewInfo view iter_auto/>
            </div>
            <aside class="side">
                <CPicker view history=history.clone()/>
                <Controls view history=history.clone()/>
                // Render right below the parameters it renders, in sight on a laptop-sized window.
                <RenderPanel view jobs server link=link.clone() stage_job/>
                <ColourControls view history=history.clone()/>
                <AnimationPanel view link=link.clone()/>
                <Share/>
                <Gallery view history=history.clone()/>
                <Bookmarks view history=history.clone()/>
                <ApiKeyField auth/>
            </aside>
        </main>
        <JobList jobs link view history/>
    }
}

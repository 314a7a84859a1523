//! The page: the view state and its URL, the preview, the controls, Render, and the job list.

use leptos::prelude::*;

use crate::api::Api;
use crate::api_key::ApiAuth;
use crate::components::api_key_field::ApiKeyField;
use crate::components::bookmarks::Bookmarks;
use crate::components::colour_controls::ColourControls;
use crate::components::controls::Controls;
use crate::components::gallery::Gallery;
use crate::components::job_list::JobList;
use crate::components::preview_canvas::PreviewCanvas;
use crate::components::render_panel::RenderPanel;
use crate::components::share::Share;
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

    // Back and forward restore the view of that history entry.
    let on_popstate = {
        let history = history.clone();
        move |_| {
            history.end_gesture();
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
                "The preview is computed in your browser; Render makes the full image on the server."
            </p>
        </header>
        <main>
            <div class="stage">
                <PreviewCanvas view history=history.clone()/>
            </div>
            <aside class="side">
                <Controls view history=history.clone()/>
                <ColourControls view history=history.clone()/>
                <Share/>
                <Gallery view history=history.clone()/>
                <Bookmarks view history=history.clone()/>
                <ApiKeyField auth/>
                <RenderPanel view jobs server link=link.clone()/>
            </aside>
        </main>
        <JobList jobs link view history/>
    }
}

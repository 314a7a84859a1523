//! Bookmarks of the user's own views, kept in the browser's local storage as view queries (the
//! same form as the URL), so they survive reloads and restore exactly.

use leptos::prelude::*;
use render_core::RenderParams;
use serde::{Deserialize, Serialize};

use crate::history::ViewHistory;
use crate::url_state::{from_pairs, split_query, to_query};

/// The local-storage entry that holds the bookmarks (JSON).
const STORAGE_ENTRY: &str = "julia-bookmarks";
/// Bookmarks kept at most; the oldest go first.
const MAX_BOOKMARKS: usize = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bookmark {
    pub name: String,
    /// The view, as `url_state::to_query` writes it.
    pub query: String,
}

impl Bookmark {
    pub fn of(view: &RenderParams) -> Bookmark {
        Bookmark {
            name: format!(
                "c = {:.4} {:+.4}i, width {:.3e}",
                view.c.re, view.c.im, view.view_width
            ),
            query: to_query(view, false),
        }
    }

    pub fn view(&self) -> RenderParams {
        from_pairs(split_query(&self.query))
    }
}

/// Adds `bookmark` at the front unless the same view is already kept.
pub fn add(list: &mut Vec<Bookmark>, bookmark: Bookmark) {
    if list.iter().any(|b| b.query == bookmark.query) {
        return;
    }
    list.insert(0, bookmark);
    list.truncate(MAX_BOOKMARKS);
}

fn load() -> Vec<Bookmark> {
    storage()
        .and_then(|s| s.get_item(STORAGE_ENTRY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn save(list: &[Bookmark]) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(list)) {
        let _ = storage.set_item(STORAGE_ENTRY, &text);
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

#[component]
pub fn Bookmarks(view: RwSignal<RenderParams>, history: ViewHistory) -> impl IntoView {
    let history = StoredValue::new_local(history);
    let list = RwSignal::new(load());
    let keep = move |_| {
        list.update(|l| add(l, Bookmark::of(&view.get_untracked())));
        list.with_untracked(|l| save(l));
    };
    view! {
        <section class="bookmarks" aria-label="Bookmarks">
            <h2>"Bookmarks"</h2>
            <button on:click=keep>"Bookmark this view"</button>
            <ul>
                <For each=move || list.get() key=|b| b.query.clone() children=move |b| {
                    let restore = {
                        let b = b.clone();
                        move |_| {
                            let next = b.view();
                            view.set(next.clone());
                            history.with_value(|h| {
                                h.record(&next);
                                h.end_gesture();
                            });
                        }
                    };
                    let query = b.query.clone();
                    let forget = move |_| {
                        list.update(|l| l.retain(|k| k.query != query));
                        list.with_untracked(|l| save(l));
                    };
                    view! {
                        <li>
                            <button class="restore" on:click=restore>{b.name.clone()}</button>
                            <button class="forget" on:click=forget
                                aria-label=format!("Forget {}", b.name)>"×"</button>
                        </li>
                    }
                }/>
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use render_core::Complex;

    #[test]
    fn a_bookmark_restores_its_view_and_is_kept_once() {
        let view = RenderParams {
            c: Complex::new(-0.123, 0.745),
            view_width: 0.25,
            max_iter: 800,
            ..RenderParams::default()
        };
        let mut list = Vec::new();
        add(&mut list, Bookmark::of(&view));
        add(&mut list, Bookmark::of(&view));
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].view(), view);
        let text = serde_json::to_string(&list).unwrap();
        assert_eq!(serde_json::from_str::<Vec<Bookmark>>(&text).unwrap(), list);
    }
}

//! Where the API lives: `?api=http://host:port` in the page's URL, else the `julia-api-base`
//! meta tag of index.html, else the page's own origin. This lets the same built files run behind
//! the server or from any static host.

use leptos::prelude::{document, window};
use wasm_bindgen::JsCast;
use web_sys::{HtmlMetaElement, UrlSearchParams};

use crate::url_state::API_KEY;

/// The API base URL as configured, without a trailing slash; empty means "same origin".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiBase {
    base: String,
    /// Whether it came from the page's query string, and so must stay in it.
    from_query: bool,
}

impl ApiBase {
    /// Reads the configuration of the current page.
    pub fn from_page() -> Self {
        let search = window().location().search().unwrap_or_default();
        let from_query = UrlSearchParams::new_with_str(&search)
            .ok()
            .and_then(|q| q.get(API_KEY))
            .filter(|v| !v.trim().is_empty());
        if let Some(base) = from_query {
            return Self {
                base: base.trim().trim_end_matches('/').to_string(),
                from_query: true,
            };
        }
        let from_meta = document()
            .query_selector("meta[name=julia-api-base]")
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<HtmlMetaElement>().ok())
            .map(|meta| meta.content())
            .unwrap_or_default();
        Self {
            base: from_meta.trim().trim_end_matches('/').to_string(),
            from_query: false,
        }
    }

    /// The absolute or root-relative URL of an API path such as `/api/jobs`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's address for messages: the configured base, or this page's origin.
    pub fn display(&self) -> String {
        if self.base.is_empty() {
            window().location().origin().unwrap_or_default()
        } else {
            self.base.clone()
        }
    }

    /// The `api=` pair to keep in the page URL, if the base came from there.
    pub fn query_pair(&self) -> Option<String> {
        self.from_query.then(|| {
            format!(
                "{API_KEY}={}",
                String::from(js_sys::encode_uri_component(&self.base))
            )
        })
    }
}

//! The API key the page sends as `Authorization: Bearer`, kept in the browser's local storage so
//! it survives reloads, and whether the server (per `GET /api/info`) wants one at all.

use leptos::prelude::*;

/// The local-storage entry that holds the key.
const STORAGE_ENTRY: &str = "julia-api-key";

/// The key and whether it is needed; `Copy`, shared by the API client and the key field.
#[derive(Clone, Copy, Debug)]
pub struct ApiAuth {
    pub key: RwSignal<String>,
    /// The server said it requires keys for writes.
    pub required: RwSignal<bool>,
}

impl ApiAuth {
    /// Starts from the key this browser stored, if any.
    pub fn from_storage() -> Self {
        let stored = storage()
            .and_then(|s| s.get_item(STORAGE_ENTRY).ok().flatten())
            .unwrap_or_default();
        Self {
            key: RwSignal::new(stored),
            required: RwSignal::new(false),
        }
    }

    /// Sets and stores the key (an empty one is forgotten).
    pub fn set_key(&self, key: &str) {
        let key = key.trim().to_string();
        if let Some(storage) = storage() {
            let _ = if key.is_empty() {
                storage.remove_item(STORAGE_ENTRY)
            } else {
                storage.set_item(STORAGE_ENTRY, &key)
            };
        }
        self.key.set(key);
    }

    /// The `Authorization` value to send, if there is a key.
    pub fn header(&self) -> Option<String> {
        let key = self.key.get_untracked();
        (!key.is_empty()).then(|| format!("Bearer {key}"))
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

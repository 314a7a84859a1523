//! The API key field, shown only when the server requires keys for submitting and canceling.

use leptos::prelude::*;

use crate::api_key::ApiAuth;

#[component]
pub fn ApiKeyField(auth: ApiAuth) -> impl IntoView {
    view! {
        <Show when=move || auth.required.get()>
            <div class="field api-key">
                <label for="api-key">"API key"</label>
                <input
                    id="api-key"
                    type="password"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="needed to render here"
                    prop:value=move || auth.key.get()
                    on:change=move |ev| auth.set_key(&event_target_value(&ev))
                />
            </div>
        </Show>
    }
}

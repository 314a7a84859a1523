//! The HTTP API client (docs/DESIGN.md §4): submit, list and cancel jobs, submit and follow
//! animations, and probe the server.

use gloo_net::http::{Request, Response};
use julia_api_types::{Animation, ErrorBody, ServerInfo};
use leptos::prelude::Set;
use render_core::RenderParams;
use uuid::Uuid;

use crate::api_key::ApiAuth;
use crate::config::ApiBase;
use crate::job::Job;

/// Why an API call did not give the expected answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No HTTP answer at all: server down, wrong address, network gone, or no API at that address.
    #[error("Cannot reach the render server at {0}")]
    Unreachable(String),
    /// The server answered with an error document.
    #[error("{message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
}

/// Talks to one render server.
#[derive(Clone, Debug)]
pub struct Api {
    base: ApiBase,
    auth: ApiAuth,
}

impl Api {
    pub fn new(base: ApiBase, auth: ApiAuth) -> Self {
        Self { base, auth }
    }

    pub fn base(&self) -> &ApiBase {
        &self.base
    }

    /// The URL of the live event stream.
    pub fn events_url(&self) -> String {
        self.base.url("/api/events")
    }

    /// An absolute-or-root-relative URL for a path the server handed out (`result_url`).
    pub fn resolve(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            self.base.url(path)
        }
    }

    /// `GET /api/info`: succeeds only if a render server answers there; notes whether it
    /// requires an API key.
    pub async fn probe(&self) -> Result<(), ApiError> {
        let response = self.send(Request::get(&self.base.url("/api/info"))).await?;
        let info: ServerInfo = self.parse(response).await?;
        self.auth.required.set(info.auth.keys_required);
        Ok(())
    }

    /// `POST /api/jobs`, superseding `replaces` if given.
    pub async fn submit(
        &self,
        params: &RenderParams,
        replaces: Option<Uuid>,
    ) -> Result<Job, ApiError> {
        let mut url = self.base.url("/api/jobs");
        if let Some(id) = replaces {
            url.push_str(&format!("?replaces={id}"));
        }
        self.post_json(&url, params).await
    }

    /// `GET /api/jobs?limit=N`, newest first.
    pub async fn list(&self, limit: usize) -> Result<Vec<Job>, ApiError> {
        let url = format!("{}?limit={limit}", self.base.url("/api/jobs"));
        let response = self.send(Request::get(&url)).await?;
        self.parse(response).await
    }

    /// `POST /api/jobs/{id}/cancel`.
    pub async fn cancel(&self, id: Uuid) -> Result<Job, ApiError> {
        let url = self.base.url(&format!("/api/jobs/{id}/cancel"));
        let response = self.send(Request::post(&url)).await?;
        self.parse(response).await
    }

    /// `POST /api/animations`: a video of `spec` (the JSON of docs/DESIGN.md §8.1) as MP4.
    pub async fn submit_animation(&self, spec: &serde_json::Value) -> Result<Animation, ApiError> {
        self.post_json(&self.base.url("/api/animations"), spec)
            .await
    }

    /// `GET /api/animations/{id}`.
    pub async fn animation(&self, id: Uuid) -> Result<Animation, ApiError> {
        let url = self.base.url(&Animation::location(id));
        let response = self.send(Request::get(&url)).await?;
        self.parse(response).await
    }

    /// POSTs `body` as JSON to `url` and decodes the answer.
    async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, ApiError> {
        let request = self
            .authorized(Request::post(url))
            .json(body)
            .map_err(|e| self.unreachable_because(&e))?;
        let response = request
            .send()
            .await
            .map_err(|e| self.unreachable_because(&e))?;
        self.parse(response).await
    }

    /// Adds the API key, if the page has one.
    fn authorized(
        &self,
        request: gloo_net::http::RequestBuilder,
    ) -> gloo_net::http::RequestBuilder {
        match self.auth.header() {
            Some(value) => request.header("Authorization", &value),
            None => request,
        }
    }

    async fn send(&self, request: gloo_net::http::RequestBuilder) -> Result<Response, ApiError> {
        self.authorized(request)
            .send()
            .await
            .map_err(|e| self.unreachable_because(&e))
    }

    /// Decodes a success body, or turns an error answer into `Rejected`. An answer that is not the
    /// API's JSON (a static host's 404 page) means there is no render server at this address.
    async fn parse<T: serde::de::DeserializeOwned>(
        &self,
        response: Response,
    ) -> Result<T, ApiError> {
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| self.unreachable_because(&e))?;
        if response.ok() {
            return serde_json::from_str(&text).map_err(|e| self.unreachable_because(&e));
        }
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => Err(ApiError::Rejected {
                status,
                code: body.error.code,
                message: match body.error.field {
                    Some(field) if !field.is_empty() => {
                        format!("{} (field `{field}`)", body.error.message)
                    }
                    _ => body.error.message,
                },
            }),
            Err(_) => Err(self.unreachable_because(&format!("HTTP {status}"))),
        }
    }

    fn unreachable_because(&self, why: &dyn std::fmt::Display) -> ApiError {
        leptos::logging::warn!("render server at {}: {why}", self.base.display());
        ApiError::Unreachable(self.base.display())
    }
}

//! Security headers of the web UI: a Content-Security-Policy, `nosniff`, no framing, no referrer.
//!
//! Trunk starts the app with one inline `<script type="module">` in `index.html` whose text names
//! the hashed bundle, so it changes with every build. The policy allows exactly the inline
//! scripts of the `index.html` being served, by their SHA-256 (re-read when the file changes, so a
//! rebuilt UI works without a restart), plus `'wasm-unsafe-eval'` to compile the WebAssembly and
//! the page's own origin for the bundle. Styles may be inline (the app sets `style` attributes).
//! The API may live on another origin (`?api=`), so `connect-src` and `img-src` allow any http(s).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The policy's fixed part; `script-src` is completed with the inline scripts' hashes.
const POLICY: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob: http: https:; connect-src 'self' http: https:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The CSP of one `index.html`, recomputed when the file's modification time changes.
#[derive(Clone)]
pub struct ContentPolicy {
    index: PathBuf,
    cached: Arc<Mutex<Option<(SystemTime, HeaderValue)>>>,
}

impl ContentPolicy {
    pub fn new(index: PathBuf) -> ContentPolicy {
        ContentPolicy {
            index,
            cached: Arc::new(Mutex::new(None)),
        }
    }

    fn header(&self) -> HeaderValue {
        let modified = std::fs::metadata(&self.index)
            .and_then(|m| m.modified())
            .ok();
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(modified), Some((at, value))) = (modified, cached.as_ref())
            && *at == modified
        {
            return value.clone();
        }
        let html = std::fs::read_to_string(&self.index).unwrap_or_default();
        let value = HeaderValue::from_str(&policy_for(&html))
            .expect("the policy is ASCII: base64 hashes and fixed text");
        if let Some(modified) = modified {
            *cached = Some((modified, value.clone()));
        }
        value
    }
}

/// The full policy for a page whose inline scripts are those of `html`.
pub fn policy_for(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            format!(
                " 'sha256-{}'",
                STANDARD.encode(Sha256::digest(script.as_bytes()))
            )
        })
        .collect();
    format!("{POLICY}; script-src 'self' 'wasm-unsafe-eval'{hashes}")
}

/// The text of every `<script>` element without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("<script")?;
            let after_tag = &rest[start..];
            let open_end = after_tag.find('>')?;
            let attributes = &after_tag[..open_end];
            let body = &after_tag[open_end + 1..];
            let close = body.find("</script>")?;
            rest = &body[close..];
            if !attributes.contains("src=") {
                return Some(&body[..close]);
            }
        }
    })
}

/// Adds the security headers to every UI answer.
pub async fn add_headers(
    State(policy): State<ContentPolicy>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, policy.header());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<head><script type=\"module\">import init from '/a.js';</script>\
                    <script src=\"/b.js\"></script></head>";
        let policy = policy_for(html);
        let expected = STANDARD.encode(Sha256::digest(b"import init from '/a.js';"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert_eq!(policy.matches("'sha256-").count(), 1, "{policy}");
        assert!(policy.contains("'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }
}

//! Optional API keys. When keys are configured, submitting, canceling and `?replaces=` need
//! `Authorization: Bearer <key>`, and a job can be canceled or replaced only by the key that
//! submitted it; reads are public unless `--keys-for-reads`.
//!
//! Keys come from a file (`--api-keys-file`, one entry per line, `#` comments) and/or the
//! environment (`JULIA_API_KEYS`, entries comma-separated). An entry is `name:key` or a bare key;
//! a job records the name (or `key-` and a hash prefix of a bare key), never the key. Entries
//! that share a name are one identity, which lets a key be rotated without orphaning its jobs.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::AppState;
use crate::config::AccessConfig;
use julia_api_types::Job;

/// Keys shorter than this are refused at start-up: they could be guessed.
const MIN_KEY_LEN: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot read the API keys file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}, entry {entry}: {why}")]
    Invalid {
        origin: String,
        entry: usize,
        why: String,
    },
}

/// The configured keys, by the SHA-256 of the key (so a lookup never compares secrets byte by
/// byte), each with the identity recorded on its jobs.
#[derive(Clone, Debug, Default)]
pub struct ApiKeys {
    identities: HashMap<[u8; 32], String>,
}

impl ApiKeys {
    /// The keys of the file and the environment variable; none when neither is set.
    pub fn load(access: &AccessConfig) -> Result<ApiKeys, KeysError> {
        let mut keys = ApiKeys::default();
        if let Some(path) = &access.api_keys_file {
            let text = std::fs::read_to_string(path).map_err(|source| KeysError::Read {
                path: path.clone(),
                source,
            })?;
            keys.add_entries(&format!("{}", path.display()), text.lines())?;
        }
        if let Some(list) = &access.api_keys {
            keys.add_entries("JULIA_API_KEYS", list.split(','))?;
        }
        Ok(keys)
    }

    fn add_entries<'a>(
        &mut self,
        origin: &str,
        entries: impl Iterator<Item = &'a str>,
    ) -> Result<(), KeysError> {
        for (index, entry) in entries.enumerate() {
            let entry = entry.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            let invalid = |why: String| KeysError::Invalid {
                origin: origin.to_string(),
                entry: index + 1,
                why,
            };
            let (name, key) = match entry.split_once(':') {
                Some((name, key)) => (Some(name.trim()), key.trim()),
                None => (None, entry),
            };
            if key.len() < MIN_KEY_LEN {
                return Err(invalid(format!(
                    "a key needs at least {MIN_KEY_LEN} characters"
                )));
            }
            if !key.bytes().all(is_token_byte) {
                return Err(invalid(
                    "a key may hold only letters, digits and - . _ ~ + / =".to_string(),
                ));
            }
            let digest = digest(key);
            let identity = match name {
                Some(name)
                    if !name.is_empty()
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b)) =>
                {
                    name.to_string()
                }
                Some(_) => {
                    return Err(invalid(
                        "a key name may hold only letters, digits and - _ . @".to_string(),
                    ));
                }
                None => format!("key-{}", hex_prefix(&digest)),
            };
            self.identities.insert(digest, identity);
        }
        Ok(())
    }

    pub fn is_enabled(&self) -> bool {
        !self.identities.is_empty()
    }

    /// The identity of a presented key, if it is one of ours.
    pub fn identify(&self, key: &str) -> Option<&str> {
        self.identities.get(&digest(key)).map(String::as_str)
    }
}

/// RFC 6750's `b64token` characters.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

fn hex_prefix(digest: &[u8; 32]) -> String {
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// Who is calling, as the authentication middleware found it.
#[derive(Clone, Debug)]
pub struct Caller {
    keys_required: bool,
    identity: Option<String>,
}

impl Caller {
    /// The identity of the presented key, if any.
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    /// The identity to record on a new job: `None` when the server requires no keys, `401`
    /// when it does and none was presented.
    pub fn require(&self) -> Result<Option<&str>, ApiError> {
        match (&self.identity, self.keys_required) {
            (Some(identity), _) => Ok(Some(identity)),
            (None, false) => Ok(None),
            (None, true) => Err(unauthorized(
                "missing_key",
                "this needs an API key: send `Authorization: Bearer <key>`",
                false,
            )),
        }
    }

    /// `403` unless this caller may cancel or replace `job`: its submitting key, or any key for a
    /// job submitted while no keys were required.
    pub fn check_owner(&self, job: &Job) -> Result<(), ApiError> {
        self.check_owner_of(job.owner.as_deref())
    }

    /// The same rule for anything submitted by `owner` (a job, an animation).
    pub fn check_owner_of(&self, owner: Option<&str>) -> Result<(), ApiError> {
        let caller = self.require()?;
        match (owner, caller) {
            (Some(owner), Some(caller)) if owner != caller => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "not_owner",
                "only the API key that submitted this can cancel or replace it",
            )),
            _ => Ok(()),
        }
    }
}

fn unauthorized(code: &'static str, message: &str, invalid: bool) -> ApiError {
    let challenge = if invalid {
        "Bearer realm=\"julia-server\", error=\"invalid_token\""
    } else {
        "Bearer realm=\"julia-server\""
    };
    ApiError::new(StatusCode::UNAUTHORIZED, code, message).with_challenge(challenge)
}

/// Reads that `--keys-for-reads` puts behind a key: jobs, results and events. `/api/info` stays
/// public, so the UI can learn that it needs a key.
fn is_keyed_read(method: &Method, path: &str) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && (path == "/api/events" || path == "/api/jobs" || path.starts_with("/api/jobs/"))
}

/// Identifies the caller from `Authorization: Bearer`; a wrong or malformed key is `401`
/// whatever the route, so a client learns at once that its key is bad.
pub async fn authenticate(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let keys = &app.api_keys;
    if !keys.is_enabled() {
        req.extensions_mut().insert(Caller {
            keys_required: false,
            identity: None,
        });
        return next.run(req).await;
    }
    let identity = match bearer(req.headers()) {
        Some(Ok(key)) => match keys.identify(key) {
            Some(identity) => Some(identity.to_string()),
            None => {
                return unauthorized("invalid_key", "this API key is not valid", true)
                    .into_response();
            }
        },
        Some(Err(())) => {
            return unauthorized(
                "invalid_key",
                "the Authorization header must be `Bearer <key>`",
                true,
            )
            .into_response();
        }
        None => None,
    };
    if identity.is_none()
        && app.config.access.keys_for_reads
        && is_keyed_read(req.method(), req.uri().path())
    {
        return unauthorized(
            "missing_key",
            "this server needs an API key for reads too: send `Authorization: Bearer <key>`",
            false,
        )
        .into_response();
    }
    req.extensions_mut().insert(Caller {
        keys_required: true,
        identity,
    });
    next.run(req).await
}

/// The presented bearer token: `None` without an Authorization header, `Err` when it is not a
/// bearer token.
fn bearer(headers: &HeaderMap) -> Option<Result<&str, ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let parsed = value.to_str().ok().and_then(|v| {
        let (scheme, token) = v.trim().split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    });
    Some(parsed.ok_or(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(env: &str) -> Result<ApiKeys, KeysError> {
        ApiKeys::load(&AccessConfig {
            api_keys: Some(env.to_string()),
            ..AccessConfig::default()
        })
    }

    #[test]
    fn named_and_bare_keys_are_identified_and_others_are_not() {
        let keys = keys("alice:aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbb").unwrap();
        assert_eq!(keys.identify("aaaaaaaaaaaaaaaaaaaa"), Some("alice"));
        let bare = keys.identify("bbbbbbbbbbbbbbbbbbbb").unwrap();
        assert!(bare.starts_with("key-") && !bare.contains("bbbb"), "{bare}");
        assert_eq!(keys.identify("cccccccccccccccccccc"), None);
        assert!(keys.is_enabled());
        assert!(!ApiKeys::default().is_enabled());
    }

    #[test]
    fn short_keys_and_odd_names_are_refused_naming_the_entry() {
        let err = keys("alice:aaaaaaaaaaaaaaaaaaaa,bob:short").unwrap_err();
        assert!(err.to_string().contains("entry 2"), "{err}");
        assert!(keys("a b:aaaaaaaaaaaaaaaaaaaa").is_err());
        assert!(keys("alice:aaaaaaaaaaaaaaaa aaaa").is_err());
    }

    #[test]
    fn bearer_tokens_are_parsed_case_insensitively() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer(&headers), Some(Ok("abc")));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), Some(Err(())));
    }
}

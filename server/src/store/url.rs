//! Database URLs in messages: the password is a secret, so every error, log line and help text
//! shows a URL through [`redact_url`].

/// What a redacted secret reads as.
const REDACTED: &str = "***";

/// `url` with its password (`scheme://user:PASSWORD@host`, and a `password=` query parameter)
/// replaced by `***`; everything else is kept, so the message still says which database it was.
pub fn redact_url(url: &str) -> String {
    let (before_query, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let mut out = redact_userinfo(before_query);
    if let Some(query) = query {
        out.push('?');
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                    format!("{key}={REDACTED}")
                }
                _ => param.to_string(),
            })
            .collect();
        out.push_str(&params.join("&"));
    }
    out
}

/// Redacts the password of the authority part (`user:password@`), if there is one.
fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let authority_start = scheme_end + 3;
    // The last `@` ends the user info. A password with a raw `@` or `/` is not a valid URL but is
    // still a password: searching the whole rest redacts too much rather than too little.
    let rest = &url[authority_start..];
    let Some(at) = rest.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &rest[..at];
    let Some((user, _password)) = userinfo.split_once(':') else {
        return url.to_string();
    };
    format!(
        "{}{user}:{REDACTED}{}",
        &url[..authority_start],
        &url[authority_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn the_password_of_a_postgres_url_is_redacted() {
        assert_eq!(
            redact_url("postgres://julia:s3cret@db.example:5432/jobs"),
            "postgres://julia:***@db.example:5432/jobs"
        );
    }

    #[test]
    fn a_password_containing_at_signs_and_slashes_is_redacted_whole() {
        assert_eq!(
            redact_url("postgresql://u:p@ss/w@rd@host/db"),
            "postgresql://u:***@host/db",
        );
    }

    #[test]
    fn a_password_query_parameter_is_redacted() {
        assert_eq!(
            redact_url("postgres://db/jobs?user=julia&password=s3cret&sslmode=require"),
            "postgres://db/jobs?user=julia&password=***&sslmode=require"
        );
    }

    #[test]
    fn urls_without_a_password_are_unchanged() {
        for url in [
            "sqlite:///var/lib/julia/jobs.db",
            "sqlite://data/jobs.db",
            "postgres://julia@db/jobs",
            "postgres://db:5432/jobs",
            "mysql://nothing-secret",
            "not a url",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }
}

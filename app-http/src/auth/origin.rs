//! The Origin check of security.md S4.4 against the allow-list of S5.2.

use crate::config::Settings;
use poem::Request;

/// `scheme://host[:port]` lowercased, default ports dropped; `None` when not an origin.
pub fn normalise(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("https", Some((host, "443"))) | ("http", Some((host, "80"))) => host.to_owned(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

/// S5.2: `ALLOWED_ORIGINS`, or the origin of `PUBLIC_BASE_URL`.
pub fn allowed(settings: &Settings) -> Vec<String> {
    match &settings.allowed_origins {
        Some(list) if !list.trim().is_empty() => list.split(',').filter_map(normalise).collect(),
        _ => normalise(&settings.public_base_url()).into_iter().collect(),
    }
}

/// S4.4: `Origin` when present (`null` refused), else the origin of `Referer`, else pass.
pub fn check(settings: &Settings, req: &Request) -> bool {
    let header = |name: &str| req.headers().get(name).map(|v| v.to_str().unwrap_or(""));
    let presented = match (header("origin"), header("referer")) {
        (Some(origin), _) => normalise(origin),
        (None, Some(referer)) => normalise(referer),
        (None, None) => return true,
    };
    presented.is_some_and(|o| allowed(settings).contains(&o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_normalise_as_s5_2_says() {
        assert_eq!(
            normalise("HTTPS://Example.com:443/x").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            normalise("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(normalise("null"), None);
    }

    #[test]
    fn null_and_foreign_origins_are_refused() {
        let settings = Settings {
            public_base_url: Some("https://allot.example".into()),
            ..Settings::default()
        };
        let with = |h: &str, v: &str| Request::builder().header(h, v).finish();
        assert!(check(&settings, &with("origin", "https://allot.example")));
        assert!(!check(&settings, &with("origin", "null")));
        assert!(!check(&settings, &with("origin", "https://evil.example")));
        assert!(check(
            &settings,
            &with("referer", "https://allot.example/admin/login")
        ));
        assert!(check(&settings, &Request::builder().finish()));
    }
}

//! The session and pre-session CSRF cookies (security.md S2.2, S4.3) and the random tokens they
//! carry.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use poem::Request;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// S2.2: the session cookie's name.
pub fn session_name(secure: bool) -> &'static str {
    if secure { "__Host-sid" } else { "sid" }
}

/// S4.3: the pre-session CSRF cookie's name.
pub fn csrf_name(secure: bool) -> &'static str {
    if secure { "__Host-csrf" } else { "csrf" }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn read(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a new session (S2.2): no `Max-Age`, the server enforces lifetimes.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax{secure_attr}",
        session_name(secure)
    )
}

/// `Set-Cookie` expiring the session cookie.
pub fn expired_session_cookie(secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure_attr}",
        session_name(secure)
    )
}

/// `Set-Cookie` for the pre-session CSRF cookie (S4.3).
pub fn csrf_cookie(value: &str, secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{secure_attr}",
        csrf_name(secure)
    )
}

/// 32 bytes from the OS CSPRNG, base64url without padding (43 characters).
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Lowercase hex SHA-256: the stored session id (S2.1).
pub fn sha256_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// S4.3: `base64url(HMAC-SHA256(SESSION_SECRET, cookie value))`, the hidden form field.
pub fn form_token(secret: &[u8], cookie_value: &str) -> String {
    let mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(cookie_value.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC accepts keys of any length; kept total anyway.
        Err(_) => Vec::new(),
    };
    URL_SAFE_NO_PAD.encode(mac)
}

/// Constant-time string equality (the lengths may leak, the contents do not).
pub fn tokens_equal(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The pre-session check of S4.3: the hidden field matches the HMAC of the cookie.
pub fn presession_ok(secret: &[u8], cookie: Option<&str>, field: Option<&str>) -> bool {
    match (cookie, field) {
        (Some(cookie), Some(field)) => tokens_equal(&form_token(secret, cookie), field),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_characters_and_hash_to_64_hex() {
        let t = random_token().unwrap();
        assert_eq!(t.len(), 43);
        let h = sha256_hex(&t);
        assert_eq!(h.len(), 64);
        assert!(
            h.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn cookies_follow_s2_2() {
        assert_eq!(
            session_cookie("abc", true),
            "__Host-sid=abc; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            session_cookie("abc", false),
            "sid=abc; Path=/; HttpOnly; SameSite=Lax"
        );
        assert!(csrf_cookie("x", true).starts_with("__Host-csrf=x;"));
    }

    #[test]
    fn reads_a_cookie_among_others() {
        let req = Request::builder()
            .header("cookie", "a=1; sid=tok; b=2")
            .finish();
        assert_eq!(read(&req, "sid").as_deref(), Some("tok"));
        assert_eq!(read(&req, "csrf"), None);
    }

    #[test]
    fn presession_tokens_match_only_their_cookie() {
        let field = form_token(b"secret", "cookie");
        assert!(presession_ok(b"secret", Some("cookie"), Some(&field)));
        assert!(!presession_ok(b"secret", Some("other"), Some(&field)));
        assert!(!presession_ok(b"other", Some("cookie"), Some(&field)));
        assert!(!presession_ok(b"secret", None, Some(&field)));
    }
}

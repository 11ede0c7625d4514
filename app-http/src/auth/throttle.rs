//! The client address the login throttle counts against (security.md S3.4).

use poem::Request;

/// The TCP peer, unless `TRUST_PROXY_HOPS = n ≥ 1`: then the n-th entry from the right of
/// `X-Forwarded-For` (the leftmost when there are fewer).
pub fn client_ip(req: &Request, trust_proxy_hops: u32) -> String {
    if trust_proxy_hops >= 1
        && let Some(header) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
    {
        let entries: Vec<&str> = header
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        let hops = usize::try_from(trust_proxy_hops).unwrap_or(usize::MAX);
        let chosen = if entries.len() >= hops {
            entries.get(entries.len() - hops)
        } else {
            entries.first()
        };
        if let Some(ip) = chosen {
            return (*ip).chars().take(45).collect();
        }
    }
    match req.remote_addr().as_socket_addr() {
        Some(addr) => addr.ip().to_string(),
        None => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_read_from_the_right() {
        let req = Request::builder()
            .header("x-forwarded-for", "1.1.1.1, 2.2.2.2, 3.3.3.3")
            .finish();
        assert_eq!(client_ip(&req, 1), "3.3.3.3");
        assert_eq!(client_ip(&req, 2), "2.2.2.2");
        assert_eq!(client_ip(&req, 9), "1.1.1.1");
    }
}

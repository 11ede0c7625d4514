//! `allot webhook sign`: prints the HubSpot v3 signature headers for a request, so a demo deal can
//! be allocated with `curl` (http-api.md H2.1.7).

use clap::{Args, Subcommand};
use hubspot::signature::{SignedRequest, sign_v3};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Print `X-HubSpot-Signature-v3` and `X-HubSpot-Request-Timestamp` for a POST.
    Sign(SignArgs),
}

#[derive(Debug, Args)]
struct SignArgs {
    /// The HubSpot app's client secret (the demo server uses `allot-demo-secret`).
    #[arg(long, env = "HUBSPOT_CLIENT_SECRET", hide_env_values = true)]
    secret: String,
    /// The full URL the request is sent to, e.g. http://localhost:8080/post/allocate.
    #[arg(long)]
    url: String,
    /// The file holding the exact body to send.
    #[arg(long)]
    body: std::path::PathBuf,
    /// Epoch milliseconds to sign with (default: now).
    #[arg(long)]
    timestamp: Option<i64>,
    /// Print curl `-H` arguments instead of header lines.
    #[arg(long)]
    curl: bool,
}

pub fn run(args: &WebhookArgs) -> ExitCode {
    let WebhookCommand::Sign(a) = &args.command;
    let body = match std::fs::read(&a.body) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", a.body.display());
            return ExitCode::from(2);
        }
    };
    let Some((base, path)) = split_url(&a.url) else {
        eprintln!("error: --url must look like http://host[:port]/path");
        return ExitCode::from(2);
    };
    let timestamp = a
        .timestamp
        .unwrap_or_else(|| chrono::Utc::now().timestamp_millis())
        .to_string();
    let request = SignedRequest {
        method: "POST",
        public_base_url: base,
        path_and_query: path,
        body: &body,
    };
    let signature = sign_v3(&a.secret, &request, &timestamp);
    if a.curl {
        println!(
            "-H 'X-HubSpot-Signature-v3: {signature}' -H 'X-HubSpot-Request-Timestamp: {timestamp}'"
        );
    } else {
        println!("X-HubSpot-Signature-v3: {signature}");
        println!("X-HubSpot-Request-Timestamp: {timestamp}");
    }
    ExitCode::SUCCESS
}

/// `http://host:port/path?q` → (`http://host:port`, `/path?q`).
fn split_url(url: &str) -> Option<(&str, &str)> {
    let scheme_end = url.find("://")? + 3;
    let path_start = url[scheme_end..].find('/').map(|i| i + scheme_end)?;
    Some((&url[..path_start], &url[path_start..]))
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn splits_base_and_path() {
        assert_eq!(
            split_url("http://localhost:8080/post/allocate?x=1"),
            Some(("http://localhost:8080", "/post/allocate?x=1"))
        );
        assert_eq!(split_url("localhost/post"), None);
    }
}

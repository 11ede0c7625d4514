//! The admin pages in a real headless Chromium (http-api.md H6.3, H6.5, H6.7, H6.8; S13.2: the
//! pages must work under the strict CSP). Drives the scripts of `tests/browser/` with Node and
//! playwright-core against a demo server on a bound socket. Without `node_modules` or Chromium
//! the test prints SKIP and passes, unless `CI` is set (then it fails).

use crate::support::{ADMIN, ADMIN_PASSWORD, TestApp};
use std::path::{Path, PathBuf};

const SCRIPTS: [&str; 4] = [
    "closures.mjs",
    "overrides.mjs",
    "earliest.mjs",
    "history.mjs",
];

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Why the browser checks cannot run here, if they cannot.
fn missing(dir: &Path) -> Option<String> {
    if !dir.join("node_modules/playwright-core").is_dir() {
        return Some(format!(
            "no node_modules in {} (run `npm ci` there)",
            dir.display()
        ));
    }
    if !chromium().exists() {
        return Some(format!("no Chromium at {}", chromium().display()));
    }
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("no `node` on PATH".into());
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h6_admin_pages_work_in_headless_chromium() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if let Some(why) = missing(&dir) {
        assert!(
            std::env::var_os("CI").is_none(),
            "browser tests required in CI: {why}"
        );
        eprintln!("SKIP browser tests: {why}");
        return;
    }
    let app = TestApp::spawn().await;
    // A decision for the history pages (H6.7, H6.8).
    crate::admin_pages::decide(&app, "9400001").await;
    for script in SCRIPTS {
        let (dir, base) = (dir.clone(), app.base.clone());
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new("node")
                .arg(script)
                .arg(&base)
                .current_dir(&dir)
                .env("ALLOT_ADMIN", ADMIN)
                .env("ALLOT_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env("CHROMIUM", chromium())
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{script} failed:\n{stdout}\n{stderr}"
        );
        assert!(stdout.contains("PASS"), "{script}: {stdout}");
    }
}

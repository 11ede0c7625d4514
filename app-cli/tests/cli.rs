//! The `allot` binary end to end: the spec's examples, exit codes and error paths (SF1, SF4).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic on broken fixtures

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn allot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .output()
        .expect("runs allot")
}

fn examples() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(repo().join("fixtures/spec-examples"))
        .expect("examples folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".json") && !name.ends_with(".expected.json")
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_spec_example_is_reproduced_exactly() {
    let examples = examples();
    assert_eq!(
        examples.len(),
        4,
        "the four examples of shared/spec/examples"
    );
    for input in examples {
        let expected_path = input.with_extension("expected.json");
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).expect("expected file"))
                .expect("expected JSON");
        let out = allot(&[
            "allocate",
            "--scenario",
            input.to_str().expect("utf-8 path"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            input.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        assert!(stdout.ends_with('\n'));
        let actual: Value = serde_json::from_str(&stdout).expect("JSON on stdout");
        assert_eq!(actual, expected, "{}", input.display());
    }
}

#[test]
fn bundled_examples_match_the_spec_when_it_is_present() {
    let spec = repo().join("../shared/spec/examples");
    if !spec.exists() {
        eprintln!("SKIP: ../shared/spec/examples not present; using the bundled copies only");
        return;
    }
    for entry in std::fs::read_dir(&spec).expect("spec examples") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().expect("file name");
        let bundled = repo().join("fixtures/spec-examples").join(name);
        assert_eq!(
            std::fs::read(&path).expect("spec file"),
            std::fs::read(&bundled).unwrap_or_default(),
            "fixtures/spec-examples/{} differs from the spec",
            name.to_string_lossy()
        );
    }
}

fn scenario_file(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write scenario");
    path
}

/// A temporary folder, removed when the test ends.
fn temp_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("allot-cli-{tag}-"))
        .tempdir()
        .expect("temp dir")
}

#[test]
fn a_failed_allocation_exits_1_with_the_result() {
    let dir = temp_dir("exit1");
    let path = scenario_file(
        dir.path(),
        "none.json",
        r#"{"today": "2025-03-12", "advisers": [{"email": "a@x.com", "service_packages": "Seed"}],
            "include_no": true, "deal": {"service_package": "IPO"}}"#,
    );
    let out = allot(&["allocate", "--scenario", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["error"]["code"], "no_eligible_adviser");
    assert_eq!(
        v["error"]["message"],
        "no adviser is eligible for this deal"
    );
    assert_eq!(v["selection"], Value::Null);
    assert_eq!(v["include_no"], true, "the input value is echoed (§4.1)");
}

#[test]
fn an_invalid_scenario_exits_2_naming_the_bad_field() {
    let dir = temp_dir("exit2");
    let path = scenario_file(
        dir.path(),
        "bad.json",
        r#"{"today": "2025-03-12", "advisers": [{"email": "a@x.com", "meetings": [{"start": "soon"}]}]}"#,
    );
    let out = allot(&["allocate", "--scenario", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(
        stderr.starts_with("error: $.advisers[0].meetings[0].start: "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn an_unreadable_file_exits_2() {
    let out = allot(&["allocate", "--scenario", "/nonexistent/scenario.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(
        stderr.starts_with("error: cannot read /nonexistent/scenario.json: "),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(allot(&["allocate"]).status.code(), Some(2));
    assert_eq!(
        allot(&["allocate", "--demo", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn the_demo_allocates_and_renders_a_table() {
    let json = allot(&["allocate", "--demo"]);
    assert_eq!(
        json.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let v: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["mode"], "allocate");
    assert!(v["selection"]["chosen_email"].is_string());
    assert!(v["advisers"].as_array().expect("advisers").len() >= 20);

    let table = allot(&["allocate", "--demo", "--format", "table"]);
    assert_eq!(table.status.code(), Some(0));
    let text = String::from_utf8(table.stdout).expect("utf-8");
    let chosen = v["selection"]["chosen_email"].as_str().expect("email");
    assert!(text.contains("Kick Off") && text.contains("◀ earliest"));
    assert!(
        text.lines()
            .last()
            .expect("last line")
            .starts_with(&format!("selected: {chosen}"))
    );
}

#[test]
fn table_format_shows_the_error_line() {
    let dir = temp_dir("table-error");
    let path = scenario_file(
        dir.path(),
        "none.json",
        r#"{"today": "2025-03-12", "advisers": [], "deal": {"service_package": "IPO"}}"#,
    );
    let out = allot(&[
        "allocate",
        "--scenario",
        path.to_str().expect("utf-8"),
        "--format",
        "table",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        text.lines().last(),
        Some("error: no_eligible_adviser: no adviser is eligible for this deal")
    );
}

#[test]
fn the_format_specs_complete_example_is_reproduced_exactly() {
    let dir = repo().join("fixtures/scenarios");
    let input = dir.join("format_6_complete_example.json");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("format_6_complete_example.expected.json"))
            .expect("expected file"),
    )
    .expect("JSON");
    let out = allot(&["allocate", "--scenario", input.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    let actual: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(actual, expected);
}

#[test]
fn the_complete_example_without_its_deal_is_an_availability_listing() {
    // scenario-format.md 6.4
    let input = repo().join("fixtures/scenarios/format_6_4_without_deal.json");
    let out = allot(&["allocate", "--scenario", input.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["mode"], "availability");
    assert_eq!((&v["selection"], &v["error"]), (&Value::Null, &Value::Null));
    let rows: Vec<(String, Value, Value, Value)> = v["advisers"]
        .as_array()
        .expect("advisers")
        .iter()
        .map(|a| {
            (
                a["email"].as_str().expect("email").to_owned(),
                a["excluded_reason"].clone(),
                a["earliest_open_week"].clone(),
                a["fallback"].clone(),
            )
        })
        .collect();
    let week = |w: &str| Value::String(w.into());
    let f = Value::Bool(false);
    assert_eq!(
        rows,
        [
            (
                "ana.alvarez@example.com".into(),
                Value::Null,
                week("2025-03-24"),
                f.clone()
            ),
            (
                "ben.brooks@example.com".into(),
                Value::Null,
                week("2025-03-24"),
                f.clone()
            ),
            (
                "cat.chung@example.com".into(),
                Value::Null,
                week("2025-03-31"),
                f.clone()
            ),
            (
                "dev.das@example.com".into(),
                week("data_unavailable"),
                Value::Null,
                Value::Null
            ),
            (
                "eli.east@example.com".into(),
                Value::Null,
                week("2025-03-31"),
                f
            ),
        ]
    );
    assert_eq!(
        v["advisers"][0]["warnings"]
            .as_array()
            .expect("warnings")
            .len(),
        1
    );
}

#[test]
fn migrate_creates_and_then_keeps_a_sqlite_database() {
    let dir = temp_dir("migrate");
    let db = dir.path().join("nested/app.db");
    let url = db.to_str().expect("utf-8");
    let first = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["migrate"])
        .env("DATABASE_URL", url)
        .output()
        .expect("runs");
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("applied"));
    assert!(db.exists());
    let again = allot(&["migrate", "--database-url", url]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains("up to date"));
}

#[test]
fn migrate_refuses_a_malformed_postgres_url_without_creating_a_file() {
    let dir = temp_dir("migrate-bad");
    let out = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["migrate", "--database-url", "postgres:oops"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "no file created"
    );
}

/// Runs `allot user …` on `db` with `stdin` as the password input.
fn user_cmd(db: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_allot"))
        .arg("user")
        .args(args)
        .env("DATABASE_URL", db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("writes");
    child.wait_with_output().expect("waits")
}

#[test]
fn user_commands_create_change_role_and_password_p3_6() {
    use domain::ports::{LoginKey, Role, UserStore};
    let dir = temp_dir("users");
    let db = dir.path().join("app.db");
    let url = db.to_str().expect("utf-8");
    assert_eq!(
        allot(&["migrate", "--database-url", url]).status.code(),
        Some(0)
    );

    let created = user_cmd(
        url,
        &["create", "alex", "--email", "Alex@Example.com"],
        "Password123!\n",
    );
    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let again = user_cmd(
        url,
        &["create", "ALEX", "--email", "other@example.com"],
        "Password123!\n",
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("username_taken"));
    let weak = user_cmd(
        url,
        &["create", "brett", "--email", "b@example.com", "--admin"],
        "short\n",
    );
    assert_eq!(weak.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password: too_short"));

    assert_eq!(
        user_cmd(url, &["set-role", "alex", "admin"], "")
            .status
            .code(),
        Some(0)
    );
    let changed = user_cmd(url, &["set-password", "alex"], "a new long passphrase\n");
    assert_eq!(changed.status.code(), Some(0));
    assert_eq!(
        user_cmd(url, &["set-role", "nobody", "admin"], "")
            .status
            .code(),
        Some(1)
    );

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let user = runtime.block_on(async {
        let store = sql_store::SqlStore::new(&sql_store::DatabaseUrl::parse(url).expect("url"))
            .expect("store");
        store
            .find_user_by_login(&LoginKey::parse("alex"))
            .await
            .expect("reads")
            .expect("exists")
    });
    assert_eq!(
        (user.role, user.email.as_str()),
        (Role::Admin, "alex@example.com")
    );
    assert!(app_http::auth::passwords::verify_blocking(
        &user.password_hash,
        "a new long passphrase"
    ));
}

//! Durability (security.md S9.6 I3): a write the port acknowledged survives `kill -9` of the
//! process that made it. The test re-runs this test binary as a child that writes, prints an acknowledgement
//! and waits to be killed; the parent then reopens the database and reads the row.

use crate::harness::TestDb;
use chrono::{DateTime, Utc};
use domain::allocation::OfficeClosure;
use domain::ports::ClosureStore;
use sql_store::{DatabaseUrl, SqlStore};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const CHILD_URL: &str = "ALLOT_DURABILITY_CHILD_URL";
const CHILD_DESCRIPTION: &str = "ALLOT_DURABILITY_CHILD_DESCRIPTION";
/// Printed by the child once the port returned; libtest may print on the same line.
const ACK: &str = "DURABILITY-WRITE-ACKNOWLEDGED";

/// The child's side: only does something when started by `survives_kill_9`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_writer() {
    let (Ok(url), Ok(description)) = (std::env::var(CHILD_URL), std::env::var(CHILD_DESCRIPTION))
    else {
        return; // run directly: nothing to do
    };
    let store = SqlStore::new(&DatabaseUrl::parse(&url).unwrap()).unwrap();
    let closure = OfficeClosure {
        start_date: "2025-12-24".parse().unwrap(),
        end_date: None,
        description,
        tags: Vec::new(),
    };
    let now: DateTime<Utc> = "2025-11-20T00:00:00Z".parse().unwrap();
    store.create_closure(&closure, now).await.unwrap();
    println!("{ACK}");
    // Wait to be killed; never exit on our own.
    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
}

/// The URL the child opens, as text (a PostgreSQL URL carries the test schema).
fn url_text(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    }
}

async fn survives_kill_9(db: &TestDb) {
    let description = format!("written before kill -9 ({})", std::process::id());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "durability::child_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_URL, url_text(&db.url))
        .env(CHILD_DESCRIPTION, &description)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let acked = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(ACK));
    // SIGKILL: no destructors, no flush, no graceful shutdown.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(acked, "the child never acknowledged its write");

    // A new store, as a restarted process would open it.
    let reopened = db.reopen();
    let closures = reopened.list_closures(None).await.unwrap();
    assert!(
        closures
            .iter()
            .any(|c| c.closure.description == description),
        "the acknowledged write was lost"
    );
}

crate::on_both_backends!(survives_kill_9);

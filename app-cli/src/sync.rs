//! `allot sync employees|leave`: the H2.3 syncs from the command line, through the same ports
//! and use case as `/sync/*`. Employment Hero settings come from the environment (U0.10, S10.2
//! `<NAME>_FILE` included); the connection's tokens from the database, where `/auth/start` put
//! them. A progress bar follows the pages.

use chrono_tz::Tz;
use clap::{Args, ValueEnum};
use domain::ports::PageProgress;
use domain::usecase::sync_hr::{EmployeeSyncReport, LeaveSyncReport, SyncError, SyncHr};
use employment_hero::{EhConfig, EhConfigError, EmploymentHero, SystemClock, TokenCipher, setting};
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::SecretString;
use sql_store::{DatabaseUrl, SqlStore};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SyncWhat {
    /// Employees (H2.3.2): upsert by EH id, delete the ones EH no longer lists.
    Employees,
    /// Approved leave from last week on (H2.3.3); the stored leave becomes exactly that.
    Leave,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    what: SyncWhat,
    /// `postgres://…` for PostgreSQL; anything else is a SQLite file path.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "./data/app.db",
        hide_env_values = true
    )]
    database_url: String,
    /// The firm's time zone (names the week the leave window starts from).
    #[arg(long, env = "FIRM_TIMEZONE", default_value = "Australia/Sydney")]
    firm_timezone: String,
}

/// Everything the sync needs from the environment, or every missing setting by name.
fn settings(lookup: impl Fn(&str) -> Option<String>) -> Result<(EhConfig, TokenCipher), String> {
    let config = EhConfig::from_lookup(&lookup);
    let key = setting(&lookup, "DATA_ENCRYPTION_KEY").map_err(|e| e.to_string())?;
    let previous = setting(&lookup, "DATA_ENCRYPTION_KEY_PREVIOUS").map_err(|e| e.to_string())?;
    let mut missing = match &config {
        Err(EhConfigError::Missing(names)) => names.clone(),
        Err(e) => return Err(e.to_string()),
        Ok(_) => Vec::new(),
    };
    if key.is_none() {
        missing.push("DATA_ENCRYPTION_KEY");
    }
    let (Ok(config), Some(key)) = (config, key) else {
        return Err(format!(
            "Employment Hero is not configured: missing settings: {}",
            missing.join(", ")
        ));
    };
    let previous = previous.map(SecretString::from);
    let cipher =
        TokenCipher::new(&SecretString::from(key), previous.as_ref()).map_err(|e| e.to_string())?;
    Ok((config, cipher))
}

pub fn run(args: &SyncArgs) -> ExitCode {
    let (config, cipher) = match settings(|name| std::env::var(name).ok()) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let Ok(tz) = args.firm_timezone.parse::<Tz>() else {
        eprintln!("error: FIRM_TIMEZONE is not an IANA time zone");
        return ExitCode::from(2);
    };
    let url = match DatabaseUrl::parse(&args.database_url) {
        Ok(url) => url,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        let store = Arc::new(SqlStore::new(&url).map_err(|e| e.to_string())?);
        let eh =
            EmploymentHero::new(config, Arc::clone(&store), cipher).map_err(|e| e.to_string())?;
        let sync = SyncHr::new(eh, store, SystemClock, tz);
        let bar = bar();
        let on_page = |p: PageProgress| {
            bar.set_length(u64::from(p.total_pages));
            bar.set_position(u64::from(p.page));
            bar.set_message(format!("{} items", p.items));
        };
        let result = match args.what {
            SyncWhat::Employees => sync.employees(&on_page).await.map(employees_summary),
            SyncWhat::Leave => sync.leave(&on_page).await.map(leave_summary),
        };
        bar.finish_and_clear();
        Ok::<_, String>(result)
    });
    match outcome {
        Ok(Ok(summary)) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("error: {} ({})", e, e.code());
            if let SyncError::Directory(domain::ports::HrError::NotConfigured(_)) = e {
                return ExitCode::from(2);
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::new(1);
    if let Ok(style) = ProgressStyle::with_template("{spinner} page {pos}/{len} {wide_bar} {msg}") {
        bar.set_style(style);
    }
    bar
}

fn employees_summary(r: EmployeeSyncReport) -> String {
    format!(
        "employees: fetched {} in {} page(s); {} stored ({} inserted, {} updated, {} unchanged), {} deleted",
        r.fetched,
        r.pages,
        r.summary.synced(),
        r.summary.inserted,
        r.summary.updated,
        r.summary.unchanged,
        r.summary.deleted
    )
}

fn leave_summary(r: LeaveSyncReport) -> String {
    format!(
        "leave from {}: fetched {} in {} page(s); {} stored ({} inserted, {} updated, {} unchanged), {} deleted; skipped {} not approved or ended, {} invalid, {} of unknown employees",
        r.window_start,
        r.fetched,
        r.pages,
        r.summary.synced(),
        r.summary.inserted,
        r.summary.updated,
        r.summary.unchanged,
        r.summary.deleted,
        r.skipped_filtered,
        r.skipped_invalid,
        r.summary.skipped_unknown_employee
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn every_missing_setting_is_named() {
        let err = settings(env(&[])).unwrap_err();
        assert_eq!(
            err,
            "Employment Hero is not configured: missing settings: EH_CLIENT_ID, \
             EH_CLIENT_SECRET, DATA_ENCRYPTION_KEY"
        );
        let err = settings(env(&[("EH_CLIENT_ID", "i"), ("EH_CLIENT_SECRET", "s")])).unwrap_err();
        assert!(
            err.ends_with("missing settings: DATA_ENCRYPTION_KEY"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_key_is_named_without_its_value() {
        let err = settings(env(&[
            ("EH_CLIENT_ID", "i"),
            ("EH_CLIENT_SECRET", "s"),
            ("DATA_ENCRYPTION_KEY", "c2hvcnQ="),
        ]))
        .unwrap_err();
        assert_eq!(err, "DATA_ENCRYPTION_KEY is not the base64 of 32 bytes");
        let ok = settings(env(&[
            ("EH_CLIENT_ID", "i"),
            ("EH_CLIENT_SECRET", "s"),
            (
                "DATA_ENCRYPTION_KEY",
                "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=",
            ),
        ]));
        assert!(ok.is_ok());
    }
}

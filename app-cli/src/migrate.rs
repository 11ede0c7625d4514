//! `allot migrate`: applies the embedded migrations of the database `DATABASE_URL` names
//! (http-api.md H8, security.md S11.3). The server does the same at start-up.

use clap::Args;
use sql_store::{DatabaseUrl, SqlStore};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// `postgres://…` for PostgreSQL; anything else is a SQLite file path.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "./data/app.db",
        hide_env_values = true
    )]
    database_url: String,
}

pub fn run(args: &MigrateArgs) -> ExitCode {
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
        let store = SqlStore::new(&url).map_err(|e| e.to_string())?;
        store.migrate().await.map_err(|e| e.to_string())
    });
    match outcome {
        Ok(applied) if applied.is_empty() => {
            println!("{:?}: the schema is up to date", url.backend());
            ExitCode::SUCCESS
        }
        Ok(applied) => {
            for version in &applied {
                println!("applied {version}");
            }
            println!(
                "{:?}: {} migration(s) applied",
                url.backend(),
                applied.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

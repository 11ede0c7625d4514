//! `allot`: Allot's command line.

mod allocate;
mod migrate;
mod sync;
mod table;
mod user;
mod webhook;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Allot: adviser allocation for financial-advice firms.
#[derive(Debug, Parser)]
#[command(name = "allot", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Dry-run the allocation on a scenario file: prints every adviser's capacity table, earliest
    /// open week and the choice. No side effects.
    ///
    /// Exit codes: 0 computed; 1 computed but the allocation failed (no_eligible_adviser,
    /// upstream_unavailable); 2 usage error or invalid scenario.
    Allocate(allocate::AllocateArgs),
    /// Apply the embedded database migrations to `DATABASE_URL` (SQLite file or PostgreSQL).
    Migrate(migrate::MigrateArgs),
    /// HubSpot webhook helpers: sign a request body for a local server.
    Webhook(webhook::WebhookArgs),
    /// Sync employees or leave from Employment Hero into `DATABASE_URL` (http-api.md H2.3),
    /// using the connection an admin made at `/auth/start`.
    ///
    /// Exit codes: 0 synced; 1 upstream, store or reauth failure (nothing written); 2 missing
    /// or invalid settings.
    Sync(sync::SyncArgs),
    /// Account administration (portal.md P3.6): `create [--admin]`, `set-role`,
    /// `set-password`; passwords are read from stdin.
    ///
    /// Exit codes: 0 done; 1 store failure, unknown user or taken name; 2 invalid input.
    User(user::UserArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Allocate(args) => allocate::run(&args),
        Command::Migrate(args) => migrate::run(&args),
        Command::Webhook(args) => webhook::run(&args),
        Command::Sync(args) => sync::run(&args),
        Command::User(args) => user::run(&args),
    }
}

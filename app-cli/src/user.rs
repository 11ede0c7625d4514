//! `allot user …`: account administration (portal.md P3.6). Passwords are read from stdin
//! (first line, never echoed or taken from arguments) and checked against the same policy as a
//! registration (P2.3, S1.4). A role or password change ends the user's sessions (S2.4).

use app_http::auth::passwords::hash_blocking;
use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};
use domain::portal::fields::{
    FieldErrors, RegistrationInput, RegistrationRules, validate_registration,
};
use domain::portal::password::{PasswordBlocklist, password_violation};
use domain::ports::{CreateUserError, LoginKey, NewUser, Role, UserStore};
use sql_store::{DatabaseUrl, SqlStore};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct UserArgs {
    /// `postgres://…` for PostgreSQL; anything else is a SQLite file path.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "./data/app.db",
        hide_env_values = true,
        global = true
    )]
    database_url: String,
    /// One refused password per line (security.md S1.4).
    #[arg(long, env = "PASSWORD_BLOCKLIST_FILE", global = true)]
    password_blocklist_file: Option<PathBuf>,
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from stdin.
    Create {
        username: String,
        #[arg(long)]
        email: String,
        /// Role `admin` instead of `employee`.
        #[arg(long)]
        admin: bool,
    },
    /// Change a user's role; their sessions end.
    SetRole { username: String, role: RoleArg },
    /// Set a user's password from stdin; their sessions end.
    SetPassword { username: String },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RoleArg {
    Employee,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Employee => Role::Employee,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// A failure and its exit code: 1 for the store or a conflict, 2 for bad input.
struct Failure(u8, String);

fn usage(message: impl Into<String>) -> Failure {
    Failure(2, message.into())
}

fn failed(message: impl std::fmt::Display) -> Failure {
    Failure(1, message.to_string())
}

fn describe(errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|(field, code)| format!("{field}: {}", code.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn read_password() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| usage(format!("cannot read the password from stdin: {e}")))?;
    // Only the line ending is removed: passwords are never trimmed (S1.3).
    let password = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    Ok(password.to_owned())
}

fn blocklist(args: &UserArgs) -> Result<PasswordBlocklist, Failure> {
    match &args.password_blocklist_file {
        Some(path) => std::fs::read_to_string(path)
            .map(|text| PasswordBlocklist::from_lines(&text))
            .map_err(|e| usage(format!("PASSWORD_BLOCKLIST_FILE cannot be read: {e}"))),
        None => Ok(PasswordBlocklist::default()),
    }
}

fn hash(password: String) -> Result<String, Failure> {
    hash_blocking(&password).map_err(failed)
}

async fn find(store: &SqlStore, username: &str) -> Result<domain::ports::UserAccount, Failure> {
    store
        .find_user_by_login(&LoginKey::parse(username))
        .await
        .map_err(failed)?
        .ok_or_else(|| failed(format!("no user named {username}")))
}

async fn execute(args: &UserArgs, store: &SqlStore) -> Result<String, Failure> {
    let now = Utc::now();
    match &args.command {
        UserCommand::Create {
            username,
            email,
            admin,
        } => {
            let password = read_password()?;
            let rules = RegistrationRules {
                blocklist: blocklist(args)?,
                ..RegistrationRules::default()
            };
            let input = RegistrationInput {
                username: Some(username.clone()),
                email: Some(email.clone()),
                password: Some(password.clone()),
                confirm_password: Some(password),
            };
            let valid = validate_registration(&input, &rules)
                .map_err(|e| usage(format!("invalid account: {}", describe(&e))))?;
            let role = if *admin { Role::Admin } else { Role::Employee };
            let user = store
                .create_user(
                    &NewUser {
                        username: valid.username,
                        email: valid.email,
                        password_hash: hash(valid.password)?,
                        role,
                    },
                    now,
                )
                .await
                .map_err(|e| match e {
                    CreateUserError::EmailTaken => failed("email_taken"),
                    CreateUserError::UsernameTaken => failed("username_taken"),
                    CreateUserError::Store(e) => failed(e),
                })?;
            Ok(format!(
                "created {} (id {}, {role})",
                user.username, user.id
            ))
        }
        UserCommand::SetRole { username, role } => {
            let user = find(store, username).await?;
            let role = Role::from(*role);
            store.set_role(user.id, role, now).await.map_err(failed)?;
            Ok(format!(
                "{} is now {role}; their sessions ended",
                user.username
            ))
        }
        UserCommand::SetPassword { username } => {
            let user = find(store, username).await?;
            let password = read_password()?;
            if password.is_empty() {
                return Err(usage("password: required"));
            }
            if let Some(code) =
                password_violation(&password, &user.username, &user.email, &blocklist(args)?)
            {
                return Err(usage(format!("password: {}", code.as_str())));
            }
            let phc = hash(password)?;
            store
                .set_password_hash(user.id, &phc, now)
                .await
                .map_err(failed)?;
            Ok(format!(
                "password of {} changed; their sessions ended",
                user.username
            ))
        }
    }
}

pub fn run(args: &UserArgs) -> ExitCode {
    let outcome = (|| {
        let url = DatabaseUrl::parse(&args.database_url).map_err(|e| usage(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(failed)?;
        runtime.block_on(async {
            let store = SqlStore::new(&url).map_err(failed)?;
            execute(args, &store).await
        })
    })();
    match outcome {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(Failure(code, message)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

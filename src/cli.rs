//! The command line: `access-tokens` serves; `access-tokens user ...` manages accounts on the same
//! database, for operators (passwords are read from standard input, never from arguments, which
//! other users of the machine can see).

use std::io::BufRead;

use clap::{Parser, Subcommand, ValueEnum};

use crate::{
    audit::record::Actor,
    paging::Paging,
    people::{
        accounts::{self, Changes, NewAccount},
        store,
    },
    store::Store,
};

#[derive(Parser)]
#[command(
    name = "access-tokens",
    version,
    about = "Workspace API access tokens: web app, REST API and admin commands."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the web app and the REST API (the default).
    Serve,
    /// Manage accounts in the database that DATABASE_URL names.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account; its password is read from standard input.
    Add {
        username: String,
        /// Display name (defaults to the username).
        #[arg(long)]
        name: Option<String>,
        /// Make the account a workspace admin.
        #[arg(long)]
        admin: bool,
    },
    /// List the accounts.
    List,
    /// Set an account's password, read from standard input.
    SetPassword { username: String },
    /// Make an account an admin or a member.
    SetRole { username: String, role: RoleArg },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Member,
}

/// Runs a `user` command and returns what to print.
pub async fn run_user_command(store: &Store, command: UserCommand) -> Result<String, String> {
    match command {
        UserCommand::Add { username, name, admin } => {
            let password = read_password()?;
            let account =
                NewAccount { username: &username, name: name.as_deref(), password: &password, is_admin: admin };
            let person = accounts::add(store, &Actor::console(), account).await.map_err(|error| error.to_string())?;
            Ok(format!("added {} ({}, {})", person.username, person.name, person.role()))
        }
        UserCommand::List => {
            let mut lines = Vec::new();
            loop {
                let paging = Paging::new(Paging::MAX_LIMIT, lines.len() as i64).expect("a valid page");
                let page = store::list(store, paging).await.map_err(|error| error.to_string())?;
                let done = page.data.len() < Paging::MAX_LIMIT as usize;
                lines.extend(
                    page.data.iter().map(|person| {
                        format!("{}\t{}\t{}\t{}", person.id, person.username, person.role(), person.name)
                    }),
                );
                if done {
                    break;
                }
            }
            Ok(lines.join("\n"))
        }
        UserCommand::SetPassword { username } => {
            let password = read_password()?;
            let person = find(store, &username).await?;
            let changes = Changes { password: Some(&password), ..Changes::default() };
            accounts::change(store, &Actor::console(), person.id, changes, None)
                .await
                .map_err(|error| error.to_string())?;
            Ok(format!("set the password of {}", person.username))
        }
        UserCommand::SetRole { username, role } => {
            let person = find(store, &username).await?;
            let changes = Changes { is_admin: Some(matches!(role, RoleArg::Admin)), ..Changes::default() };
            let person = accounts::change(store, &Actor::console(), person.id, changes, None)
                .await
                .map_err(|error| error.to_string())?;
            Ok(format!("{} is now {}", person.username, person.role()))
        }
    }
}

async fn find(store: &Store, username: &str) -> Result<crate::people::Person, String> {
    store::find_by_username(store, username)
        .await
        .map_err(|error| error.to_string())?
        .ok_or_else(|| format!("no user named {username:?}"))
}

/// One line of standard input without its line ending.
fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|error| format!("cannot read the password: {error}"))?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_owned())
}

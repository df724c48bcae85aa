use std::process::ExitCode;

use access_tokens::{
    cli::{Cli, Command},
    config::{self, LogFormat, Settings},
    startup,
    store::{self, Store},
};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let log = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")));
    match LogFormat::from_env() {
        Ok(LogFormat::Text) => log.init(),
        // One object per line; the request's span (its id, method and path) goes with each.
        Ok(LogFormat::Json) => log.json().with_current_span(true).with_span_list(false).init(),
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    }

    let result = match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::User(command) => user(command).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), String> {
    let settings = Settings::from_env()?;
    tracing::info!("database: {}", store::redact(&settings.database_url));
    startup::serve(settings).await.map_err(|error| error.to_string())
}

async fn user(command: access_tokens::cli::UserCommand) -> Result<(), String> {
    let url = config::database_url();
    let store = Store::connect(&url).await.map_err(|error| error.to_string())?;
    store.migrate().await.map_err(|error| error.to_string())?;
    let output = access_tokens::cli::run_user_command(&store, command).await;
    store.close().await;
    println!("{}", output?);
    Ok(())
}

//! The `skyledger` command line.

mod commands;
mod config;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::Context;

/// Skyledger: a self-hosted, multi-cloud FinOps platform serving the CloudSpend REST API.
#[derive(Debug, Parser)]
#[command(name = "skyledger", version, about, long_about = None)]
struct Cli {
    /// Data directory: the SQLite metadata store, the cost store and ingest state live here.
    #[arg(
        long,
        global = true,
        env = "SKYLEDGER_DATA_DIR",
        default_value = "skyledger-data"
    )]
    data_dir: PathBuf,
    /// Configuration file (TOML); see skyledger.example.toml. SKYLEDGER_<SECTION>_<KEY>
    /// environment variables override it.
    #[arg(long, global = true, env = "SKYLEDGER_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (migrating the metadata store first).
    Serve {
        /// Address to listen on (overrides server.listen; default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply metadata-store migrations and exit.
    Migrate,
    /// Print the route inventory: method, path, scope, and whether it is implemented.
    Routes {
        /// Only the routes that still answer 501.
        #[arg(long)]
        missing: bool,
        /// One JSON object per route instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Access tokens.
    Token {
        #[command(subcommand)]
        command: commands::admin::TokenCommand,
    },
    /// Users.
    Users {
        #[command(subcommand)]
        command: commands::admin::UsersCommand,
    },
    /// Generate realistic AWS, Azure and Google Cloud exports, ingest them through the real
    /// readers, print a token and a sign-in, and serve the API.
    Demo(commands::demo::DemoArgs),
    /// Ingest billing deliveries into the cost store.
    Ingest(commands::ingest::IngestArgs),
    /// Cost accounts.
    Accounts {
        #[command(subcommand)]
        command: commands::ingest::AccountsCommand,
    },
    /// OAuth clients.
    Oauth {
        #[command(subcommand)]
        command: commands::oauth::OauthCommand,
    },
    /// Forecast time series (CSV in, CSV out).
    Forecast(commands::insight::ForecastArgs),
    /// Score each point of a `timestamp,value` series for anomalies.
    Detect(commands::insight::DetectArgs),
}

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    limit_malloc_arenas();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// glibc gives threads that allocate arenas of their own, up to eight per core, and an
/// ingest's encoder threads leave freed memory spread over them. With two arenas the 10 M-row
/// CUR 2.0 ingest peaked at 446 MiB instead of 654 MiB at the same speed. glibc reads
/// `MALLOC_ARENA_MAX` when the process starts, so this sets it by running the binary again
/// (once: the variable is then set; a user's own setting is kept).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    // `exec` only returns if it failed; then this process goes on with the default arenas.
    let _ = command.args(args).env("MALLOC_ARENA_MAX", "2").exec();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // The pure CSV commands need neither configuration nor a runtime.
    match &cli.command {
        Command::Forecast(args) => return commands::insight::forecast(args),
        Command::Detect(args) => return commands::insight::detect(args),
        _ => {}
    }
    let config = config::Config::load(cli.config.as_deref(), std::env::vars())?;
    let ctx = Context {
        data_dir: cli.data_dir,
        config,
    };
    if let Command::Routes { missing, json } = cli.command {
        return commands::admin::routes(missing, json);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve { listen } => commands::serve::serve(ctx, listen).await,
            Command::Migrate => commands::admin::migrate(&ctx).await,
            Command::Token { command } => commands::admin::token(&ctx, command).await,
            Command::Users { command } => commands::admin::users(&ctx, command).await,
            Command::Oauth { command } => {
                let meta = ctx.meta().await?;
                commands::oauth::run(&meta, &command).await
            }
            Command::Demo(args) => commands::demo::run(ctx, args).await,
            Command::Ingest(args) => {
                commands::ingest::check_paths(&args.paths)?;
                commands::ingest::run(&ctx, &args).await
            }
            Command::Accounts { command } => commands::ingest::accounts(&ctx, &command).await,
            Command::Routes { .. } | Command::Forecast(_) | Command::Detect(_) => {
                unreachable!("handled above")
            }
        }
    })
}

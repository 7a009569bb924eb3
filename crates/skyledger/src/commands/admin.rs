//! `migrate`, `routes`, `token create` and `users create-admin`.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context as _, bail};
use clap::Subcommand;
use skyledger_auth::tokens::{TokenGrant, issue_access_token};
use skyledger_types::Scopes;

use super::Context;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an access token and print only the token on standard output.
    Create {
        /// Comma-separated scopes: CloudSpend.Internal.Read, .Create, .Update, .Delete or .ALL.
        #[arg(long)]
        scope: String,
        /// The user the token acts for (e-mail); default: the organisation, no user.
        #[arg(long)]
        user: Option<String>,
        /// Lifetime in seconds (default 3600, as OAuth access tokens).
        #[arg(long, default_value_t = 3600)]
        expires_in: i64,
        /// A label to recognise the token by in listings.
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an administrator. The password is prompted for on a terminal, or read as one
    /// line from standard input otherwise.
    CreateAdmin {
        /// The administrator's e-mail address (the sign-in name).
        #[arg(long)]
        email: String,
    },
}

pub async fn migrate(ctx: &Context) -> anyhow::Result<()> {
    let meta = ctx.meta().await?;
    println!("metadata store is up to date ({:?})", meta.backend());
    Ok(())
}

pub fn routes(missing: bool, json: bool) -> anyhow::Result<()> {
    let routes = skyledger_api::inventory();
    let built = routes.iter().filter(|r| r.implemented).count();
    let mut out = std::io::stdout().lock();
    for route in routes.iter().filter(|r| !missing || !r.implemented) {
        if json {
            writeln!(out, "{}", serde_json::to_string(route)?)?;
        } else {
            let state = if route.implemented {
                "implemented"
            } else {
                "missing (501)"
            };
            writeln!(
                out,
                "{:<6} {:<78} {:<27} {}",
                route.method, route.path, route.scope, state
            )?;
        }
    }
    if !json {
        writeln!(
            out,
            "{} routes registered, {} implemented, {} missing",
            routes.len(),
            built,
            routes.len() - built
        )?;
    }
    Ok(())
}

pub async fn token(ctx: &Context, command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create {
        scope,
        user,
        expires_in,
        label,
    } = command;
    let scopes = Scopes::parse(&scope)?;
    if scopes.is_empty() {
        bail!("--scope: give at least one scope");
    }
    if expires_in <= 0 {
        bail!("--expires-in: must be a positive number of seconds");
    }
    let meta = ctx.meta().await?;
    let (org_id, user_id) = match user {
        Some(email) => {
            let user = meta
                .user_by_email(&email)
                .await?
                .with_context(|| format!("--user: no user with e-mail {email}"))?;
            (user.org_id, Some(user.id))
        }
        None => {
            let org = &ctx.config.organization;
            (meta.default_org(&org.name, &org.time_zone).await?.id, None)
        }
    };
    let grant = TokenGrant {
        org_id: &org_id,
        user_id: user_id.as_deref(),
        client_id: None,
        grant_id: None,
        scopes,
        label: &label,
        expires_in_secs: expires_in,
    };
    let (token, _) = issue_access_token(&meta, &grant).await?;
    println!("{token}");
    Ok(())
}

pub async fn users(ctx: &Context, command: UsersCommand) -> anyhow::Result<()> {
    let UsersCommand::CreateAdmin { email } = command;
    let password = read_password()?;
    let meta = ctx.meta().await?;
    let org = &ctx.config.organization;
    let user = skyledger_auth::passwords::create_admin(
        &meta,
        &email,
        &password,
        &org.name,
        &org.time_zone,
    )
    .await?;
    eprintln!("created administrator {} (id {})", user.email, user.id);
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ")?;
        let second = rpassword::prompt_password("again: ")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let password = line.trim_end_matches(['\r', '\n']).to_string();
        if password.is_empty() {
            bail!("no password on standard input");
        }
        Ok(password)
    }
}

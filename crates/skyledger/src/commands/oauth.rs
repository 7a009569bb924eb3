//! `skyledger oauth clients create|list|delete|code`: OAuth client registration from the terminal.

use anyhow::{Context as _, bail};
use clap::Subcommand;
use skyledger_auth::oauth::clients::find_client;
use skyledger_auth::oauth::flows::{parse_scopes, self_client_code};
use skyledger_auth::oauth::{ClientSpec, ClientType, register_client};
use skyledger_meta::Meta;

#[derive(Debug, Subcommand)]
pub enum OauthCommand {
    /// OAuth clients: the applications that may ask users for access.
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register a client; prints its client id and secret (the secret is shown only once).
    Create {
        /// The application's name, shown to users on the consent page.
        #[arg(long)]
        name: String,
        /// The client type: server, client (JavaScript, no secret), mobile, non_browser
        /// (device flow), self (client credentials for its owner) or org (instance-level).
        #[arg(long = "type")]
        client_type: String,
        /// The application's home page URL (required for every type but self).
        #[arg(long)]
        homepage: Option<String>,
        /// An authorized redirect URI (http:// or https://), compared exactly; repeat the flag
        /// for several. Required for server, client, mobile and org clients.
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// The JavaScript domain of a client-based application.
        #[arg(long)]
        js_domain: Option<String>,
        /// E-mail of the user whose organisation owns the client; a self client acts as this
        /// user. Default: the first administrator of the first organisation.
        #[arg(long)]
        owner: Option<String>,
    },
    /// List the clients of every organisation (never their secrets).
    List,
    /// Delete a client and revoke every grant and access token it holds.
    Delete {
        /// The client id (`1000.…`).
        client_id: String,
    },
    /// Generate an authorization code for a self client, as the API console does; it is valid
    /// for 2 minutes and exchanged at POST /oauth/v2/token (grant_type=authorization_code).
    Code {
        /// The self client's id (`1000.…`).
        client_id: String,
        /// Comma-separated scopes: CloudSpend.Internal.Read, .Create, .Update, .Delete or .ALL.
        #[arg(long)]
        scope: String,
    },
}

pub async fn run(meta: &Meta, cmd: &OauthCommand) -> anyhow::Result<()> {
    let OauthCommand::Clients { command } = cmd;
    let now = skyledger_meta::now_ms();
    match command {
        ClientsCommand::Create {
            name,
            client_type,
            homepage,
            redirect_uris,
            js_domain,
            owner,
        } => {
            let client_type: ClientType = client_type.parse().context("--type")?;
            let owner = match owner {
                Some(email) => meta
                    .user_by_email(email)
                    .await?
                    .with_context(|| format!("--owner: no user with e-mail {email}"))?,
                None => {
                    let org =
                        meta.orgs().await?.into_iter().next().context(
                            "no organisation yet: run `skyledger users create-admin` first",
                        )?;
                    meta.users_of_org(&org.id)
                        .await?
                        .into_iter()
                        .find(|u| u.is_admin)
                        .context("no administrator yet: run `skyledger users create-admin` first")?
                }
            };
            let spec = ClientSpec {
                org_id: owner.org_id.clone(),
                name: name.clone(),
                client_type,
                homepage_url: homepage.clone(),
                redirect_uris: redirect_uris.clone(),
                js_domain: js_domain.clone(),
                owner_user_id: Some(owner.id.clone()),
            };
            let (client, secret) = register_client(meta, &spec, now).await?;
            println!("client_id: {}", client.id);
            if let Some(secret) = secret {
                println!("client_secret: {secret}");
                eprintln!(
                    "Store the secret now: it is kept only as a hash and cannot be shown again."
                );
            }
        }
        ClientsCommand::List => {
            for org in meta.orgs().await? {
                for c in meta.oauth_clients_of_org(&org.id).await? {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        c.id,
                        c.client_type,
                        org.name,
                        c.name,
                        c.redirect_uris.join(" ")
                    );
                }
            }
        }
        ClientsCommand::Delete { client_id } => {
            let client = find_client(meta, client_id)
                .await
                .with_context(|| format!("no client {client_id}"))?;
            meta.delete_oauth_client(&client.org_id, &client.id, now)
                .await?;
            println!("deleted {client_id}; its grants and tokens are revoked");
        }
        ClientsCommand::Code { client_id, scope } => {
            let scopes = parse_scopes(Some(scope)).context("--scope")?;
            let client = find_client(meta, client_id)
                .await
                .with_context(|| format!("no client {client_id}"))?;
            if client.client_type != ClientType::SelfClient.as_str() {
                bail!("{client_id} is not a self client");
            }
            println!("{}", self_client_code(meta, &client, scopes, now).await?);
        }
    }
    Ok(())
}

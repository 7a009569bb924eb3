//! `skyledger demo`: realistic exports through the real readers, then the API served with a
//! printed token and a demo administrator.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use skyledger_auth::tokens::{TokenGrant, issue_access_token};
use skyledger_types::Scopes;

use super::Context;
use super::ingest::{IngestArgs, ingest_all, print_summary};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Seed of the generator: the same seed gives the same exports.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Line items to generate over all clouds (13 months).
    #[arg(long, default_value_t = skyledger_demo::DEFAULT_ROWS)]
    pub rows: u64,
    /// Generate and ingest, print the token, but do not serve.
    #[arg(long)]
    pub no_serve: bool,
    /// Keep the generated exports in DATA_DIR/demo-exports (by default each cloud's exports
    /// are deleted once ingested, so that disk use stays bounded by one cloud's exports and
    /// the cost store, whatever `--rows`).
    #[arg(long)]
    pub keep_exports: bool,
}

pub async fn run(ctx: Context, args: DemoArgs) -> anyhow::Result<()> {
    let exports = ctx.data_dir.join("demo-exports");
    let today = chrono::Utc::now().date_naive();
    let spec = skyledger_demo::DemoSpec {
        rows: args.rows,
        ..skyledger_demo::DemoSpec::new(args.seed, skyledger_demo::last_complete_month(today))
    };
    eprintln!(
        "generating {} line items of demo billing exports in {} …",
        args.rows,
        exports.display()
    );
    if exports.exists() {
        std::fs::remove_dir_all(&exports)
            .with_context(|| format!("removing {}", exports.display()))?;
    }
    let meta = ctx.meta().await?;
    let ledger = ctx.ledger().await?;
    let org = ctx.org(&meta).await?;
    // One cloud's exports at a time: generated, ingested through the real readers, then deleted
    // (unless kept). The files are those one `generate` of the whole spec would write.
    let (mut generate_s, mut ingest_s) = (0.0, 0.0);
    let (mut files, mut rows, mut anomalies) = (0, 0u64, vec![]);
    let mut summaries = vec![];
    for part in spec.per_format() {
        let started = std::time::Instant::now();
        let generated = {
            let exports = exports.clone();
            tokio::task::spawn_blocking(move || {
                skyledger_demo::generate(&part, &exports, &|_| {}).map_err(anyhow::Error::from)
            })
            .await??
        };
        generate_s += started.elapsed().as_secs_f64();
        files += generated.files.len();
        anomalies.extend(generated.anomalies.iter().cloned());
        // Azure's actual and amortized exports of each month are paired by the ingest into one
        // period holding both views.
        let ingest_args = IngestArgs {
            paths: generated.files.iter().map(|f| f.path.clone()).collect(),
            account_name: None,
            format: None,
            skip_bad_rows: false,
            force: true,
            json: false,
        };
        let started = std::time::Instant::now();
        let done = ingest_all(&meta, &ledger, &org, &ingest_args, false).await?;
        ingest_s += started.elapsed().as_secs_f64();
        rows += done.iter().map(|s| s.rows).sum::<u64>();
        summaries.extend(done);
        if !args.keep_exports {
            for dir in export_folders(&exports, &generated) {
                std::fs::remove_dir_all(&dir)
                    .with_context(|| format!("removing {}", dir.display()))?;
            }
        }
    }
    let anomalies_path = exports.join("demo-anomalies.json");
    std::fs::create_dir_all(&exports)?;
    std::fs::write(&anomalies_path, serde_json::to_vec_pretty(&anomalies)?)
        .with_context(|| format!("writing {}", anomalies_path.display()))?;
    eprintln!(
        "generated {files} files in {generate_s:.1} s; {} injected anomalies listed in {}{}",
        anomalies.len(),
        anomalies_path.display(),
        if args.keep_exports {
            ""
        } else {
            " (exports deleted once ingested; --keep-exports keeps them)"
        }
    );
    eprintln!(
        "ingested {rows} rows from {} files in {ingest_s:.1} s",
        summaries.len()
    );
    if let Some(last) = summaries.last() {
        print_summary(last, ingest_s / summaries.len() as f64);
    }
    for account in meta.cost_accounts(&org).await? {
        println!(
            "cost account {}  {}  (cloud_type {})",
            account.id, account.name, account.cloud_type
        );
    }

    let org_cfg = &ctx.config.organization;
    let (email, password) =
        skyledger_auth::passwords::demo_admin(&meta, &org_cfg.name, &org_cfg.time_zone)
            .await
            .context("creating the demo administrator")?;
    let user = meta
        .user_by_email(&email)
        .await?
        .context("demo administrator")?;
    let grant = TokenGrant {
        org_id: &org,
        user_id: Some(&user.id),
        client_id: None,
        grant_id: None,
        scopes: Scopes::all(),
        label: "demo",
        expires_in_secs: 24 * 3600,
    };
    let (token, _) = issue_access_token(&meta, &grant).await?;
    println!();
    println!("API:      http://{}/cs/api/cost/...", args.listen);
    println!("token:    {token}   (CloudSpend.Internal.ALL, 24 h)");
    println!(
        "sign-in:  http://{}/oauth/v2/signin as {email} / {password}",
        args.listen
    );
    println!(
        "try:      curl -H 'Authorization: Zoho-oauthtoken {token}' http://{}/readyz",
        args.listen
    );
    meta.close().await;
    drop(ledger);
    if args.no_serve {
        return Ok(());
    }
    super::serve::serve(ctx, Some(args.listen)).await
}

/// The top folders under `exports` that hold a generation's files.
fn export_folders(exports: &Path, generated: &skyledger_demo::DemoOutput) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = generated
        .files
        .iter()
        .filter_map(|f| f.path.strip_prefix(exports).ok())
        .filter_map(|rel| rel.components().next())
        .map(|c| exports.join(c))
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out.dedup();
    out
}

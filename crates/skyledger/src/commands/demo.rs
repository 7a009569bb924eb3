//! `skyledger demo`: realistic exports through the real readers, then the API served with a
//! printed token and a demo administrator.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use skyledger_auth::tokens::{TokenGrant, issue_access_token};
use skyledger_core::ingestion::IngestSummary;
use skyledger_types::Scopes;
use skyledger_types::cost_row::{CloudType, MONEY_SCALE};

use super::Context;
use super::ingest::{IngestArgs, ingest_all};

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
    for line in account_table(&summaries) {
        println!("{line}");
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

/// What the demo ingested, one line per cost account: cloud, rows, billing periods, billing
/// accounts, and the actual and amortized totals per currency (rounded to cents here; the API
/// and `skyledger ingest --json` give them exactly).
fn account_table(summaries: &[IngestSummary]) -> Vec<String> {
    #[derive(Default)]
    struct Account<'a> {
        name: &'a str,
        cloud: &'a str,
        rows: u64,
        periods: Vec<&'a str>,
        billing_accounts: Vec<&'a str>,
        /// (cost type, currency) → sum scaled by 10^MONEY_SCALE.
        totals: BTreeMap<(&'a str, &'a str), i128>,
    }
    let mut accounts: BTreeMap<&str, Account> = BTreeMap::new();
    for s in summaries.iter().filter(|s| s.skipped.is_none()) {
        let a = accounts.entry(&s.cost_account_id).or_default();
        a.name = &s.cost_account_name;
        a.cloud = CloudType::from_code(s.cloud_type).map_or("?", CloudType::name);
        a.rows += s.rows;
        a.periods
            .extend(s.periods.iter().map(|p| p.billing_period.as_str()));
        a.billing_accounts
            .extend(s.billing_accounts.iter().map(String::as_str));
        for t in &s.totals {
            if let Ok(v) = skyledger_ingest::decimal::parse_scaled(&t.amount, MONEY_SCALE as u32) {
                *a.totals.entry((t.cost_type, &t.currency)).or_default() += v;
            }
        }
    }
    let money = |a: &Account, cost_type: &str| -> String {
        let parts: Vec<String> = a
            .totals
            .iter()
            .filter(|((t, _), _)| *t == cost_type)
            .map(|((_, currency), v)| format!("{currency} {}", cents(*v)))
            .collect();
        if parts.is_empty() {
            "-".into()
        } else {
            parts.join(" + ")
        }
    };
    // cost account, cloud, name, rows, billing periods, billing accounts, actual, amortized
    let line = |cells: [&str; 8]| {
        format!(
            "{:<18} {:<5} {:<36} {:>11} {:<26} {:>8} {:>18} {:>18}",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]
        )
    };
    let mut lines = vec![line([
        "cost account",
        "cloud",
        "name",
        "rows",
        "billing periods",
        "billing",
        "actual",
        "amortized",
    ])];
    for (id, a) in &mut accounts {
        a.periods.sort_unstable();
        a.periods.dedup();
        a.billing_accounts.sort_unstable();
        a.billing_accounts.dedup();
        let periods = match (a.periods.first(), a.periods.last()) {
            (Some(first), Some(last)) if first != last => {
                format!("{first}..{last} ({})", a.periods.len())
            }
            (Some(only), _) => (*only).to_string(),
            _ => "-".into(),
        };
        lines.push(line([
            id,
            a.cloud,
            a.name,
            &a.rows.to_string(),
            &periods,
            &a.billing_accounts.len().to_string(),
            &money(a, "actual"),
            &money(a, "amortized"),
        ]));
    }
    lines
}

/// A sum scaled by 10^MONEY_SCALE as text rounded half to even to cents.
fn cents(v: i128) -> String {
    let c = skyledger_ingest::decimal::rescale(v, MONEY_SCALE, 2).unwrap_or(0);
    let sign = if c < 0 { "-" } else { "" };
    let a = c.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use skyledger_core::ingestion::{PeriodSummary, Total};

    fn summary(account: &str, cloud: i64, period: &str, actual: &str) -> IngestSummary {
        IngestSummary {
            cost_account_id: account.into(),
            cost_account_name: format!("{account} name"),
            cloud_type: cloud,
            rows: 10,
            periods: vec![PeriodSummary {
                billing_period: period.into(),
                rows: 10,
            }],
            billing_accounts: vec!["b1".into(), format!("b-{period}")],
            totals: vec![
                Total {
                    currency: "USD".into(),
                    cost_type: "actual",
                    cost_type_code: 20,
                    amount: actual.into(),
                },
                Total {
                    currency: "USD".into(),
                    cost_type: "amortized",
                    cost_type_code: 2,
                    amount: "1".into(),
                },
            ],
            skipped: None,
            ..IngestSummary::unchanged("x")
        }
    }

    #[test]
    fn the_demo_table_sums_each_cost_account_over_its_deliveries() {
        let mut skipped = summary("9", 0, "2026-01", "5");
        skipped.skipped = Some("unchanged".into());
        let lines = account_table(&[
            summary("7", 1, "2026-02", "0.004"),
            summary("7", 1, "2026-01", "1.0050000001"),
            summary("8", 0, "2026-03", "-2.125"),
            skipped,
        ]);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        let azure: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(
            azure,
            [
                "7",
                "Azure",
                "7",
                "name",
                "20",
                "2026-01..2026-02",
                "(2)",
                "3",
                "USD",
                "1.01",
                "USD",
                "2.00"
            ]
        );
        let aws: Vec<&str> = lines[2].split_whitespace().collect();
        assert_eq!(
            aws,
            [
                "8", "AWS", "8", "name", "10", "2026-03", "2", "USD", "-2.12", "USD", "1.00"
            ]
        );
    }
}

//! Azure actual and amortized exports of one month ingested as one period of one cost account.

use std::path::PathBuf;
use std::str::FromStr;

use rust_decimal::Decimal;
use skyledger_core::azure_pair::{Delivery, pair_with_history, plan};
use skyledger_core::ingestion::{ingest, ingest_azure_pair};
use skyledger_ledger::{CostQuery, DateRange};
use skyledger_types::cost_row::CostType;

use crate::{Stores, noop, request, stores};

/// Golden sums of `shared/data/README.md` (sum of `Cost` of each finops-toolkit sample).
const ACTUAL: &str = "8.5450077867419368";
const AMORTIZED: &str = "16.29693213663664462748541900";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../skyledger-ingest/tests/fixtures/azure")
        .join(name)
}

fn actual() -> PathBuf {
    fixture("finops-toolkit-EA_ActualCost_Small.csv")
}

fn amortized() -> PathBuf {
    fixture("finops-toolkit-EA_AmortizedCost_Small.csv")
}

async fn stored(s: &Stores, account: &str, cost_type: CostType) -> Decimal {
    let range = DateRange::new(
        chrono::NaiveDate::from_ymd_opt(2023, 9, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2023, 9, 30).unwrap(),
    )
    .unwrap();
    let mut query = CostQuery::new(range);
    query.cost_accounts = vec![account.to_string()];
    query.cost_type = cost_type;
    let table = s.ledger.query(&query).await.unwrap();
    table.rows.iter().map(|r| r.cost).sum()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[tokio::test]
async fn the_pair_lands_as_one_period_with_each_view_exact() {
    let s = stores().await;
    let summary = ingest_azure_pair(
        &s.meta,
        &s.ledger,
        &request(&s.org, actual(), false),
        &amortized(),
        noop(),
    )
    .await
    .unwrap();
    // 28 amortized rows (10 of them the actual export's usage) and the reservation purchase.
    assert_eq!(summary.rows, 29);
    let periods: Vec<_> = summary
        .periods
        .iter()
        .map(|p| (p.billing_period.as_str(), p.rows))
        .collect();
    assert_eq!(periods, vec![("2023-09", 29)]);
    assert_eq!(summary.files.len(), 2);
    let id = &summary.cost_account_id;
    assert_eq!(stored(&s, id, CostType::Actual).await, dec(ACTUAL));
    assert_eq!(stored(&s, id, CostType::Unblended).await, dec(ACTUAL));
    assert_eq!(stored(&s, id, CostType::Amortized).await, dec(AMORTIZED));
    let total = |t: &str| {
        summary
            .totals
            .iter()
            .find(|x| x.cost_type == t)
            .map(|x| dec(&x.amount))
            .unwrap()
    };
    assert_eq!(total("actual"), dec(ACTUAL));
    assert_eq!(total("amortized"), dec(AMORTIZED));
    let accounts = s.meta.cost_accounts(&s.org).await.unwrap();
    assert_eq!(accounts.len(), 1, "one billing source, one cost account");
    let billing = s
        .meta
        .billing_accounts(&s.org, &accounts[0].id)
        .await
        .unwrap();
    assert_eq!(billing.len(), 5, "the subscriptions of both files");

    // The same pair again (forced) replaces the period: nothing is counted twice.
    ingest_azure_pair(
        &s.meta,
        &s.ledger,
        &request(&s.org, actual(), true),
        &amortized(),
        noop(),
    )
    .await
    .unwrap();
    assert_eq!(stored(&s, id, CostType::Actual).await, dec(ACTUAL));
    assert_eq!(stored(&s, id, CostType::Amortized).await, dec(AMORTIZED));
}

#[tokio::test]
async fn one_view_alone_replaces_the_paired_period_without_adding_to_it() {
    let s = stores().await;
    // The actual export has moved away since: the amortized one cannot be paired again.
    let moved = s.dir.path().join("EA_ActualCost_Small.csv");
    std::fs::copy(actual(), &moved).unwrap();
    let pair = ingest_azure_pair(
        &s.meta,
        &s.ledger,
        &request(&s.org, moved.clone(), false),
        &amortized(),
        noop(),
    )
    .await
    .unwrap();
    std::fs::remove_file(&moved).unwrap();
    let planned = pair_with_history(&s.meta, &s.org, plan(&[amortized()]))
        .await
        .unwrap();
    assert_eq!(planned[0].delivery, Delivery::One(amortized()));
    let note = planned[0].note.as_deref().unwrap();
    assert!(note.contains("only the amortized view"), "{note}");
    let alone = ingest(
        &s.meta,
        &s.ledger,
        &request(&s.org, amortized(), false),
        noop(),
    )
    .await
    .unwrap();
    assert_eq!(alone.cost_account_id, pair.cost_account_id);
    let id = &pair.cost_account_id;
    // The amortized view alone: its cost is the amortized total, never pair + file.
    assert_eq!(stored(&s, id, CostType::Amortized).await, dec(AMORTIZED));
    // Billed cost is derived from it (commitment-covered usage billed 0): 16.2969… - 0.493152
    // - 0.006000000468 of covered usage.
    assert_eq!(
        stored(&s, id, CostType::Actual).await,
        dec(AMORTIZED) - dec("0.493152") - dec("0.006000000468")
    );
}

#[tokio::test]
async fn the_view_that_lands_second_is_paired_with_the_first() {
    let s = stores().await;
    let first = ingest(
        &s.meta,
        &s.ledger,
        &request(&s.org, actual(), false),
        noop(),
    )
    .await
    .unwrap();
    assert_eq!(
        stored(&s, &first.cost_account_id, CostType::Amortized).await,
        dec(ACTUAL) - dec("3.25"),
        "the actual view alone amortizes nothing it cannot see"
    );
    let planned = pair_with_history(&s.meta, &s.org, plan(&[amortized()]))
        .await
        .unwrap();
    assert_eq!(
        planned[0].delivery,
        Delivery::AzurePair {
            actual: actual(),
            amortized: amortized()
        }
    );
    assert!(
        planned[0]
            .note
            .as_deref()
            .unwrap()
            .contains("paired with the actual export")
    );
    let Delivery::AzurePair { actual, amortized } = &planned[0].delivery else {
        unreachable!()
    };
    let second = ingest_azure_pair(
        &s.meta,
        &s.ledger,
        &request(&s.org, actual.clone(), false),
        amortized,
        noop(),
    )
    .await
    .unwrap();
    assert_eq!(second.cost_account_id, first.cost_account_id);
    let id = &first.cost_account_id;
    assert_eq!(stored(&s, id, CostType::Actual).await, dec(ACTUAL));
    assert_eq!(stored(&s, id, CostType::Amortized).await, dec(AMORTIZED));
}

#[tokio::test]
async fn a_pair_of_two_months_is_refused_and_nothing_is_stored() {
    let s = stores().await;
    let text = std::fs::read_to_string(amortized())
        .unwrap()
        .replace("09/01/2023,09/30/2023", "10/01/2023,10/31/2023");
    let october = s.dir.path().join("october-amortized.csv");
    std::fs::write(&october, text).unwrap();
    let err = ingest_azure_pair(
        &s.meta,
        &s.ledger,
        &request(&s.org, actual(), false),
        &october,
        noop(),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("same billing account and period"),
        "{err}"
    );
    assert!(s.meta.cost_accounts(&s.org).await.unwrap().is_empty());
}

/// The demo's Azure enrollment (reservations from its third month on): every month's actual and
/// amortized exports land as one period, each view equal to its file's `Cost` total, and the
/// reservation purchases make the views differ by charge category and by day.
#[tokio::test]
async fn the_demo_pairs_land_with_both_views_and_reservations_amortized() {
    let s = stores().await;
    let exports = s.dir.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    let spec = skyledger_demo::DemoSpec {
        rows: 60_000,
        formats: skyledger_demo::Formats::AZURE,
        ..skyledger_demo::DemoSpec::new(7, (2026, 10))
    };
    let generated = skyledger_demo::generate(&spec, &exports, &|_| {}).unwrap();
    let paths: Vec<PathBuf> = generated.files.iter().map(|f| f.path.clone()).collect();
    let planned = plan(&paths);
    assert_eq!(planned.len(), 13, "13 months, one pair each");
    let file_total = |path: &PathBuf| {
        let f = generated.files.iter().find(|f| &f.path == path).unwrap();
        f.totals.sums["Cost"]
    };
    let mut account = String::new();
    let (mut actual_sum, mut amortized_sum) = (Decimal::ZERO, Decimal::ZERO);
    for p in planned {
        let Delivery::AzurePair { actual, amortized } = p.delivery else {
            panic!("a single view: {:?}", p.note);
        };
        let summary = ingest_azure_pair(
            &s.meta,
            &s.ledger,
            &request(&s.org, actual.clone(), false),
            &amortized,
            noop(),
        )
        .await
        .unwrap();
        assert_eq!(summary.periods.len(), 1);
        let total = |t: &str| {
            summary
                .totals
                .iter()
                .find(|x| x.cost_type == t)
                .map(|x| dec(&x.amount))
                .unwrap()
        };
        assert_eq!(total("actual"), file_total(&actual), "{}", actual.display());
        assert_eq!(total("amortized"), file_total(&amortized));
        actual_sum += file_total(&actual);
        amortized_sum += file_total(&amortized);
        account = summary.cost_account_id;
    }
    assert_eq!(s.meta.cost_accounts(&s.org).await.unwrap().len(), 1);
    let range = DateRange::new(
        chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    )
    .unwrap();
    let query = |cost_type: CostType, category: Option<&str>| {
        let mut q = CostQuery::new(range);
        q.cost_accounts = vec![account.clone()];
        q.cost_type = cost_type;
        q.charge_categories = category.map(|c| vec![c.to_string()]).unwrap_or_default();
        q
    };
    let sum = |q: CostQuery| {
        let ledger = &s.ledger;
        async move {
            let t = ledger.query(&q).await.unwrap();
            t.rows.iter().map(|r| r.cost).sum::<Decimal>()
        }
    };
    assert_eq!(sum(query(CostType::Actual, None)).await, actual_sum);
    assert_eq!(sum(query(CostType::Amortized, None)).await, amortized_sum);
    let purchases = sum(query(CostType::Actual, Some("Purchase"))).await;
    assert!(purchases > Decimal::ZERO, "the demo buys reservations");
    assert_eq!(
        sum(query(CostType::Amortized, Some("Purchase"))).await,
        Decimal::ZERO,
        "a purchase is spread over the usage it covers, not counted again"
    );
    assert!(
        sum(query(CostType::Amortized, Some("Usage"))).await
            > sum(query(CostType::Actual, Some("Usage"))).await,
        "covered usage is billed 0 and amortized at the reservation's rate"
    );
}

#[tokio::test]
async fn a_polled_folder_pairs_the_two_exports_of_a_month() {
    use skyledger_core::sources::{SourceOptions, SourceRequest, SourceUrl, ingest_source};

    let s = stores().await;
    // As Cost Management writes two scheduled exports: one folder per export and month.
    let root = tempfile::tempdir().unwrap();
    let place = |export: &str, file: &PathBuf| {
        let dir = root.path().join(export).join("20230901-20230930");
        std::fs::create_dir_all(&dir).unwrap();
        let to = dir.join(file.file_name().unwrap());
        std::fs::copy(file, &to).unwrap();
        to
    };
    place("daily-actual", &actual());
    let amortized_copy = place("daily-amortized", &amortized());
    let request = SourceRequest {
        org_id: s.org.clone(),
        url: SourceUrl::parse(&root.path().display().to_string()).unwrap(),
        account_name: Some("Payer".into()),
        format: None,
        skip_bad_rows: false,
        force: false,
        options: SourceOptions::default(),
        work_dir: Some(s.dir.path().join("tmp")),
    };
    let poll = || ingest_source(&s.meta, &s.ledger, &request, "node-a", noop());
    let outcomes = poll().await.unwrap();
    assert_eq!(
        outcomes.len(),
        1,
        "one delivery of both views: {outcomes:?}"
    );
    assert!(outcomes[0].url.contains(" + "), "{}", outcomes[0].url);
    let Some(Ok(summary)) = &outcomes[0].result else {
        panic!("{outcomes:?}")
    };
    assert_eq!(summary.rows, 29);
    let id = summary.cost_account_id.clone();
    assert_eq!(stored(&s, &id, CostType::Actual).await, dec(ACTUAL));
    assert_eq!(stored(&s, &id, CostType::Amortized).await, dec(AMORTIZED));

    // Polled again: both unchanged.
    let again = poll().await.unwrap();
    assert_eq!(again.len(), 2);
    assert!(again.iter().all(|o| o.result.is_none()), "{again:?}");

    // A new amortized export of the month (Cost Management rewrites it): the pair again,
    // nothing counted twice.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let text = std::fs::read(&amortized_copy).unwrap();
    std::fs::write(&amortized_copy, [text.as_slice(), b"\n"].concat()).unwrap();
    let restated = poll().await.unwrap();
    let ingested: Vec<_> = restated.iter().filter(|o| o.result.is_some()).collect();
    assert_eq!(ingested.len(), 1, "{restated:?}");
    assert!(matches!(ingested[0].result, Some(Ok(_))), "{restated:?}");
    assert_eq!(stored(&s, &id, CostType::Actual).await, dec(ACTUAL));
    assert_eq!(stored(&s, &id, CostType::Amortized).await, dec(AMORTIZED));
}

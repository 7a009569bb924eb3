//! Every CostQuery term against sums computed from the input rows, on rollups and line items.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use skyledger_ledger::{
    CostQuery, CostType, DateRange, Dimension, Granularity, Ledger, Order, QuerySource, TagFilter,
    batches_of,
};

use crate::common::*;

struct Fixture {
    _dir: tempfile::TempDir,
    with_rollups: Ledger,
    line_items_only: Ledger,
    rows: Vec<Row>,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(dir.path()).await;
    let schema = ledger.schema().clone();
    let a = rows(11, 8_000, date("2025-01-01"), 59);
    let b = rows(12, 4_000, date("2025-01-15"), 30);
    ledger
        .replace_periods(
            "acct-a",
            skyledger_ledger::Periods::Seen,
            batches_of(batches(&schema, &a, 1_500)),
        )
        .await
        .unwrap();
    ledger
        .replace_periods(
            "acct-b",
            skyledger_ledger::Periods::Seen,
            batches_of(batches(&schema, &b, 1_500)),
        )
        .await
        .unwrap();
    let mut opts = options();
    opts.daily_rollups = false;
    let line_items_only = Ledger::open(dir.path().to_str().unwrap(), opts)
        .await
        .unwrap();
    // Account b's rows are tagged with their account to tell them apart.
    let mut all: Vec<Row> = a;
    all.extend(b.into_iter().map(|mut r| {
        r.sub_account = format!("b{}", r.sub_account);
        r
    }));
    Fixture {
        _dir: dir,
        with_rollups: ledger,
        line_items_only,
        rows: all,
    }
}

fn is_b(r: &Row) -> bool {
    r.sub_account.starts_with('b')
}

fn sub(r: &Row) -> String {
    r.sub_account.trim_start_matches('b').to_string()
}

fn week_start(d: NaiveDate) -> NaiveDate {
    d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday()))
}

type Table = Vec<(Option<NaiveDate>, Vec<Option<String>>, Decimal)>;

async fn run(f: &Fixture, q: &CostQuery, expect_rollup: bool) -> Table {
    let mut results = vec![];
    for (ledger, rollup_possible) in [(&f.with_rollups, true), (&f.line_items_only, false)] {
        let t = ledger.query(q).await.unwrap();
        let want = if expect_rollup && rollup_possible {
            QuerySource::Rollup
        } else {
            QuerySource::LineItems
        };
        assert_eq!(t.source, want, "{q:?}");
        results.push(
            t.rows
                .into_iter()
                .map(|r| (r.period_start, r.keys, r.cost))
                .collect::<Table>(),
        );
    }
    assert_eq!(
        results[0], results[1],
        "rollup and line items disagree for {q:?}"
    );
    results.pop().unwrap()
}

fn table<K: Ord>(
    m: BTreeMap<K, Decimal>,
    split: impl Fn(K) -> (Option<NaiveDate>, Vec<Option<String>>),
) -> Table {
    m.into_iter()
        .map(|(k, v)| {
            let (p, keys) = split(k);
            (p, keys, v)
        })
        .collect()
}

fn range(a: &str, b: &str) -> DateRange {
    DateRange::new(date(a), date(b)).unwrap()
}

#[tokio::test]
async fn monthly_cost_by_service() {
    let f = fixture().await;
    let mut q = CostQuery::new(range("2025-01-01", "2025-02-28"));
    q.granularity = Some(Granularity::Month);
    q.group_by = vec![Dimension::Service];
    let want = table(
        sums(&f.rows, |r| {
            Some((r.day.with_day(1).unwrap(), r.service.clone()))
        }),
        |(d, s)| (Some(d), vec![Some(s)]),
    );
    assert_eq!(run(&f, &q, true).await, want);
}

#[tokio::test]
async fn daily_cost_of_one_billing_account_in_a_range() {
    let f = fixture().await;
    let mut q = CostQuery::new(range("2025-01-10", "2025-02-03"));
    q.granularity = Some(Granularity::Day);
    q.cost_accounts = vec!["acct-a".into()];
    q.billing_accounts = vec!["111100000001".into()];
    let want = table(
        sums(&f.rows, |r| {
            (!is_b(r)
                && r.sub_account == "111100000001"
                && r.day >= date("2025-01-10")
                && r.day <= date("2025-02-03"))
            .then_some(r.day)
        }),
        |d| (Some(d), vec![]),
    );
    assert_eq!(want.len(), 25);
    assert_eq!(run(&f, &q, true).await, want);
}

#[tokio::test]
async fn weekly_cost_by_cost_account_billing_account_region_category() {
    let f = fixture().await;
    let mut q = CostQuery::new(range("2025-01-01", "2025-02-28"));
    q.granularity = Some(Granularity::Week);
    q.group_by = vec![
        Dimension::CostAccount,
        Dimension::BillingAccount,
        Dimension::Region,
        Dimension::ChargeCategory,
    ];
    q.regions = vec!["us-east-1".into(), "ap-south-1".into()];
    q.services = vec!["AmazonEC2".into()];
    let want = table(
        sums(&f.rows, |r| {
            (r.service == "AmazonEC2" && r.region != "eu-west-1").then(|| {
                (
                    week_start(r.day),
                    if is_b(r) { "acct-b" } else { "acct-a" },
                    sub(r),
                    r.region.clone(),
                    r.category,
                )
            })
        }),
        |(d, a, s, reg, c)| {
            (
                Some(d),
                vec![Some(a.into()), Some(s), Some(reg), Some(c.into())],
            )
        },
    );
    assert_eq!(run(&f, &q, true).await, want);
}

#[tokio::test]
async fn usage_type_and_operation_filters_read_line_items() {
    let f = fixture().await;
    let mut q = CostQuery::new(range("2025-01-01", "2025-02-28"));
    q.granularity = Some(Granularity::Month);
    q.group_by = vec![Dimension::Service];
    let picked: Vec<String> = {
        let mut all: Vec<String> = f.rows.iter().map(|r| r.usage_type.clone()).collect();
        all.sort();
        all.dedup();
        all.into_iter().step_by(3).take(4).collect()
    };
    assert!(picked.len() > 1);
    q.usage_types = picked.clone();
    let want = table(
        sums(&f.rows, |r| {
            picked
                .contains(&r.usage_type)
                .then(|| (r.day.with_day(1).unwrap(), r.service.clone()))
        }),
        |(d, s)| (Some(d), vec![Some(s)]),
    );
    assert!(!want.is_empty());
    assert_eq!(run(&f, &q, false).await, want);
    // The fixture has no operations: an operation filter selects nothing.
    q.operations = vec!["RunInstances".into()];
    assert!(run(&f, &q, false).await.is_empty());
}

#[tokio::test]
async fn cost_types_pick_their_column() {
    let f = fixture().await;
    let all = sums(&f.rows, |_| Some(())).remove(&()).unwrap();
    let n = Decimal::from(f.rows.len());
    let unit = to_decimal(STEP);
    for (ct, want) in [
        (CostType::Actual, all),
        (CostType::Unblended, all),
        (CostType::Amortized, sums_effective(&f.rows)),
        (CostType::Blended, all + n * unit),
        (CostType::Recurring, all - n * unit),
    ] {
        let mut q = CostQuery::new(range("2024-12-01", "2025-03-31"));
        q.cost_type = ct;
        assert_eq!(
            run(&f, &q, true).await,
            vec![(None, vec![], want)],
            "{ct:?}"
        );
    }
}

fn sums_effective(rows: &[Row]) -> Decimal {
    to_decimal(rows.iter().map(|r| r.effective).sum())
}

#[tokio::test]
async fn tag_filters_and_tag_grouping_include_untagged() {
    let f = fixture().await;
    let tag = |r: &Row, k: &str| {
        r.tags
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };

    let mut q = CostQuery::new(range("2025-01-01", "2025-02-28"));
    q.group_by = vec![Dimension::Tag("env".into())];
    // Nulls sort last.
    let mut want = table(sums(&f.rows, |r| tag(r, "env").map(Some)), |k| {
        (None, vec![k])
    });
    want.extend(table(
        sums(&f.rows, |r| tag(r, "env").is_none().then_some(())),
        |_| (None, vec![None]),
    ));
    assert_eq!(run(&f, &q, false).await, want);

    let mut q = CostQuery::new(range("2025-01-01", "2025-02-28"));
    q.tag_filters = vec![
        TagFilter {
            key: "env".into(),
            values: vec!["prod".into()],
            untagged: true,
        },
        TagFilter {
            key: "team".into(),
            values: vec!["t1".into(), "t2".into()],
            untagged: false,
        },
    ];
    q.group_by = vec![Dimension::Service];
    let want = table(
        sums(&f.rows, |r| {
            let env_ok = matches!(tag(r, "env").as_deref(), Some("prod") | None);
            let team_ok = matches!(tag(r, "team").as_deref(), Some("t1" | "t2"));
            (env_ok && team_ok).then(|| r.service.clone())
        }),
        |s| (None, vec![Some(s)]),
    );
    assert!(!want.is_empty());
    assert_eq!(run(&f, &q, false).await, want);

    // A quote in a user value is data, not syntax.
    q.tag_filters = vec![TagFilter {
        key: "env' OR 1=1 --".into(),
        values: vec!["x') OR ('1'='1".into()],
        untagged: false,
    }];
    assert_eq!(run(&f, &q, false).await, vec![]);
}

#[tokio::test]
async fn top_resources_by_cost() {
    let f = fixture().await;
    let mut q = CostQuery::new(range("2025-02-01", "2025-02-28"));
    q.group_by = vec![Dimension::Resource];
    q.order = Order::CostDescending;
    q.limit = Some(5);
    let mut want: Table = table(
        sums(&f.rows, |r| {
            (r.day >= date("2025-02-01")).then(|| r.resource.clone())
        }),
        |k| (None, vec![k]),
    );
    want.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    want.truncate(5);
    assert_eq!(run(&f, &q, false).await, want);

    let mut q = CostQuery::new(range("2025-02-01", "2025-02-28"));
    q.resource_ids = vec!["arn:AmazonS3:3".into(), "arn:AWSLambda:7".into()];
    q.group_by = vec![Dimension::UsageType];
    let want = table(
        sums(&f.rows, |r| {
            (r.day >= date("2025-02-01")
                && matches!(
                    r.resource.as_deref(),
                    Some("arn:AmazonS3:3" | "arn:AWSLambda:7")
                ))
            .then(|| r.usage_type.clone())
        }),
        |k| (None, vec![Some(k)]),
    );
    assert_eq!(run(&f, &q, false).await, want);
}

#[tokio::test]
async fn empty_selections_and_bad_queries() {
    let f = fixture().await;
    let q = CostQuery::new(range("2030-01-01", "2030-01-31"));
    assert_eq!(run(&f, &q, true).await, vec![(None, vec![], Decimal::ZERO)]);
    let mut q = CostQuery::new(range("2025-01-01", "2025-01-31"));
    q.group_by = vec![Dimension::Service, Dimension::Service];
    assert!(f.with_rollups.query(&q).await.is_err());
    q.group_by = vec![];
    q.tag_filters = vec![TagFilter {
        key: "env".into(),
        values: vec![],
        untagged: false,
    }];
    assert!(f.with_rollups.query(&q).await.is_err());
}

//! Object-store sources against a local S3-compatible server (moto_server; the tests say so and
//! skip when it is not installed): CUR deliveries in the bucket layout, restatements, polling,
//! and the lease that keeps two nodes off one source.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use rust_decimal::Decimal;
use skyledger_core::poll::{PollReport, PolledSource, poll_once};
use skyledger_core::sources::{
    DeliveryOutcome, SourceError, SourceOptions, SourceRequest, SourceUrl, ingest_source,
};

use crate::{GOLDEN_UNBLENDED, Stores, cur_sample, noop, stored_unblended, stores};

struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts moto_server on a free port, as the cost store's S3 tests do; `None` when it is not
/// installed.
fn start_moto() -> Option<Moto> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let moto = Moto { child, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(moto);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto_server did not start listening on port {port}");
}

macro_rules! moto_or_skip {
    () => {
        match start_moto() {
            Some(m) => m,
            None => {
                eprintln!(
                    "SKIPPED source test: moto_server is not on PATH (pip install 'moto[server]')"
                );
                return;
            }
        }
    };
}

/// Creates a bucket with a plain HTTP request (moto does not check signatures).
fn create_bucket(port: u16, bucket: &str) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

fn settings(port: u16) -> SourceOptions {
    SourceOptions {
        settings: [
            ("aws_endpoint", format!("http://127.0.0.1:{port}")),
            ("aws_allow_http", "true".into()),
            ("aws_region", "us-east-1".into()),
            ("aws_access_key_id", "testing".into()),
            ("aws_secret_access_key", "testing".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    }
}

/// A client of the bucket, as a billing export would write it.
fn bucket(port: u16, name: &str) -> Arc<dyn ObjectStore> {
    Arc::new(
        AmazonS3Builder::new()
            .with_bucket_name(name)
            .with_endpoint(format!("http://127.0.0.1:{port}"))
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .build()
            .unwrap(),
    )
}

async fn put(store: &Arc<dyn ObjectStore>, key: &str, bytes: Vec<u8>) {
    store
        .put(&Path::from(key), PutPayload::from(bytes))
        .await
        .unwrap();
}

fn request(s: &Stores, url: &str, port: u16) -> SourceRequest {
    SourceRequest {
        org_id: s.org.clone(),
        url: SourceUrl::parse(url).unwrap(),
        account_name: Some("Payer".into()),
        format: None,
        skip_bad_rows: false,
        force: false,
        options: settings(port),
        work_dir: Some(s.dir.path().join("tmp")),
    }
}

/// The CUR sample's header and its first `rows` rows (the whole file for 1,281).
fn cur_rows(rows: usize) -> Vec<u8> {
    let text = std::fs::read_to_string(cur_sample()).unwrap();
    let mut out: String = text.lines().take(rows + 1).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.into_bytes()
}

fn legacy_manifest(assembly: &str, keys: &[&str]) -> Vec<u8> {
    serde_json::json!({
        "assemblyId": assembly,
        "account": "123456789012",
        "reportKeys": keys,
        "billingPeriod": {"start": "20231101T000000.000Z", "end": "20231201T000000.000Z"},
        "bucket": "bills",
        "reportName": "payer",
    })
    .to_string()
    .into_bytes()
}

/// Writes one assembly of the November CUR in the documented layout: the data in the assembly
/// folder, the manifest there and (overwritten) at the period folder.
async fn deliver_assembly(store: &Arc<dyn ObjectStore>, assembly: &str, rows: usize) {
    deliver_assembly_with(
        async |key, bytes| put(store, key, bytes).await,
        assembly,
        rows,
    )
    .await;
}

/// [`deliver_assembly`] through any writer of `(key, bytes)`.
pub(crate) async fn deliver_assembly_with(
    put: impl AsyncFn(&str, Vec<u8>),
    assembly: &str,
    rows: usize,
) {
    let period = "billing/cur/payer/20231101-20231201";
    let key = format!("{period}/{assembly}/payer-1.csv");
    put(&key, cur_rows(rows)).await;
    let manifest = legacy_manifest(assembly, &[key.as_str()]);
    put(
        &format!("{period}/{assembly}/payer-Manifest.json"),
        manifest.clone(),
    )
    .await;
    // S3 times have one-second resolution: keep the newer assembly newer.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    put(&format!("{period}/payer-Manifest.json"), manifest).await;
}

pub(crate) fn ingested(outcomes: &[DeliveryOutcome]) -> Vec<(&str, u64)> {
    outcomes
        .iter()
        .filter_map(|o| match &o.result {
            Some(Ok(s)) => Some((o.url.as_str(), s.rows)),
            Some(Err(e)) => panic!("{}: {e}", o.url),
            None => None,
        })
        .collect()
}

pub(crate) fn unblended(summary: &skyledger_core::ingestion::IngestSummary) -> Decimal {
    let t = summary
        .totals
        .iter()
        .find(|t| t.cost_type == "unblended")
        .unwrap();
    Decimal::from_str(&t.amount).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_cur_deliveries_land_and_a_new_assembly_restates_the_period() {
    let moto = moto_or_skip!();
    create_bucket(moto.port, "bills");
    let store = bucket(moto.port, "bills");
    let s = stores().await;
    let req = request(&s, "s3://bills/billing/cur", moto.port);

    // A first, partial assembly of November; files a Redshift manifest and SQL beside it.
    deliver_assembly(&store, "asm-1", 600).await;
    put(
        &store,
        "billing/cur/payer/20231101-20231201/payer-RedshiftManifest.json",
        b"{\"entries\":[]}".to_vec(),
    )
    .await;
    put(
        &store,
        "billing/cur/payer/payer-create-table.sql",
        b"CREATE TABLE x".to_vec(),
    )
    .await;
    let first = ingest_source(&s.meta, &s.ledger, &req, "node-a", noop())
        .await
        .unwrap();
    assert_eq!(
        ingested(&first),
        vec![("s3://bills/billing/cur/payer/20231101-20231201", 600)]
    );
    let Some(Ok(partial)) = &first[0].result else {
        unreachable!()
    };
    assert_eq!(partial.files.len(), 1);
    assert!(
        partial.files[0].ends_with("asm-1/payer-1.csv"),
        "{:?}",
        partial.files
    );
    let account = partial.cost_account_id.clone();
    assert_eq!(stored_unblended(&s, &account).await, unblended(partial));

    // Listed again with nothing new: nothing is fetched or ingested.
    let again = ingest_source(&s.meta, &s.ledger, &req, "node-a", noop())
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert!(again[0].result.is_none(), "unchanged delivery skipped");

    // AWS restates November with a complete second assembly: only its files are read, and
    // the period is replaced, not added to.
    deliver_assembly(&store, "asm-2", 1281).await;
    let restated = ingest_source(&s.meta, &s.ledger, &req, "node-a", noop())
        .await
        .unwrap();
    assert_eq!(
        ingested(&restated),
        vec![("s3://bills/billing/cur/payer/20231101-20231201", 1281)]
    );
    let Some(Ok(full)) = &restated[0].result else {
        unreachable!()
    };
    assert_eq!(full.cost_account_id, account, "same cost account");
    assert_eq!(full.periods.len(), 1);
    assert_eq!(full.periods[0].billing_period, "2023-11");
    assert_eq!(
        stored_unblended(&s, &account).await,
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap(),
        "the golden sum of the whole sample, once"
    );
    // The downloads are gone.
    let leftovers = std::fs::read_dir(s.dir.path().join("tmp")).unwrap().count();
    assert_eq!(leftovers, 0);
    let jobs = s.meta.ingest_jobs(&s.org, 10).await.unwrap();
    assert_eq!(jobs.len(), 2, "one job per ingested delivery");
    assert!(
        jobs.iter()
            .all(|j| j.source == "s3://bills/billing/cur/payer/20231101-20231201")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_cur2_manifest_with_s3_urls_lands_with_its_sums() {
    let moto = moto_or_skip!();
    create_bucket(moto.port, "exports");
    let store = bucket(moto.port, "exports");
    let s = stores().await;
    let data = "cur2/acme/data/BILLING_PERIOD=2023-11/acme-00001.snappy.parquet";
    let parquet = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../skyledger-ingest/tests/fixtures/aws/cur2-data-export-sample.snappy.parquet"),
    )
    .unwrap();
    put(&store, data, parquet).await;
    let manifest = serde_json::json!({
        "executionId": "e-1",
        "dataFiles": [format!("s3://exports/{data}")],
        "billingPeriod": {"start": "2023-11-01T00:00:00.000Z", "end": "2023-12-01T00:00:00.000Z"},
    });
    put(
        &store,
        "cur2/acme/metadata/BILLING_PERIOD=2023-11/acme-Manifest.json",
        manifest.to_string().into_bytes(),
    )
    .await;
    let mut req = request(&s, "s3://exports/cur2", moto.port);
    req.account_name = None;
    let outcomes = ingest_source(&s.meta, &s.ledger, &req, "node-a", noop())
        .await
        .unwrap();
    assert_eq!(
        ingested(&outcomes),
        vec![("s3://exports/cur2/acme/metadata/BILLING_PERIOD=2023-11", 13)]
    );
    let Some(Ok(summary)) = &outcomes[0].result else {
        unreachable!()
    };
    assert_eq!(summary.format, "aws_cur2");
    // The fixture's hand-worked unblended sum (skyledger-ingest golden tests).
    assert_eq!(unblended(summary), Decimal::from_str("393.0755").unwrap());

    // A manifest naming a file in another bucket is refused, naming both.
    let foreign = serde_json::json!({"dataFiles": ["s3://elsewhere/x.parquet"]});
    put(
        &store,
        "cur2/acme/metadata/BILLING_PERIOD=2023-12/acme-Manifest.json",
        foreign.to_string().into_bytes(),
    )
    .await;
    let err = ingest_source(&s.meta, &s.ledger, &req, "node-a", noop())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("s3://elsewhere/x.parquet") && err.contains("BILLING_PERIOD=2023-12"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn polling_picks_up_new_deliveries_skips_unchanged_ones_and_stops() {
    let moto = moto_or_skip!();
    create_bucket(moto.port, "feeds");
    let store = bucket(moto.port, "feeds");
    let s = stores().await;
    let req = request(&s, "s3://feeds/exports", moto.port);

    // An empty prefix: nothing to do.
    let idle = poll_once(&s.meta, &s.ledger, &req, "node-a").await.unwrap();
    assert_eq!(idle, PollReport::default());

    put(&store, "exports/2023-11/cur.csv", cur_rows(1281)).await;
    put(&store, "exports/README.txt", b"not billing data".to_vec()).await;
    let first = poll_once(&s.meta, &s.ledger, &req, "node-a").await.unwrap();
    assert_eq!((first.ingested, first.unchanged, first.failed), (1, 0, 0));
    let second = poll_once(&s.meta, &s.ledger, &req, "node-a").await.unwrap();
    assert_eq!(
        (second.ingested, second.unchanged, second.failed),
        (0, 1, 0)
    );

    // A new export file arrives, and a broken one: the good one lands, the broken one is
    // reported and the data already stored stays.
    let azure =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../skyledger-ingest/tests/fixtures/azure/finops-toolkit-EA_ActualCost_Small.csv",
        ))
        .unwrap();
    put(&store, "exports/azure/actual.csv", azure).await;
    put(&store, "exports/broken.csv", b"no,billing\n1,2\n".to_vec()).await;
    let third = poll_once(&s.meta, &s.ledger, &req, "node-a").await.unwrap();
    assert_eq!((third.ingested, third.unchanged, third.failed), (1, 1, 1));
    let accounts = s.meta.cost_accounts(&s.org).await.unwrap();
    assert_eq!(accounts.len(), 2);
    let aws = accounts.iter().find(|a| a.cloud_type == 0).unwrap();
    assert_eq!(
        stored_unblended(&s, &aws.id).await,
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap()
    );

    // The broken file is retried at every poll until it is fixed or removed.
    store
        .delete(&Path::from("exports/broken.csv"))
        .await
        .unwrap();

    // The job: a short interval, stopped on request while idle.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let ledger = Arc::new(
        skyledger_ledger::Ledger::open(
            &s.dir.path().join("cost").display().to_string(),
            skyledger_ledger::LedgerOptions::default(),
        )
        .await
        .unwrap(),
    );
    let job = tokio::spawn(skyledger_core::poll::run(
        s.meta.clone(),
        ledger,
        vec![PolledSource {
            request: req.clone(),
            interval: Duration::from_millis(200),
        }],
        "node-a".into(),
        stop_rx,
    ));
    // A new delivery arrives while the job runs; it picks it up on its own.
    let parquet = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../skyledger-ingest/tests/fixtures/aws/cur2-data-export-sample.snappy.parquet"),
    )
    .unwrap();
    put(&store, "exports/cur2/acme-00001.snappy.parquet", parquet).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let jobs = s.meta.ingest_jobs(&s.org, 20).await.unwrap();
        let succeeded = jobs.iter().filter(|j| j.status == "succeeded").count();
        if succeeded == 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the poller did not ingest: {jobs:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), job)
        .await
        .expect("the polling job stops when asked")
        .unwrap();
    assert!(
        s.meta
            .try_lease_source(&s.org, "s3://feeds/exports", "node-b", 60_000)
            .await
            .unwrap(),
        "the stopped job holds no lease"
    );
    assert_eq!(
        stored_unblended(&s, &aws.id).await,
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap(),
        "the first delivery is not ingested again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_source_leased_by_another_node_is_left_alone() {
    let moto = moto_or_skip!();
    create_bucket(moto.port, "shared");
    let store = bucket(moto.port, "shared");
    put(&store, "exports/cur.csv", cur_rows(10)).await;
    let s = stores().await;
    let req = request(&s, "s3://shared/exports", moto.port);
    // Another node holds the source.
    assert!(
        s.meta
            .try_lease_source(&s.org, "s3://shared/exports", "node-b", 60_000)
            .await
            .unwrap()
    );
    let err = ingest_source(&s.meta, &s.ledger, &req, "node-a", noop())
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Leased { .. }), "{err}");
    let report = poll_once(&s.meta, &s.ledger, &req, "node-a").await.unwrap();
    assert!(report.leased_elsewhere);
    assert!(s.meta.ingest_jobs(&s.org, 5).await.unwrap().is_empty());
    // Once it is released, this node takes the source, and releases it after.
    s.meta
        .release_source_lease(&s.org, "s3://shared/exports", "node-b")
        .await
        .unwrap();
    let report = poll_once(&s.meta, &s.ledger, &req, "node-a").await.unwrap();
    assert_eq!(report.ingested, 1);
    assert!(
        s.meta
            .try_lease_source(&s.org, "s3://shared/exports", "node-b", 60_000)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_local_folder_in_the_bucket_layout_is_a_source() {
    let s = stores().await;
    let root = tempfile::tempdir().unwrap();
    let period = root.path().join("cur/payer/20231101-20231201");
    for (asm, rows) in [("asm-1", 600), ("asm-2", 1281)] {
        std::fs::create_dir_all(period.join(asm)).unwrap();
        std::fs::write(period.join(asm).join("payer-1.csv"), cur_rows(rows)).unwrap();
    }
    // The bucket's keys start with a prefix the folder does not mirror.
    let key = "billing/cur/payer/20231101-20231201/asm-2/payer-1.csv";
    std::fs::write(
        period.join("payer-Manifest.json"),
        legacy_manifest("asm-2", &[key]),
    )
    .unwrap();
    let mut req = request(&s, &root.path().display().to_string(), 0);
    req.options = SourceOptions::default();
    let outcomes = ingest_source(&s.meta, &s.ledger, &req, "node-a", noop())
        .await
        .unwrap();
    assert_eq!(ingested(&outcomes).len(), 1);
    assert_eq!(
        ingested(&outcomes)[0].1,
        1281,
        "only the manifest's assembly"
    );
    let Some(Ok(summary)) = &outcomes[0].result else {
        unreachable!()
    };
    assert_eq!(
        stored_unblended(&s, &summary.cost_account_id).await,
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap()
    );
}

//! The store on S3, against a local moto_server (skipped when moto_server is not installed).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use skyledger_ledger::{
    CommitOutcome, CostQuery, DateRange, Ledger, Manifest, ObjectStoreManifest, S3Options,
    batches_of,
};

use crate::common::*;

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

fn s3_options(port: u16) -> S3Options {
    S3Options {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        region: Some("us-east-1".into()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        allow_http: true,
    }
}

async fn total(l: &Ledger, range: DateRange) -> rust_decimal::Decimal {
    l.query(&CostQuery::new(range)).await.unwrap().rows[0].cost
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_store_replaces_periods_atomically() {
    let Some(moto) = start_moto() else {
        eprintln!("SKIPPED s3 test: moto_server is not on PATH (pip install 'moto[server]')");
        return;
    };
    create_bucket(moto.port, "costs");
    let mut opts = options();
    opts.s3 = s3_options(moto.port);
    opts.file_rows = 3_000;
    let ledger = Ledger::open("s3://costs/org1/store", opts.clone())
        .await
        .unwrap();
    let schema = ledger.schema().clone();
    let range = DateRange::new(date("2025-01-01"), date("2025-02-28")).unwrap();

    let v1 = rows(31, 10_000, date("2025-01-01"), 59);
    let c = ledger
        .replace_periods(
            "acc",
            skyledger_ledger::Periods::Seen,
            batches_of(batches(&schema, &v1, 2_000)),
        )
        .await
        .unwrap();
    assert_eq!(c.periods.len(), 2);
    assert!(c.periods.iter().any(|p| p.files > 1));
    assert_eq!(
        total(&ledger, range).await,
        sums(&v1, |_| Some(())).remove(&()).unwrap()
    );
    let files = ledger.current_files().await.unwrap();
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("s3://costs/org1/store/cost/cost_account=acc/")),
        "{files:?}"
    );

    // A failing source leaves the previous data.
    let mut bad = batches(&schema, &rows(32, 8_000, date("2025-01-01"), 31), 1_000);
    bad.push(Err(std::io::Error::other("connection reset")));
    assert!(
        ledger
            .replace_period("acc", period("2025-01"), batches_of(bad))
            .await
            .is_err()
    );
    assert_eq!(
        total(&ledger, range).await,
        sums(&v1, |_| Some(())).remove(&()).unwrap()
    );

    let jan2 = rows(33, 5_000, date("2025-01-01"), 31);
    ledger
        .replace_period(
            "acc",
            period("2025-01"),
            batches_of(batches(&schema, &jan2, 2_000)),
        )
        .await
        .unwrap();
    let want = sums(&jan2, |_| Some(())).remove(&()).unwrap()
        + sums(&v1, |r| (r.day >= date("2025-02-01")).then_some(()))
            .remove(&())
            .unwrap();
    assert_eq!(total(&ledger, range).await, want);

    // Commits are conditional on S3 too: a writer holding a stale version loses.
    let store = AmazonS3Builder::new()
        .with_bucket_name("costs")
        .with_endpoint(format!("http://127.0.0.1:{}", moto.port))
        .with_region("us-east-1")
        .with_access_key_id("testing")
        .with_secret_access_key("testing")
        .with_allow_http(true)
        .build()
        .unwrap();
    let manifest = ObjectStoreManifest::new(Arc::new(store), &Path::from("org1/store"));
    let latest = manifest.load().await.unwrap();
    let stale = latest.version - 1;
    assert!(matches!(
        manifest.commit(stale, latest.state.clone()).await.unwrap(),
        CommitOutcome::Conflict
    ));

    // Reopening with short history collects the replaced files.
    let mut o = opts.clone();
    o.keep_versions = 1;
    let reopened = Ledger::open("s3://costs/org1/store", o).await.unwrap();
    assert_eq!(total(&reopened, range).await, want);
    let report = reopened.gc().await.unwrap();
    assert_eq!(report.deleted_files, 0, "the open already collected");
    drop(moto);
}

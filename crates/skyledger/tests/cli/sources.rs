//! `skyledger ingest URL` with the standard AWS variables against a local S3-compatible server
//! (moto_server; skipped, saying so, when it is not installed), and `serve` polling `[[sources]]`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{run, skyledger};

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

/// A plain HTTP PUT (moto does not check signatures): a bucket, or an object.
fn http_put(port: u16, path: &str, body: &[u8]) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

fn cur_sample() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../skyledger-ingest/tests/fixtures/aws/cur-legacy-sample-anonymous-aws-export-dataset.csv",
    ))
    .unwrap()
}

#[test]
fn ingest_reads_an_s3_source_with_the_standard_variables() {
    let Some(moto) = start_moto() else {
        eprintln!("SKIPPED s3 CLI test: moto_server is not on PATH (pip install 'moto[server]')");
        return;
    };
    http_put(moto.port, "/bills", b"");
    http_put(moto.port, "/bills/exports/2023-11/cur.csv", &cur_sample());
    let dir = tempfile::tempdir().unwrap();
    let ingest = |extra: &[&str]| {
        let mut cmd = skyledger(dir.path());
        cmd.args(["ingest", "s3://bills/exports", "--account-name", "Payer"])
            .args(extra)
            .env(
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", moto.port),
            )
            .env("AWS_ALLOW_HTTP", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
        let out = run(&mut cmd);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let first: serde_json::Value = serde_json::from_str(ingest(&["--json"]).trim()).unwrap();
    assert_eq!(first["source"], "s3://bills/exports/2023-11/cur.csv");
    assert_eq!(first["rows"], 1281);
    assert_eq!(first["periods"][0]["billing_period"], "2023-11");
    let again = ingest(&[]);
    assert!(
        again.contains("s3://bills/exports/2023-11/cur.csv: skipped"),
        "{again}"
    );
    // Bad sources are refused before anything is opened.
    let out = run(skyledger(dir.path()).args(["ingest", "ftp://host/x"]));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("s3://bucket/prefix"), "{err}");
}

#[test]
fn serve_polls_configured_sources_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed");
    std::fs::create_dir_all(feed.join("2023-11")).unwrap();
    std::fs::write(feed.join("2023-11/cur.csv"), cur_sample()).unwrap();
    let config = dir.path().join("skyledger.toml");
    std::fs::write(
        &config,
        format!(
            "[[sources]]\nurl = {:?}\naccount_name = \"Polled payer\"\ninterval_secs = 10\n",
            feed.display().to_string()
        ),
    )
    .unwrap();
    let mut child = skyledger(&dir.path().join("data"))
        .args(["--config", config.to_str().unwrap()])
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SKYLEDGER_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let started = Instant::now();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "serve exited early"
        );
        if line.contains("ingested a delivery") {
            assert!(
                line.contains("2023-11/cur.csv") && line.contains("\"rows\":1281"),
                "{line}"
            );
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no ingest");
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful exit, got {exit:?}: {rest}");
    assert!(rest.contains("polling stopped"), "{rest}");
    let out = run(skyledger(&dir.path().join("data")).args(["accounts", "list", "--json"]));
    let accounts = String::from_utf8_lossy(&out.stdout);
    assert!(accounts.contains("\"name\":\"Polled payer\""), "{accounts}");
}

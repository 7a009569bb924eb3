//! The `skyledger` binary as a user runs it: configuration errors, the route inventory, tokens,
//! admin users, and `serve` answering over TCP then stopping on SIGTERM.

mod sources;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn skyledger(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skyledger"));
    cmd.arg("--data-dir").arg(data_dir);
    // A developer's own settings must not leak into the tests.
    for (name, _) in std::env::vars() {
        if name.starts_with("SKYLEDGER_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

#[test]
fn routes_lists_all_289() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(skyledger(dir.path()).arg("routes"));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("CloudSpend.Internal."))
            .count(),
        289
    );
    assert!(text.contains("289 routes registered"), "{text}");
    let out = run(skyledger(dir.path()).args(["routes", "--missing", "--json"]));
    let missing = String::from_utf8(out.stdout).unwrap();
    for line in missing.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(row["implemented"], false);
    }
}

#[test]
fn unknown_config_keys_and_bad_values_stop_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[server]\nlisten_address = \"x\"\n").unwrap();
    let out = run(skyledger(dir.path())
        .arg("--config")
        .arg(&config)
        .arg("migrate"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("server.listen_address"));
    let out = run(skyledger(dir.path())
        .env("SKYLEDGER_LOG_FORMAT", "xml")
        .arg("migrate"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("xml"));
}

#[test]
fn token_create_prints_only_the_token_and_users_need_a_good_password() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        run(skyledger(dir.path()).args(["token", "create", "--scope", "CloudSpend.Internal.Read"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.trim();
    assert_eq!(stdout.lines().count(), 1);
    assert!(token.starts_with("1000.") && token.len() == 70, "{token}");
    // Stored hashed: the token's text is nowhere in the data directory.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(token));
    }
    let out =
        run(skyledger(dir.path()).args(["token", "create", "--scope", "CloudSpend.Internal.Nope"]));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CloudSpend.Internal.Nope"));

    let create = |password: &str| {
        let mut child = skyledger(dir.path())
            .args(["users", "create-admin", "--email", "ops@example.com"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = create("short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least"));
    assert!(create("a long enough password").status.success());
    let again = create("a long enough password");
    assert!(!again.status.success(), "duplicate e-mail");
    let out = run(skyledger(dir.path()).args([
        "token",
        "create",
        "--scope",
        "CloudSpend.Internal.ALL",
        "--user",
        "ops@example.com",
    ]));
    assert!(out.status.success());
}

fn http_get(addr: &str, path: &str, token: Option<&str>) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let auth = token.map_or(String::new(), |t| {
        format!("Authorization: Zoho-oauthtoken {t}\r\n")
    });
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serve_answers_over_tcp_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        run(skyledger(dir.path()).args(["token", "create", "--scope", "CloudSpend.Internal.ALL"]));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let mut child = skyledger(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SKYLEDGER_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let started = Instant::now();
    let addr = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "serve exited early"
        );
        if let Some(rest) = line.trim().strip_prefix("skyledger listening on http://") {
            break rest.to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(30));
    };
    let ready = http_get(&addr, "/readyz", None);
    assert!(
        ready.starts_with("HTTP/1.1 200") && ready.contains("\"cost_store\":\"ok\""),
        "{ready}"
    );
    let health = http_get(&addr, "/healthz", None);
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let stub = http_get(
        &addr,
        "/cs/api/cost/budget/budget_info/33240000000059001",
        Some(&token),
    );
    assert!(stub.starts_with("HTTP/1.1 501"), "{stub}");
    let unauth = http_get(
        &addr,
        "/cs/api/cost/budget/budget_info/33240000000059001",
        None,
    );
    assert!(unauth.starts_with("HTTP/1.1 401"), "{unauth}");
    let metrics = http_get(&addr, "/metrics", None);
    assert!(
        metrics.contains("skyledger_http_requests_total"),
        "{metrics}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful exit, got {exit:?}: {rest}");
    // JSON logs: one object per line, and the token never appears in them.
    assert!(
        rest.lines()
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.trim_start().starts_with('{')),
        "{rest}"
    );
    assert!(!rest.contains(&token));
}

#[test]
fn demo_generates_ingests_and_prints_a_working_token() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        run(skyledger(dir.path()).args(["demo", "--rows", "4000", "--seed", "7", "--no-serve"]));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One table line per cost account (id, cloud, name, rows, …), whose rows add up to the
    // rows the demo says it ingested.
    let table: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.split_whitespace().collect())
        .collect();
    for cloud in ["AWS", "Azure", "GCP"] {
        assert!(table.iter().any(|l| l[1] == cloud), "{cloud}: {stdout}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ingested: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("ingested "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 'ingested N rows' line: {stderr}"));
    let rows: u64 = table
        .iter()
        .map(|l| {
            // The rows column comes just before the billing periods (`2025-10..2026-10 (13)`).
            let is_period = |w: &&str| {
                let b = w.as_bytes();
                b.len() >= 7 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
            };
            let periods = l.iter().position(is_period).unwrap();
            l[periods - 1].parse::<u64>().unwrap()
        })
        .sum();
    assert_eq!(rows, ingested, "{stdout}");
    let token = stdout
        .lines()
        .find_map(|l| l.strip_prefix("token:"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(token.starts_with("1000."));
    assert!(stdout.contains("sign-in:"));
    // Each cloud's exports were deleted once ingested; the anomaly list stays.
    let left: Vec<String> = std::fs::read_dir(dir.path().join("demo-exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(left, vec!["demo-anomalies.json".to_string()]);
    let out = run(skyledger(dir.path()).args(["accounts", "list", "--json"]));
    let accounts: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(accounts.len() >= 3, "{accounts:?}");
    assert!(accounts.iter().all(|a| {
        a["status"] == 2
            && a["billing_accounts"]
                .as_array()
                .is_some_and(|b| !b.is_empty())
    }));
}

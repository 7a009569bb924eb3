//! A std-only HTTP/1.1 load client for bench/api/run.sh: latency and throughput of cost endpoints.
//!
//! ```text
//! API_LOAD_TOKEN=<token> load HOST:PORT SAMPLES SECONDS CLIENTS BODY_1_MONTH BODY_3_MONTHS
//! ```
//!
//! For trend_box, common_widget_api, cost_by_resource and spend_analysis_panel, with each body
//! file: 3 warm-up requests, then SAMPLES sequential requests on one keep-alive connection,
//! printing p50/p99/max. Then CLIENTS threads, one connection each, send trend_box with the
//! 1-month body for SECONDS: requests per second and every answer that is not HTTP 200 with
//! `"code":0` counted as an error. Built with plain `rustc -O` (no dependencies, so the bench
//! does not wait for a second release build of the workspace). The token is never printed.
//!
//! `API_LOAD_PREFIX` (default `accounts`) and `API_LOAD_ENDPOINTS` (comma-separated, default
//! the four above) choose `/cs/api/cost/<prefix>/<endpoint>`: `cost_centers` with bodies naming
//! a cost center measures the scoped views (bench/api/scoped.sh).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ENDPOINTS: &str = "trend_box,common_widget_api,cost_by_resource,spend_analysis_panel";

/// `/cs/api/cost/<prefix>/` of the endpoints measured.
fn prefix() -> String {
    std::env::var("API_LOAD_PREFIX").unwrap_or_else(|_| "accounts".into())
}

struct Conn {
    host: String,
    prefix: String,
    auth: String,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(host: &str, token: &str) -> Result<Conn, String> {
        let stream = TcpStream::connect(host).map_err(|e| format!("connect {host}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(300)))
            .map_err(|e| e.to_string())?;
        Ok(Conn {
            host: host.to_string(),
            prefix: prefix(),
            auth: format!("Zoho-oauthtoken {token}"),
            reader: BufReader::new(stream),
        })
    }

    /// One POST; Ok(elapsed) when the answer is 200 with `"code":0`, else Err(status, excerpt).
    fn post(&mut self, endpoint: &str, body: &str) -> Result<Duration, String> {
        let started = Instant::now();
        let request = format!(
            "POST /cs/api/cost/{}/{endpoint} HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.prefix,
            self.host,
            self.auth,
            body.len()
        );
        self.reader
            .get_mut()
            .write_all(request.as_bytes())
            .map_err(|e| format!("{endpoint}: write: {e}"))?;
        let (status, text) = self.read_response().map_err(|e| format!("{endpoint}: {e}"))?;
        let elapsed = started.elapsed();
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if status != 200 || !compact.contains("\"code\":0") {
            return Err(format!(
                "{endpoint}: {status} {}",
                text.chars().take(200).collect::<String>()
            ));
        }
        Ok(elapsed)
    }

    fn read_response(&mut self) -> Result<(u16, String), String> {
        let mut line = String::new();
        self.reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {line:?}"))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line).map_err(|e| e.to_string())?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case("chunked");
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line).map_err(|e| e.to_string())?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| format!("bad chunk size {line:?}"))?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).map_err(|e| e.to_string())?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            let length = length.ok_or("response without a length")?;
            body.resize(length, 0);
            self.reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        }
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 7 {
        return Err(
            "usage: load HOST:PORT SAMPLES SECONDS CLIENTS BODY_1_MONTH BODY_3_MONTHS".into(),
        );
    }
    let number = |i: usize| {
        args[i]
            .parse::<u64>()
            .map_err(|_| format!("argument {i}: {:?} is not a number", args[i]))
    };
    let host = args[1].clone();
    let (samples, seconds, clients) = (number(2)?, number(3)?, number(4)?);
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
    let bodies = [("1 month", read(&args[5])?), ("3 months", read(&args[6])?)];
    let token = std::env::var("API_LOAD_TOKEN").map_err(|_| "set API_LOAD_TOKEN")?;

    println!(
        "{:<22} {:<9} {:>8} {:>8} {:>8} {:>5}",
        "endpoint", "range", "p50 ms", "p99 ms", "max ms", "n"
    );
    let mut conn = Conn::open(&host, &token)?;
    let endpoints = std::env::var("API_LOAD_ENDPOINTS").unwrap_or_else(|_| ENDPOINTS.into());
    let endpoints: Vec<&str> = endpoints.split(',').filter(|e| !e.is_empty()).collect();
    for endpoint in &endpoints {
        for (label, body) in &bodies {
            for _ in 0..3 {
                conn.post(endpoint, body)?;
            }
            let mut times = Vec::new();
            for _ in 0..samples {
                times.push(conn.post(endpoint, body)?);
            }
            times.sort();
            println!(
                "{endpoint:<22} {label:<9} {:>8} {:>8} {:>8} {:>5}",
                ms(percentile(&times, 50.0)),
                ms(percentile(&times, 99.0)),
                ms(*times.last().unwrap_or(&Duration::ZERO)),
                times.len()
            );
        }
    }

    let body = Arc::new(bodies[0].1.clone());
    let first = endpoints.first().ok_or("no endpoint")?.to_string();
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (host, token, body) = (host.clone(), token.clone(), Arc::clone(&body));
            let first = first.clone();
            std::thread::spawn(move || {
                let (mut times, mut errors) = (Vec::new(), Vec::new());
                let mut conn = match Conn::open(&host, &token) {
                    Ok(c) => c,
                    Err(e) => return (times, vec![e]),
                };
                while Instant::now() < until {
                    match conn.post(&first, &body) {
                        Ok(t) => times.push(t),
                        Err(e) => {
                            errors.push(e);
                            // The connection may be unusable after an error: open another.
                            match Conn::open(&host, &token) {
                                Ok(c) => conn = c,
                                Err(e) => {
                                    errors.push(e);
                                    break;
                                }
                            }
                        }
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let (mut times, mut errors) = (Vec::new(), Vec::new());
    for thread in threads {
        let (t, e) = thread.join().map_err(|_| "a client thread panicked")?;
        times.extend(t);
        errors.extend(e);
    }
    let wall = started.elapsed().as_secs_f64();
    times.sort();
    println!(
        "\n{}/{first}, 1 month, {clients} concurrent clients for {wall:.1} s: {} ok, {} errors, \
         {:.1} requests/s; latency p50 {} ms, p99 {} ms",
        prefix(),
        times.len(),
        errors.len(),
        times.len() as f64 / wall,
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0)),
    );
    if let Some(first) = errors.first() {
        println!("first error: {first}");
        return Err(format!("{} requests failed", errors.len()));
    }
    Ok(())
}

//! Request counters and latency histograms by route, method and status, in Prometheus text form.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum_secs: f64,
    /// Non-cumulative counts per bucket; the last slot is +Inf.
    buckets: [u64; BUCKETS.len() + 1],
}

/// Request metrics, shared by every request.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn record(&self, route: &str, method: &str, status: u16, latency: Duration) {
        let secs = latency.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        let mut series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let entry = series
            .entry((route.to_string(), method.to_string(), status))
            .or_default();
        entry.count += 1;
        entry.sum_secs += secs;
        entry.buckets[slot] += 1;
    }

    /// The Prometheus text exposition of everything recorded.
    pub fn render(&self) -> String {
        let series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str("# HELP skyledger_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE skyledger_http_requests_total counter\n");
        for ((route, method, status), s) in series.iter() {
            let labels = labels(route, method, *status);
            let _ = writeln!(out, "skyledger_http_requests_total{{{labels}}} {}", s.count);
        }
        out.push_str("# HELP skyledger_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE skyledger_http_request_duration_seconds histogram\n");
        for ((route, method, status), s) in series.iter() {
            let labels = labels(route, method, *status);
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i];
                let _ = writeln!(
                    out,
                    "skyledger_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "skyledger_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "skyledger_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_secs
            );
            let _ = writeln!(
                out,
                "skyledger_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

fn labels(route: &str, method: &str, status: u16) -> String {
    format!(
        "route=\"{}\",method=\"{}\",status=\"{status}\"",
        escape(route),
        escape(method)
    )
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let m = Metrics::default();
        m.record("/a/{id}", "GET", 200, Duration::from_millis(3));
        m.record("/a/{id}", "GET", 200, Duration::from_millis(300));
        m.record("/a/{id}", "GET", 404, Duration::from_millis(1));
        let text = m.render();
        assert!(text.contains(
            "skyledger_http_requests_total{route=\"/a/{id}\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains("status=\"200\",le=\"0.005\"} 1"));
        assert!(text.contains("status=\"200\",le=\"0.5\"} 2"));
        assert!(text.contains("status=\"404\"} 1"));
    }
}

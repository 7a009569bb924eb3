//! The detector scored as NAB scores it on two NAB series kept in `tests/fixtures/nab`.

use std::fs::File;
use std::path::PathBuf;

use skyledger_insight::detect::{DetectorConfig, score_series};
use skyledger_insight::io::{parse_timestamp, read_timestamp_value, typical_step};
use skyledger_insight::nab::{
    PROFILES, file_points, normalise, null_and_perfect, optimise_threshold, score_at, window_rows,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nab")
        .join(name)
}

/// Scores of the file and its windows as row ranges.
fn run(name: &str, windows: &[(&str, &str)]) -> (Vec<f64>, Vec<(usize, usize)>) {
    let s = read_timestamp_value(File::open(fixture(name)).unwrap()).unwrap();
    let cfg = DetectorConfig {
        season_hints: DetectorConfig::season_hints_for_step(typical_step(&s.seconds)),
        ..DetectorConfig::default()
    };
    let scores = score_series(&s.values, &cfg);
    assert_eq!(scores.len(), s.values.len());
    assert!(scores.iter().all(|v| (0.0..=1.0).contains(v)));
    let bounds: Vec<(i64, i64)> = windows
        .iter()
        .map(|(a, b)| (parse_timestamp(a).unwrap(), parse_timestamp(b).unwrap()))
        .collect();
    let ranges = window_rows(&s.seconds, &bounds);
    assert_eq!(ranges.len(), windows.len());
    (scores, ranges)
}

#[test]
fn jump_up_is_caught_early_at_the_nominal_alarm_level() {
    // labels/combined_windows.json
    let (scores, windows) = run(
        "art_daily_jumpsup.csv",
        &[("2014-04-10 16:15:00.000000", "2014-04-12 01:45:00.000000")],
    );
    let pts = file_points(&scores, &windows, 0);
    let std = &PROFILES[0];
    let (null, perfect) = null_and_perfect(&pts, std);
    let at_half = normalise(score_at(&pts, 0.5, std), null, perfect);
    assert!(at_half > 80.0, "normalised NAB score at 0.5: {at_half:.1}");
}

#[test]
fn ad_exchange_series_beats_the_null_detector() {
    let (scores, windows) = run(
        "exchange-3_cpc_results.csv",
        &[
            ("2011-07-13 09:15:01.000000", "2011-07-15 11:15:01.000000"),
            ("2011-07-19 09:15:01.000000", "2011-07-21 11:15:01.000000"),
            ("2011-08-12 07:15:01.000000", "2011-08-14 13:15:01.000000"),
        ],
    );
    let pts = file_points(&scores, &windows, 0);
    for p in &PROFILES {
        let (null, perfect) = null_and_perfect(&pts, p);
        let (thr, best) = optimise_threshold(&pts, p);
        let n = normalise(best, null, perfect);
        assert!(n > 20.0, "{}: {n:.1} at threshold {thr}", p.name);
    }
}

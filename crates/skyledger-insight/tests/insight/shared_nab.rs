//! The detector over the whole local NAB corpus in `../shared/data/nab`, when it is present.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;

use skyledger_insight::detect::{DetectorConfig, score_series};
use skyledger_insight::io::{parse_timestamp, read_timestamp_value, typical_step};
use skyledger_insight::nab::{
    PROFILES, file_points, normalise, null_and_perfect, optimise_threshold, window_rows,
};

fn nab_dir() -> Option<PathBuf> {
    // the repository root is two levels above this crate; ../shared sits next to it
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/nab");
    dir.join("labels/combined_windows.json")
        .exists()
        .then_some(dir)
}

#[test]
fn local_nab_corpus_scores_above_the_published_numenta_detector() {
    let Some(dir) = nab_dir() else {
        eprintln!("skipped: ../shared/data/nab is absent");
        return;
    };
    let windows: BTreeMap<String, Vec<Vec<String>>> =
        serde_json::from_reader(File::open(dir.join("labels/combined_windows.json")).unwrap())
            .unwrap();
    let mut points = Vec::new();
    let mut next = 0;
    for (name, wins) in &windows {
        let s = read_timestamp_value(File::open(dir.join("data").join(name)).unwrap()).unwrap();
        let cfg = DetectorConfig {
            season_hints: DetectorConfig::season_hints_for_step(typical_step(&s.seconds)),
            ..DetectorConfig::default()
        };
        let scores = score_series(&s.values, &cfg);
        let bounds: Vec<(i64, i64)> = wins
            .iter()
            .map(|w| {
                (
                    parse_timestamp(&w[0]).unwrap(),
                    parse_timestamp(&w[1]).unwrap(),
                )
            })
            .collect();
        let ranges = window_rows(&s.seconds, &bounds);
        points.extend(file_points(&scores, &ranges, next));
        next += ranges.len();
    }
    assert_eq!(next, 39);
    let std = &PROFILES[0];
    let (_, raw) = optimise_threshold(&points, std);
    let (null, perfect) = null_and_perfect(&points, std);
    let score = normalise(raw, null, perfect);
    // numenta's published per-file scores give 61.1 on these files (docs/insight-benchmarks.md)
    assert!(score > 61.1, "NAB standard score {score:.1}");
}

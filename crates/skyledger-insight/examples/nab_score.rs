//! NAB benchmark: runs the detector over a NAB data folder and scores it as NAB does (windows,
//! probation, scaled sigmoid, three profiles, threshold sweep, normalisation), per category,
//! next to published detectors' per-file scores, with a two-fold hold-out of the threshold.
//!
//! Usage: `cargo run --release -p skyledger-insight --example nab_score -- NAB_DIR [PUBLISHED_CSV] [key=value…]`
//! where PUBLISHED_CSV is `bench/insight/nab_published_scores.csv` and key is a
//! `DetectorConfig` field (level_rate, season_rate, scale_rate, shift_rate, half_score_ratio,
//! refractory, warmup, scale_floor, tail_quantile, tail_step, novelty_weight, discover_season,
//! discover_min_acf, median_floor = 0 or 1) or `half` (0 or 1: score only that half of the
//! files).

use std::collections::BTreeMap;
use std::fs::File;
use std::time::Instant;

use skyledger_insight::detect::{DetectorConfig, FloorBasis, score_series};
use skyledger_insight::io::{parse_timestamp, read_timestamp_value, typical_step};
use skyledger_insight::nab::{
    PROFILES, Point, file_points, normalise, null_and_perfect, optimise_threshold, score_at,
    window_rows,
};

struct FileRun {
    name: String,
    category: String,
    points: Vec<Point>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or("../shared/data/nab".into());
    let mut published_path = None;
    let mut base = DetectorConfig::default();
    let mut only_half: Option<usize> = None;
    for a in args.iter().skip(2) {
        if let Some((k, v)) = a.split_once('=') {
            let f: f64 = v.parse()?;
            match k {
                "level_rate" => base.level_rate = f,
                "season_rate" => base.season_rate = f,
                "scale_rate" => base.scale_rate = f,
                "shift_rate" => base.shift_rate = f,
                "half_score_ratio" => base.half_score_ratio = f,
                "refractory" => base.refractory = f as usize,
                "warmup" => base.warmup = f as usize,
                "scale_floor" => base.scale_floor = f,
                "tail_quantile" => base.tail_quantile = f,
                "tail_step" => base.tail_step = f,
                "novelty_weight" => base.novelty_weight = f,
                "median_floor" => {
                    base.floor_basis = if f != 0.0 {
                        FloorBasis::MedianChange
                    } else {
                        FloorBasis::MeanChange
                    }
                }
                "discover_season" => base.discover_season = f != 0.0,
                "discover_min_acf" => base.discover_min_acf = f,
                // score only the files of one half (sorted order, index % 2): for tuning on
                // one half and checking on the other
                "half" => only_half = Some(f as usize),
                _ => return Err(format!("unknown setting {k}").into()),
            }
        } else {
            published_path = Some(a.clone());
        }
    }
    let windows: BTreeMap<String, Vec<Vec<String>>> =
        serde_json::from_reader(File::open(format!("{dir}/labels/combined_windows.json"))?)?;

    let mut runs = Vec::new();
    let mut next_window = 0;
    let mut rows = 0usize;
    let mut detect_time = 0.0;
    for (i, (name, wins)) in windows.iter().enumerate() {
        if only_half.is_some_and(|h| i % 2 != h) {
            continue;
        }
        let series = read_timestamp_value(File::open(format!("{dir}/data/{name}"))?)
            .map_err(|e| format!("{name}: {e}"))?;
        let cfg = DetectorConfig {
            season_hints: DetectorConfig::season_hints_for_step(typical_step(&series.seconds)),
            ..base.clone()
        };
        let t0 = Instant::now();
        let scores = score_series(&series.values, &cfg);
        detect_time += t0.elapsed().as_secs_f64();
        rows += scores.len();
        let mut bounds = Vec::new();
        for w in wins {
            let a = parse_timestamp(&w[0]).ok_or("bad window start")?;
            let b = parse_timestamp(&w[1]).ok_or("bad window end")?;
            bounds.push((a, b));
        }
        let idx = window_rows(&series.seconds, &bounds);
        let points = file_points(&scores, &idx, next_window);
        next_window += idx.len();
        runs.push(FileRun {
            name: name.clone(),
            category: name.split('/').next().unwrap_or("").to_string(),
            points,
        });
    }
    println!(
        "NAB: {} files, {rows} rows, {next_window} windows; detector time {detect_time:.3} s",
        runs.len()
    );
    println!("settings: {base:?}");

    let all: Vec<Point> = runs.iter().flat_map(|r| r.points.iter().copied()).collect();
    let categories: Vec<String> = {
        let mut c: Vec<String> = runs.iter().map(|r| r.category.clone()).collect();
        c.dedup();
        c
    };
    let cat_points = |c: &str| -> Vec<Point> {
        runs.iter()
            .filter(|r| r.category == c)
            .flat_map(|r| r.points.iter().copied())
            .collect()
    };

    println!();
    println!(
        "| profile | threshold | all 4 categories | {} |",
        categories.join(" | ")
    );
    println!("|---|---|---|{}", "---|".repeat(categories.len()));
    let mut std_threshold = 0.0;
    for p in &PROFILES {
        let (thr, raw) = optimise_threshold(&all, p);
        let (null, perfect) = null_and_perfect(&all, p);
        if p.name == "standard" {
            std_threshold = thr;
        }
        let per_cat: Vec<String> = categories
            .iter()
            .map(|c| {
                let pts = cat_points(c);
                let (n, pf) = null_and_perfect(&pts, p);
                format!("{:.1}", normalise(score_at(&pts, thr, p), n, pf))
            })
            .collect();
        println!(
            "| skyledger {} | {thr:.4} | {:.1} | {} |",
            p.name,
            normalise(raw, null, perfect),
            per_cat.join(" | ")
        );
    }

    if let Some(path) = published_path {
        let text = std::fs::read_to_string(&path)?;
        // (detector, profile) -> file -> raw score
        let mut published: BTreeMap<(String, String), BTreeMap<String, f64>> = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() == 5 {
                published
                    .entry((f[0].to_string(), f[1].to_string()))
                    .or_default()
                    .insert(f[2].to_string(), f[4].parse()?);
            }
        }
        for ((det, profile), files) in &published {
            let Some(p) = PROFILES.iter().find(|p| p.name == profile) else {
                continue;
            };
            let (null, perfect) = null_and_perfect(&all, p);
            let total: f64 = runs.iter().filter_map(|r| files.get(&r.name)).sum();
            let per_cat: Vec<String> = categories
                .iter()
                .map(|c| {
                    let pts = cat_points(c);
                    let (n, pf) = null_and_perfect(&pts, p);
                    let raw: f64 = runs
                        .iter()
                        .filter(|r| &r.category == c)
                        .filter_map(|r| files.get(&r.name))
                        .sum();
                    format!("{:.1}", normalise(raw, n, pf))
                })
                .collect();
            println!(
                "| {det} (published) {profile} | – | {:.1} | {} |",
                normalise(total, null, perfect),
                per_cat.join(" | ")
            );
        }
    }

    // two-fold hold-out: the threshold chosen on one half of the files, scored on the other
    println!();
    let half = |k: usize| -> Vec<Point> {
        runs.iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == k)
            .flat_map(|(_, r)| r.points.iter().copied())
            .collect()
    };
    for p in &PROFILES {
        let mut cells = Vec::new();
        for k in 0..2 {
            let (train, test) = (half(k), half(1 - k));
            let (thr, _) = optimise_threshold(&train, p);
            let (n, pf) = null_and_perfect(&test, p);
            let (_, oracle) = optimise_threshold(&test, p);
            cells.push(format!(
                "half {} scored with half {}'s threshold {thr:.4}: {:.1} (own best {:.1})",
                1 - k,
                k,
                normalise(score_at(&test, thr, p), n, pf),
                normalise(oracle, n, pf)
            ));
        }
        println!("hold-out {}: {}", p.name, cells.join("; "));
    }

    println!();
    println!("per file (standard profile, threshold {std_threshold:.4}):");
    for r in &runs {
        let (n, pf) = null_and_perfect(&r.points, &PROFILES[0]);
        let fps = r
            .points
            .iter()
            .filter(|p| p.window.is_none() && p.anomaly_score >= std_threshold)
            .count();
        let mut hit: Vec<usize> = r
            .points
            .iter()
            .filter(|p| p.anomaly_score >= std_threshold)
            .filter_map(|p| p.window)
            .collect();
        hit.dedup();
        println!(
            "  {:55} raw {:7.3} (null {n:.0}, perfect {pf:.3}; windows hit {}, alarms outside windows {fps})",
            r.name,
            score_at(&r.points, std_threshold, &PROFILES[0]),
            hit.len()
        );
    }
    Ok(())
}

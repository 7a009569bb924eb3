//! Numenta Anomaly Benchmark scoring as NAB 1.x defines it: label windows, probationary period,
//! scaled-sigmoid weights, application profiles, a threshold sweep and normalisation.

/// Weights of one NAB application profile (`config/profiles.json`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub name: &'static str,
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

/// The three NAB profiles.
pub const PROFILES: [Profile; 3] = [
    Profile {
        name: "standard",
        tp: 1.0,
        fp: 0.11,
        fn_: 1.0,
    },
    Profile {
        name: "reward_low_FP_rate",
        tp: 1.0,
        fp: 0.22,
        fn_: 1.0,
    },
    Profile {
        name: "reward_low_FN_rate",
        tp: 1.0,
        fp: 0.11,
        fn_: 2.0,
    },
];

/// NAB's probationary period: the first `min(floor(0.15 n), 750)` rows are not scored.
pub fn probationary_period(rows: usize) -> usize {
    ((0.15 * rows as f64).floor() as usize).min(750)
}

/// `2 / (1 + e^(5x)) - 1`, or -1 for points more than three window-lengths past a window.
pub fn scaled_sigmoid(x: f64) -> f64 {
    if x > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * x).exp()) - 1.0
    }
}

/// Row ranges (inclusive) of label windows given as (start, end) epoch seconds: the first row
/// at or after the start to the last row at or before the end; windows holding no row are
/// dropped.
pub fn window_rows(seconds: &[i64], windows: &[(i64, i64)]) -> Vec<(usize, usize)> {
    windows
        .iter()
        .filter_map(|&(a, b)| {
            let first = seconds.iter().position(|&s| s >= a)?;
            let last = seconds.iter().rposition(|&s| s <= b)?;
            (first <= last).then_some((first, last))
        })
        .collect()
}

/// One scored row of one file.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub anomaly_score: f64,
    /// The row's unweighted sweep value: positive inside a window, negative outside.
    pub sigmoid: f64,
    /// Global id of the window holding the row.
    pub window: Option<usize>,
}

/// Rows of one file as the sweep sees them. `windows` are inclusive row-index ranges, in
/// order; window ids are numbered from `first_window_id`.
pub fn file_points(
    scores: &[f64],
    windows: &[(usize, usize)],
    first_window_id: usize,
) -> Vec<Point> {
    let n = scores.len();
    let probation = probationary_period(n);
    let mut out = Vec::with_capacity(n.saturating_sub(probation));
    let mut next = 0usize;
    let mut prev: Option<(usize, usize)> = None; // (right index, width)
    for (i, &s) in scores.iter().enumerate() {
        while next < windows.len() && windows[next].1 < i {
            let (a, b) = windows[next];
            prev = Some((b, b - a + 1));
            next += 1;
        }
        let (sigmoid, window) = match windows.get(next) {
            Some(&(a, b)) if a <= i && i <= b => {
                let width = (b - a + 1) as f64;
                let pos = -((b - i + 1) as f64) / width;
                (scaled_sigmoid(pos), Some(first_window_id + next))
            }
            _ => match prev {
                None => (-1.0, None),
                Some((right, width)) => {
                    let past = (i - right) as f64 / (width as f64 - 1.0).max(1.0);
                    (scaled_sigmoid(past), None)
                }
            },
        };
        if i >= probation {
            out.push(Point {
                anomaly_score: s,
                sigmoid,
                window,
            });
        }
    }
    out
}

/// Score of `points` (possibly several files) if every row with `anomaly_score >= threshold`
/// is a detection: each window counts its earliest detection (its largest sigmoid) or
/// `-fn` when missed, each detection outside windows adds `fp * sigmoid`.
pub fn score_at(points: &[Point], threshold: f64, p: &Profile) -> f64 {
    use std::collections::HashMap;
    let mut best: HashMap<usize, f64> = HashMap::new();
    let mut windows: HashMap<usize, ()> = HashMap::new();
    let mut fp = 0.0;
    for pt in points {
        if let Some(w) = pt.window {
            windows.insert(w, ());
            if pt.anomaly_score >= threshold {
                let e = best.entry(w).or_insert(f64::NEG_INFINITY);
                *e = e.max(pt.sigmoid);
            }
        } else if pt.anomaly_score >= threshold {
            fp += p.fp * pt.sigmoid;
        }
    }
    let tp: f64 = best.values().map(|s| p.tp * s).sum();
    tp + fp - p.fn_ * (windows.len() - best.len()) as f64
}

/// The threshold that maximises [`score_at`] over `points`, by a sweep over every distinct
/// anomaly score (highest first; ties keep the higher threshold). Returns (threshold, score).
pub fn optimise_threshold(points: &[Point], p: &Profile) -> (f64, f64) {
    let mut order: Vec<&Point> = points.iter().collect();
    order.sort_by(|a, b| b.anomaly_score.total_cmp(&a.anomaly_score));
    let n_windows = {
        let mut w: Vec<usize> = points.iter().filter_map(|p| p.window).collect();
        w.sort_unstable();
        w.dedup();
        w.len()
    };
    let mut best_in: std::collections::HashMap<usize, f64> = Default::default();
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut fn_score = -p.fn_ * n_windows as f64;
    let mut best = (1.1, fn_score);
    let mut i = 0;
    while i < order.len() {
        let thr = order[i].anomaly_score;
        while i < order.len() && order[i].anomaly_score == thr {
            let pt = order[i];
            match pt.window {
                Some(w) => match best_in.get_mut(&w) {
                    Some(s) => {
                        if pt.sigmoid > *s {
                            tp += p.tp * (pt.sigmoid - *s);
                            *s = pt.sigmoid;
                        }
                    }
                    None => {
                        best_in.insert(w, pt.sigmoid);
                        tp += p.tp * pt.sigmoid;
                        fn_score += p.fn_;
                    }
                },
                None => fp += p.fp * pt.sigmoid,
            }
            i += 1;
        }
        let total = tp + fp + fn_score;
        if total > best.1 {
            best = (thr, total);
        }
    }
    best
}

/// Raw score of the null detector (every window missed) and of the perfect detector (every
/// window caught at its first scored row, nothing else) on `points`.
pub fn null_and_perfect(points: &[Point], p: &Profile) -> (f64, f64) {
    let mut first: std::collections::HashMap<usize, f64> = Default::default();
    for pt in points {
        if let Some(w) = pt.window {
            let e = first.entry(w).or_insert(f64::NEG_INFINITY);
            *e = e.max(pt.sigmoid);
        }
    }
    let null = -p.fn_ * first.len() as f64;
    let perfect = first.values().map(|s| p.tp * s).sum();
    (null, perfect)
}

/// NAB's normalised score: 100 for the perfect detector, 0 for the null detector.
pub fn normalise(raw: f64, null: f64, perfect: f64) -> f64 {
    if perfect == null {
        return 0.0;
    }
    100.0 * (raw - null) / (perfect - null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows_and_scores(n: usize, detect_at: &[usize]) -> Vec<Point> {
        let mut s = vec![0.0; n];
        for &i in detect_at {
            s[i] = 1.0;
        }
        file_points(&s, &[(400, 499)], 0)
    }

    #[test]
    fn probation_and_sigmoid_follow_nab() {
        assert_eq!(probationary_period(1000), 150);
        assert_eq!(probationary_period(100_000), 750);
        assert!((scaled_sigmoid(-1.0) - 0.986_614).abs() < 1e-6);
        assert_eq!(scaled_sigmoid(0.0), 0.0);
        assert_eq!(scaled_sigmoid(3.5), -1.0);
    }

    #[test]
    fn early_detection_beats_late_and_fps_cost() {
        let std = &PROFILES[0];
        let early = windows_and_scores(1000, &[400]);
        let late = windows_and_scores(1000, &[490]);
        let none = windows_and_scores(1000, &[]);
        let fp_before = windows_and_scores(1000, &[200, 400]);
        let se = score_at(&early, 0.5, std);
        let sl = score_at(&late, 0.5, std);
        assert!((se - 0.986_614).abs() < 1e-5, "{se}");
        assert!(sl > 0.0 && sl < se);
        assert_eq!(score_at(&none, 0.5, std), -1.0);
        assert!((score_at(&fp_before, 0.5, std) - (se - 0.11)).abs() < 1e-9);
        // rows in the probationary period are not scored: an alarm at row 10 costs nothing
        let prob = windows_and_scores(1000, &[10, 400]);
        assert!((score_at(&prob, 0.5, std) - se).abs() < 1e-12);
        let (null, perfect) = null_and_perfect(&early, std);
        assert_eq!(null, -1.0);
        assert!((normalise(se, null, perfect) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn windows_map_to_rows() {
        let secs = [0, 300, 600, 900, 1200];
        assert_eq!(window_rows(&secs, &[(250, 950)]), vec![(1, 3)]);
        assert_eq!(window_rows(&secs, &[(5000, 6000)]), vec![]);
    }

    #[test]
    fn sweep_matches_direct_scoring() {
        let std = &PROFILES[0];
        let scores: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 1000.0)
            .collect();
        let pts = file_points(&scores, &[(300, 399), (700, 799)], 0);
        let (thr, best) = optimise_threshold(&pts, std);
        assert!((score_at(&pts, thr, std) - best).abs() < 1e-9);
        for t in [0.1, 0.5, 0.9, 0.99] {
            assert!(score_at(&pts, t, std) <= best + 1e-12);
        }
    }
}

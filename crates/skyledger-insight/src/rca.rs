//! Root-cause ranking: which dimension values (service, region, account, usage type, resource,
//! tag) carry an anomaly's deviation from the expected cost.

use crate::series;

/// One dimension value's series, e.g. `service = AmazonEC2`, aligned with the total series.
#[derive(Debug, Clone)]
pub struct Member {
    pub dimension: String,
    pub value: String,
    pub values: Vec<f64>,
}

/// One dimension value's part in the anomaly.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub dimension: String,
    pub value: String,
    /// What the member was expected to be at the anomaly, from the points before it.
    pub expected: f64,
    pub actual: f64,
    /// `actual - expected`.
    pub deviation: f64,
    /// Deviation as a fraction of its dimension's total deviation (the values of one
    /// dimension that partition the total sum to 1).
    pub share: f64,
    /// How much the member's part of its dimension changed (Jensen–Shannon term between the
    /// expected and actual mix); separates a cause from dimension values that merely contain it.
    pub surprise: f64,
    /// Ranking key: `share × surprise`, zero for members moving against the anomaly.
    pub score: f64,
}

/// Settings of [`rank`].
#[derive(Debug, Clone)]
pub struct RcaConfig {
    /// Season length of the series (e.g. 7 for daily cost); 0 or 1 for none.
    pub period: usize,
    /// How many past seasons (or, without a season, past points) form the expected value.
    pub lookback: usize,
}

impl Default for RcaConfig {
    fn default() -> Self {
        RcaConfig {
            period: 7,
            lookback: 4,
        }
    }
}

/// The expected value at index `at` from the points before it: the median of the same phase
/// over the last `lookback` seasons, or of the last `lookback` points without a season.
pub fn expected_at(values: &[f64], at: usize, cfg: &RcaConfig) -> f64 {
    let past: Vec<f64> = if cfg.period > 1 && at >= cfg.period {
        (1..=cfg.lookback)
            .filter_map(|k| at.checked_sub(k * cfg.period))
            .map(|i| values[i])
            .collect()
    } else {
        values[at.saturating_sub(cfg.lookback.max(1))..at].to_vec()
    };
    let m = series::median(&past);
    if m.is_finite() { m } else { 0.0 }
}

/// Rank `members` by their part in the deviation at index `at` (typically the last point).
/// Members of one dimension should partition the total; several dimensions may be mixed.
/// Missing (NaN) values count as zero cost.
pub fn rank(members: &[Member], at: usize, cfg: &RcaConfig) -> Vec<Contribution> {
    let clean = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .map(|x| if x.is_finite() { *x } else { 0.0 })
            .collect()
    };
    let mut out: Vec<Contribution> = members
        .iter()
        .filter(|m| at < m.values.len())
        .map(|m| {
            let v = clean(&m.values);
            let expected = expected_at(&v, at, cfg);
            let actual = v[at];
            Contribution {
                dimension: m.dimension.clone(),
                value: m.value.clone(),
                expected,
                actual,
                deviation: actual - expected,
                share: 0.0,
                surprise: 0.0,
                score: 0.0,
            }
        })
        .collect();
    let mut dims: Vec<String> = out.iter().map(|c| c.dimension.clone()).collect();
    dims.sort();
    dims.dedup();
    for d in &dims {
        let (e_tot, a_tot, dev_tot) = out
            .iter()
            .filter(|c| &c.dimension == d)
            .fold((0.0, 0.0, 0.0), |(e, a, dv), c| {
                (e + c.expected.abs(), a + c.actual.abs(), dv + c.deviation)
            });
        for c in out.iter_mut().filter(|c| &c.dimension == d) {
            c.share = if dev_tot != 0.0 {
                c.deviation / dev_tot
            } else {
                0.0
            };
            let p = if e_tot > 0.0 {
                c.expected.abs() / e_tot
            } else {
                0.0
            };
            let q = if a_tot > 0.0 {
                c.actual.abs() / a_tot
            } else {
                0.0
            };
            c.surprise = js_term(p, q);
            c.score = c.share.max(0.0) * c.surprise;
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.share.total_cmp(&a.share))
    });
    out
}

/// One member's term of the Jensen–Shannon divergence between mixes `p` (expected) and `q`.
fn js_term(p: f64, q: f64) -> f64 {
    let m = 0.5 * (p + q);
    let t = |x: f64| if x > 0.0 { x * (x / m).ln() } else { 0.0 };
    if m <= 0.0 { 0.0 } else { 0.5 * (t(p) + t(q)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Rng;

    const SERVICES: [&str; 4] = ["ec2", "s3", "rds", "lambda"];
    const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-south-1"];
    const ACCOUNTS: [&str; 2] = ["prod", "dev"];

    /// Daily cost cells (service × region × account) over 60 days with a weekly pattern;
    /// `inject(s, r, a)` adds to the last day.
    fn members(seed: u64, inject: impl Fn(usize, usize, usize) -> f64) -> Vec<Member> {
        let mut rng = Rng::new(seed);
        let days = 60;
        let mut cells = vec![vec![vec![vec![0.0; days]; 2]; 3]; 4];
        for (s, by_r) in cells.iter_mut().enumerate() {
            for (r, by_a) in by_r.iter_mut().enumerate() {
                for (a, v) in by_a.iter_mut().enumerate() {
                    let base = 100.0 / (s + 1) as f64 * (1.0 + r as f64 * 0.5) / (a + 1) as f64;
                    for (t, x) in v.iter_mut().enumerate() {
                        let weekly = if t % 7 >= 5 { 0.7 } else { 1.0 };
                        *x = base * weekly * (1.0 + 0.05 * rng.normal());
                    }
                    v[days - 1] += inject(s, r, a);
                }
            }
        }
        let mut out = Vec::new();
        let sum = |f: &dyn Fn(usize, usize, usize) -> bool| -> Vec<f64> {
            (0..days)
                .map(|t| {
                    let mut tot = 0.0;
                    for (s, by_r) in cells.iter().enumerate() {
                        for (r, by_a) in by_r.iter().enumerate() {
                            for (a, v) in by_a.iter().enumerate() {
                                if f(s, r, a) {
                                    tot += v[t];
                                }
                            }
                        }
                    }
                    tot
                })
                .collect()
        };
        for (i, name) in SERVICES.iter().enumerate() {
            out.push(Member {
                dimension: "service".into(),
                value: name.to_string(),
                values: sum(&|s, _, _| s == i),
            });
        }
        for (i, name) in REGIONS.iter().enumerate() {
            out.push(Member {
                dimension: "region".into(),
                value: name.to_string(),
                values: sum(&|_, r, _| r == i),
            });
        }
        for (i, name) in ACCOUNTS.iter().enumerate() {
            out.push(Member {
                dimension: "account".into(),
                value: name.to_string(),
                values: sum(&|_, _, a| a == i),
            });
        }
        out
    }

    #[test]
    fn injected_service_ranks_first() {
        // rds in every region and account costs 3× more on the last day
        let m = members(1, |s, r, a| {
            if s == 2 {
                2.0 * 100.0 / 3.0 * (1.0 + r as f64 * 0.5) / (a + 1) as f64
            } else {
                0.0
            }
        });
        let ranked = rank(&m, 59, &RcaConfig::default());
        assert_eq!(
            (ranked[0].dimension.as_str(), ranked[0].value.as_str()),
            ("service", "rds"),
            "{ranked:#?}"
        );
        assert!(ranked[0].share > 0.8);
        assert!(ranked[0].actual > 2.0 * ranked[0].expected);
    }

    #[test]
    fn injected_region_ranks_first() {
        // every service in ap-south-1 adds 60 % on the last day
        let m = members(2, |s, r, a| {
            if r == 2 {
                0.6 * 100.0 / (s + 1) as f64 * 2.0 / (a + 1) as f64
            } else {
                0.0
            }
        });
        let ranked = rank(&m, 59, &RcaConfig::default());
        assert_eq!(ranked[0].value, "ap-south-1", "{ranked:#?}");
    }

    #[test]
    fn shares_of_a_dimension_sum_to_one() {
        let m = members(3, |s, _, _| if s == 0 { 50.0 } else { 0.0 });
        let ranked = rank(&m, 59, &RcaConfig::default());
        for d in ["service", "region", "account"] {
            let s: f64 = ranked
                .iter()
                .filter(|c| c.dimension == d)
                .map(|c| c.share)
                .sum();
            assert!((s - 1.0).abs() < 1e-9, "{d}: {s}");
        }
        assert!(
            ranked
                .iter()
                .all(|c| c.expected.is_finite() && c.score >= 0.0)
        );
    }

    #[test]
    fn expected_uses_same_weekday_history() {
        let v: Vec<f64> = (0..28)
            .map(|t| if t % 7 == 0 { 10.0 } else { 1.0 })
            .collect();
        assert_eq!(expected_at(&v, 21, &RcaConfig::default()), 10.0);
        assert_eq!(expected_at(&v, 22, &RcaConfig::default()), 1.0);
        let none = RcaConfig {
            period: 1,
            lookback: 3,
        };
        assert_eq!(expected_at(&[1.0, 2.0, 3.0, 100.0], 3, &none), 2.0);
    }
}

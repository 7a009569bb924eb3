//! Online anomaly detection: a seasonal baseline learnt as the data arrives, a robust scale of
//! its residuals, and an anomaly score in [0, 1] for each point from the data before it.

use crate::seasonality;

/// Which deviations count as anomalies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Rises and falls.
    Both,
    /// Only rises (cost overruns).
    Up,
}

/// Settings of a [`Detector`].
#[derive(Debug, Clone)]
pub struct DetectorConfig {
    /// Season lengths (in points) worth testing, e.g. `[24, 168]` for hourly data; each is
    /// tested once two seasons have been seen and adopted if the autocorrelation peaks there
    /// (replacing a shorter season in use).
    pub season_hints: Vec<usize>,
    /// Also look for the strongest season up to 120 points long in the first 360 points
    /// (adopted only if its autocorrelation beats the season in use).
    pub discover_season: bool,
    /// Autocorrelation a discovered season needs (a weak, drifting rhythm is better left
    /// to the level and scale).
    pub discover_min_acf: f64,
    pub direction: Direction,
    /// Deviations from the baseline smaller than this (in the series' units) score 0.
    pub min_impact: f64,
    /// Points scored 0 while the baseline learns.
    pub warmup: usize,
    /// Smoothing of the level (per point).
    pub level_rate: f64,
    /// Smoothing of the seasonal profile (per visit of a phase).
    pub season_rate: f64,
    /// Smoothing of the residual scale (per point).
    pub scale_rate: f64,
    /// Smoothing of the short-term residual mean that reveals level shifts and trend changes.
    pub shift_rate: f64,
    /// Ratio of the surprise to its running tail quantile that maps to a score of 0.5.
    pub half_score_ratio: f64,
    /// Points after an alarm during which further alarms are damped.
    pub refractory: usize,
    /// The residual scale never drops below this fraction of the series' typical change
    /// between points (see `floor_basis`), so a flat stretch does not make every small move
    /// look huge.
    pub scale_floor: f64,
    /// How the typical change between points is measured.
    pub floor_basis: FloorBasis,
    /// The quantile of past surprises that normalises the score (e.g. 0.995).
    pub tail_quantile: f64,
    /// Step of the running quantile estimate (surprises are in robust sigmas).
    pub tail_step: f64,
    /// Surprise added per unit of the historical range by which a value falls outside every
    /// value seen before it (0 disables).
    pub novelty_weight: f64,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            season_hints: Vec::new(),
            discover_season: true,
            discover_min_acf: 0.6,
            direction: Direction::Both,
            min_impact: 0.0,
            warmup: 30,
            level_rate: 0.05,
            season_rate: 0.1,
            scale_rate: 0.01,
            shift_rate: 0.1,
            half_score_ratio: 1.5,
            refractory: 100,
            scale_floor: 1.0,
            floor_basis: FloorBasis::MeanChange,
            tail_quantile: 0.995,
            tail_step: 0.1,
            novelty_weight: 30.0,
        }
    }
}

/// How the detector measures a series' typical change between neighbouring points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloorBasis {
    /// The long-run mean absolute change: conservative where the season itself moves in big
    /// steps (the default; best on the NAB corpus).
    MeanChange,
    /// The running median absolute change (at least half the mean): the weekday/weekend step
    /// of daily cost does not mask a day's overrun.
    MedianChange,
}

impl DetectorConfig {
    /// Settings for cost series: rises only, and a scale floor that looks through weekly steps.
    pub fn cost() -> Self {
        DetectorConfig {
            direction: Direction::Up,
            floor_basis: FloorBasis::MedianChange,
            ..DetectorConfig::default()
        }
    }

    /// Season hints for a series sampled every `step_seconds`: a day and a week of points
    /// (when each is a whole number of 2 to 20,000 points; longer seasons would need weeks of
    /// buffered data before they could be learnt).
    pub fn season_hints_for_step(step_seconds: i64) -> Vec<usize> {
        let mut out = Vec::new();
        if step_seconds <= 0 {
            return out;
        }
        for span in [86_400i64, 7 * 86_400] {
            if span % step_seconds == 0 && (2..=20_000).contains(&(span / step_seconds)) {
                out.push((span / step_seconds) as usize);
            }
        }
        out
    }
}

/// Streaming detector: call [`Detector::score`] with each new value in order.
#[derive(Debug, Clone)]
pub struct Detector {
    cfg: DetectorConfig,
    seen: usize,
    /// Values kept until every season hint has been tested.
    buffer: Vec<f64>,
    pending: Vec<Candidate>,
    period: usize,
    /// Autocorrelation at the adopted period when it was adopted.
    period_strength: f64,
    profile: Vec<f64>,
    level: f64,
    scale: f64,
    shift: f64,
    shift_scale: f64,
    magnitude: f64,
    long_dev: f64,
    median_change: f64,
    tail: f64,
    /// Extremes of the values seen after the warm-up.
    hi: f64,
    lo: f64,
    prev: Option<f64>,
    last_alarm: Option<usize>,
    initialised: bool,
}

impl Detector {
    pub fn new(cfg: DetectorConfig) -> Self {
        let mut pending: Vec<Candidate> = cfg
            .season_hints
            .iter()
            .filter(|&&m| m >= 2)
            .map(|&m| Candidate::Hint(m))
            .collect();
        if cfg.discover_season {
            pending.push(Candidate::Discover);
        }
        pending.sort_by_key(|c| c.needs());
        Detector {
            cfg,
            seen: 0,
            buffer: Vec::new(),
            pending,
            period: 1,
            period_strength: 0.0,
            profile: vec![0.0],
            level: 0.0,
            scale: 0.0,
            shift: 0.0,
            shift_scale: 0.0,
            magnitude: 0.0,
            long_dev: 0.0,
            median_change: 0.0,
            tail: INITIAL_TAIL,
            hi: f64::NEG_INFINITY,
            lo: f64::INFINITY,
            prev: None,
            last_alarm: None,
            initialised: false,
        }
    }

    /// The season length in use (1 when none has been adopted).
    pub fn period(&self) -> usize {
        self.period
    }

    /// Points of damping after an alarm: the configured count, at most four seasons once a
    /// season is in use (so daily data is not muted for months).
    fn refractory(&self) -> usize {
        if self.period > 1 {
            self.cfg.refractory.min(4 * self.period)
        } else {
            self.cfg.refractory
        }
    }

    /// The value expected at the next point.
    pub fn expected(&self) -> f64 {
        self.level + self.profile[self.seen % self.period]
    }

    /// Score `value` against what came before it, then learn from it. A non-finite value
    /// scores 0 and is not learnt.
    pub fn score(&mut self, value: f64) -> f64 {
        if !value.is_finite() {
            // keep stream and buffer positions aligned for the season test
            let fill = if self.initialised {
                self.expected()
            } else {
                0.0
            };
            self.seen += 1;
            self.consider_seasons(fill);
            return 0.0;
        }
        if !self.initialised {
            self.level = value;
            self.magnitude = value.abs();
            self.initialised = true;
        }
        let phase = self.seen % self.period;
        let expected = self.level + self.profile[phase];
        let resid = value - expected;
        let typical_change = match self.cfg.floor_basis {
            FloorBasis::MeanChange => self.long_dev,
            // at least half the mean, so a mostly flat series with rare jumps keeps a floor
            FloorBasis::MedianChange => self.median_change.max(0.5 * self.long_dev),
        };
        let floor = (1e-3 * self.magnitude).max(self.cfg.scale_floor * typical_change) + 1e-9;
        let scale = self.scale.max(floor);
        let z = resid / scale;
        let shift_next = self.shift + self.cfg.shift_rate * (resid - self.shift);
        let zs = shift_next / self.shift_scale.max(floor);

        let mut score = 0.0;
        if self.seen >= self.cfg.warmup {
            let signed = |x: f64| match self.cfg.direction {
                Direction::Both => x.abs(),
                Direction::Up => x.max(0.0),
            };
            let mut surprise = signed(z).max(0.5 * signed(zs));
            if self.cfg.novelty_weight > 0.0 && self.hi > self.lo {
                let beyond = match self.cfg.direction {
                    Direction::Both => (value - self.hi).max(self.lo - value),
                    Direction::Up => value - self.hi,
                };
                if beyond > 0.0 {
                    // a range narrower than a few residual scales says little yet
                    let range = (self.hi - self.lo).max(4.0 * scale);
                    surprise += self.cfg.novelty_weight * beyond / range;
                }
            }
            // How unusual this surprise is for this series: its ratio to a running high
            // quantile of the surprises before it, so every series alarms at about the same
            // rate whatever the shape of its noise (a spiky series needs a bigger spike).
            let u = surprise / self.tail.max(0.1);
            let p = self.cfg.tail_quantile;
            if surprise > self.tail {
                self.tail += self.cfg.tail_step * p;
            } else {
                self.tail -= self.cfg.tail_step * (1.0 - p);
            }
            let s2 = u * u;
            let h2 = self.cfg.half_score_ratio * self.cfg.half_score_ratio;
            score = s2 / (s2 + h2);
            if resid.abs() < self.cfg.min_impact {
                score = 0.0;
            }
            if self.cfg.refractory > 0 {
                if let Some(at) = self.last_alarm
                    && self.seen - at <= self.refractory()
                {
                    score *= 0.5;
                }
                if score >= 0.5 {
                    self.last_alarm = Some(self.seen);
                }
            }
        }

        // learn: winsorised updates keep one anomaly from inflating the scale
        let clipped = resid.clamp(-4.0 * scale, 4.0 * scale);
        let warm = self.seen < self.cfg.warmup;
        let rate = |r: f64| {
            if warm {
                r.max(1.0 / (self.seen + 1) as f64)
            } else {
                r
            }
        };
        self.scale += rate(self.cfg.scale_rate) * (clipped.abs() - self.scale);
        self.shift = shift_next;
        self.shift_scale += rate(self.cfg.scale_rate) * (self.shift.abs() - self.shift_scale);
        self.level += rate(self.cfg.level_rate) * (value - self.profile[phase] - self.level);
        if self.period > 1 {
            let p = &mut self.profile[phase];
            *p += self.cfg.season_rate * (value - self.level - *p);
        }
        self.magnitude += rate(0.01) * (value.abs() - self.magnitude);
        if let Some(prev) = self.prev {
            let d = (value - prev).abs();
            self.long_dev += rate(0.002) * (d - self.long_dev);
            // running median of the changes (multiplicative steps, so it follows any scale)
            if self.median_change <= 0.0 {
                self.median_change = d;
            } else if d > self.median_change {
                self.median_change *= 1.0 + MEDIAN_STEP;
            } else {
                self.median_change /= 1.0 + MEDIAN_STEP;
            }
        }
        self.prev = Some(value);
        if self.seen >= self.cfg.warmup {
            self.hi = self.hi.max(value);
            self.lo = self.lo.min(value);
        }
        self.seen += 1;
        self.consider_seasons(value);
        score
    }

    /// Buffer values until the next season hint can be tested; adopt the hint if it passes.
    fn consider_seasons(&mut self, value: f64) {
        if self.pending.is_empty() {
            return;
        }
        self.buffer.push(value);
        while let Some(&cand) = self.pending.first() {
            if self.buffer.len() < cand.needs() {
                return;
            }
            self.pending.remove(0);
            let found = match cand {
                Candidate::Hint(m) => seasonality::peak_strength(&self.buffer, m).map(|r| (m, r)),
                Candidate::Discover => {
                    seasonality::strongest_period(&self.buffer, DISCOVER_MAX_LAG)
                        .filter(|&(_, r)| r >= self.cfg.discover_min_acf)
                }
            };
            // a passing hint replaces a shorter season (a week of points also holds the days);
            // a discovered season must beat the one in use
            if let Some((m, strength)) = found
                && (matches!(cand, Candidate::Hint(_)) || strength > self.period_strength)
                && let Some(c) =
                    seasonality::classical(&self.buffer, m, seasonality::SeasonalKind::Additive)
            {
                // buffer position t is stream position t, so the indices line up
                self.period = m;
                self.period_strength = strength;
                // the residuals change character with the season removed: relearn their tail
                self.tail = INITIAL_TAIL;
                self.profile = c.index.clone();
                let start = self.buffer.len() - m;
                let deseason: f64 = self.buffer[start..]
                    .iter()
                    .enumerate()
                    .map(|(k, v)| v - c.index[(start + k) % m])
                    .sum::<f64>()
                    / m as f64;
                self.level = deseason;
            }
        }
        if self.pending.is_empty() {
            self.buffer = Vec::new();
        }
    }
}

/// Relative step of the running median of point-to-point changes.
const MEDIAN_STEP: f64 = 0.01;

/// Starting guess of the surprise tail quantile (robust sigmas).
const INITIAL_TAIL: f64 = 3.0;

/// Longest season searched for without a hint.
const DISCOVER_MAX_LAG: usize = 120;

/// A season still to be tested once enough points are buffered.
#[derive(Debug, Clone, Copy)]
enum Candidate {
    Hint(usize),
    Discover,
}

impl Candidate {
    fn needs(self) -> usize {
        match self {
            Candidate::Hint(m) => 2 * m,
            Candidate::Discover => 3 * DISCOVER_MAX_LAG,
        }
    }
}

/// Score every point of `values` with a fresh [`Detector`] (the batch form of the online
/// detector: each score still uses only the points before it).
pub fn score_series(values: &[f64], cfg: &DetectorConfig) -> Vec<f64> {
    let mut d = Detector::new(cfg.clone());
    values.iter().map(|&v| d.score(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Rng;

    fn daily(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|t| {
                100.0 + 20.0 * (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin() + rng.normal()
            })
            .collect()
    }

    fn cfg() -> DetectorConfig {
        DetectorConfig {
            season_hints: vec![24],
            ..DetectorConfig::default()
        }
    }

    fn max_in(s: &[f64], r: std::ops::Range<usize>) -> f64 {
        s[r].iter().cloned().fold(0.0, f64::max)
    }

    #[test]
    fn learns_the_season_and_stays_quiet_on_normal_data() {
        let y = daily(24 * 20, 1);
        let mut d = Detector::new(cfg());
        let s: Vec<f64> = y.iter().map(|&v| d.score(v)).collect();
        assert_eq!(d.period(), 24);
        assert!(
            max_in(&s, 24 * 5..s.len()) < 0.5,
            "{}",
            max_in(&s, 24 * 5..s.len())
        );
        assert!(s.iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn catches_spike_dip_and_level_shift() {
        // the scale never drops below the typical point-to-point change (about 3.3 for this
        // daily wave), so the injected changes are several times that (a level shift is seen
        // at half weight through the short-term residual mean)
        let mut y = daily(24 * 50, 2);
        y[400] += 30.0;
        y[700] -= 30.0;
        for v in y.iter_mut().skip(1000) {
            *v += 25.0;
        }
        let s = score_series(&y, &cfg());
        let quiet = max_in(&s, 200..390);
        assert!(
            s[400] > 0.7 && s[400] > 2.0 * quiet,
            "spike {} quiet {quiet}",
            s[400]
        );
        assert!(s[700] > 0.7, "dip {}", s[700]);
        assert!(
            max_in(&s, 1000..1010) > 0.5,
            "shift {}",
            max_in(&s, 1000..1010)
        );
    }

    #[test]
    fn discovers_an_unhinted_rhythm_so_recurring_spikes_stop_alarming() {
        let mut rng = Rng::new(5);
        let y: Vec<f64> = (0..3000)
            .map(|t| if t % 100 == 0 { 20.0 } else { 1.0 } + 0.1 * rng.normal())
            .collect();
        let mut d = Detector::new(DetectorConfig::default());
        let s: Vec<f64> = y.iter().map(|&v| d.score(v)).collect();
        assert_eq!(d.period(), 100);
        assert!(max_in(&s, 1000..3000) < 0.5, "{}", max_in(&s, 1000..3000));
        let blind = DetectorConfig {
            discover_season: false,
            ..DetectorConfig::default()
        };
        let s = score_series(&y, &blind);
        assert!(max_in(&s, 1000..3000) > 0.5);
    }

    #[test]
    fn catches_a_trend_change() {
        let mut rng = Rng::new(3);
        let y: Vec<f64> = (0..800)
            .map(|t| {
                let drift = if t > 500 { 0.4 * (t - 500) as f64 } else { 0.0 };
                50.0 + drift + rng.normal()
            })
            .collect();
        // no refractory damping, so a chance alarm in the quiet part cannot mask the change
        let cfg = DetectorConfig {
            refractory: 0,
            ..DetectorConfig::default()
        };
        let s = score_series(&y, &cfg);
        let quiet = max_in(&s, 100..500);
        let after = max_in(&s, 500..560);
        assert!(
            after > 0.5 && after > quiet + 0.2,
            "after {after} quiet {quiet}"
        );
    }

    #[test]
    fn up_only_and_min_impact_filter_cost_alerts() {
        let mut y = daily(24 * 40, 4);
        y[300] -= 30.0;
        y[550] += 30.0;
        y[800] += 3.0;
        let up = DetectorConfig {
            direction: Direction::Up,
            min_impact: 5.0,
            ..cfg()
        };
        let s = score_series(&y, &up);
        assert_eq!(s[300], 0.0);
        assert!(s[550] > 0.7);
        assert_eq!(s[800], 0.0);
    }

    #[test]
    fn daily_cost_alarms_again_a_month_later() {
        // weekly pattern; two overruns 30 days apart are both reported (the damping after an
        // alarm lasts at most four seasons)
        let mut rng = Rng::new(6);
        let mut y: Vec<f64> = (0..200)
            .map(|t| if t % 7 >= 5 { 40.0 } else { 100.0 } + rng.normal())
            .collect();
        y[120] += 150.0;
        y[150] += 150.0;
        let cfg = DetectorConfig {
            season_hints: DetectorConfig::season_hints_for_step(86_400),
            direction: Direction::Up,
            ..DetectorConfig::default()
        };
        let s = score_series(&y, &cfg);
        assert!(s[120] > 0.7 && s[150] > 0.7, "{} {}", s[120], s[150]);
    }

    #[test]
    fn cost_preset_catches_a_one_day_overrun_under_a_weekly_pattern() {
        // weekdays 1000, weekends 600, 3 % noise: the weekly step dwarfs the noise
        let mut rng = Rng::new(7);
        let mut y: Vec<f64> = (0..240)
            .map(|t| if t % 7 >= 5 { 600.0 } else { 1000.0 } * (1.0 + 0.03 * rng.normal()))
            .collect();
        y[200] *= 1.5;
        let cfg = DetectorConfig {
            season_hints: DetectorConfig::season_hints_for_step(86_400),
            ..DetectorConfig::cost()
        };
        let s = score_series(&y, &cfg);
        assert!(s[200] > 0.5, "overrun {}", s[200]);
        let false_alarms = s[60..].iter().filter(|v| **v >= 0.5).count();
        assert!(false_alarms <= 2, "{false_alarms} alarms");
    }

    #[test]
    fn season_hints_follow_the_step() {
        assert_eq!(DetectorConfig::season_hints_for_step(300), vec![288, 2016]);
        assert_eq!(DetectorConfig::season_hints_for_step(3600), vec![24, 168]);
        assert_eq!(DetectorConfig::season_hints_for_step(86_400), vec![7]);
        // a week of seconds is too long to learn online
        assert_eq!(
            DetectorConfig::season_hints_for_step(1),
            Vec::<usize>::new()
        );
        assert_eq!(
            DetectorConfig::season_hints_for_step(0),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn flat_zero_and_gappy_series_score_finite() {
        for y in [
            vec![0.0; 200],
            vec![5.0; 200],
            (0..200)
                .map(|t| if t % 3 == 0 { f64::NAN } else { -2.0 })
                .collect(),
            vec![],
        ] {
            let s = score_series(&y, &cfg());
            assert_eq!(s.len(), y.len());
            assert!(s.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)));
        }
    }
}

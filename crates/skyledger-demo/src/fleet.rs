//! What every provider's generator shares: resource slots, applications and their tags (with
//! realistic gaps), per-day usage variation, and the injected anomalies.

use crate::calendar::{Calendar, MONTHS};
use crate::money::Sum;
use crate::rng::{below, key, unit};

/// Applications the demo organisation runs, with the team that owns each.
pub(crate) const APPS: [(&str, &str); 16] = [
    ("checkout", "payments"),
    ("payments-api", "payments"),
    ("catalog", "commerce"),
    ("search", "search"),
    ("orders", "commerce"),
    ("inventory", "commerce"),
    ("auth", "identity"),
    ("notifications", "platform"),
    ("recommendations", "ml"),
    ("feature-store", "ml"),
    ("clickstream", "data"),
    ("reporting", "data"),
    ("gateway", "platform"),
    ("media", "web"),
    ("storefront", "web"),
    ("observability", "platform"),
];

/// Cost centres by team.
const COST_CENTERS: [(&str, &str); 9] = [
    ("payments", "CC-1040"),
    ("commerce", "CC-1020"),
    ("search", "CC-1025"),
    ("identity", "CC-1060"),
    ("platform", "CC-1001"),
    ("ml", "CC-1075"),
    ("data", "CC-1070"),
    ("web", "CC-1030"),
    ("security", "CC-1090"),
];

/// The tag keys used on resources, in a stable order.
pub(crate) const TAG_KEYS: [&str; 4] = ["app", "cost-center", "env", "team"];

/// Tag values of one resource (`None` where the resource lacks that tag).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tags(pub(crate) [Option<&'static str>; 4]);

impl Tags {
    /// Tags for a resource of `app` in an account whose environment is `env`: about 30% carry no
    /// tags at all, 10% only `app`/`env`, 5% lack `env`; a few spell the environment differently
    /// (as real estates do).
    pub(crate) fn for_resource(h: u64, app: usize, env: &'static str) -> Tags {
        let (app_name, team) = APPS[app];
        let cc = COST_CENTERS
            .iter()
            .find(|(t, _)| *t == team)
            .map(|(_, c)| *c);
        let u = unit(h);
        let env = if unit(h.rotate_left(17)) < 0.04 {
            match env {
                "prod" => "Production",
                "dev" => "Dev",
                "staging" => "stage",
                other => other,
            }
        } else {
            env
        };
        if u < 0.30 {
            Tags::default()
        } else if u < 0.40 {
            Tags([Some(app_name), None, Some(env), None])
        } else if u < 0.45 {
            Tags([Some(app_name), cc, None, Some(team)])
        } else {
            Tags([Some(app_name), cc, Some(env), Some(team)])
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        TAG_KEYS
            .iter()
            .zip(self.0.iter())
            .filter_map(|(k, v)| v.map(|v| (*k, v)))
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

/// Resource slots created on first use from their index, so that slot `i` is the same resource
/// whichever format or row count asks for it, and memory grows only with the busiest day.
pub(crate) struct Slots<S, F: Fn(u64) -> S> {
    items: Vec<S>,
    make: F,
}

impl<S, F: Fn(u64) -> S> Slots<S, F> {
    pub(crate) fn new(make: F) -> Self {
        Slots {
            items: Vec::new(),
            make,
        }
    }

    pub(crate) fn get(&mut self, i: usize) -> &S {
        while self.items.len() <= i {
            let s = (self.make)(self.items.len() as u64);
            self.items.push(s);
        }
        &self.items[i]
    }
}

/// Day-to-day variation of one resource's usage: ±15% noise, and for elastic usage (requests,
/// functions, transfer) lower weekends.
pub(crate) fn daily_factor(
    seed: u64,
    slot_hash: u64,
    cal: &Calendar,
    day: usize,
    elastic: bool,
) -> f64 {
    let noise = 0.85 + 0.30 * unit(key(seed, &[slot_hash, day as u64, 0xda11]));
    let weekly = if elastic && cal.days[day].weekend {
        0.62
    } else {
        1.0
    };
    noise * weekly
}

/// One injected spike: usage of `service` in billing account `account` is multiplied by `factor`
/// on days `first_day..=last_day`.
#[derive(Debug, Clone)]
pub(crate) struct Spike {
    pub(crate) account: usize,
    pub(crate) service: &'static str,
    pub(crate) first_day: usize,
    pub(crate) last_day: usize,
    pub(crate) factor: f64,
    /// Sum of the primary cost column over the matched rows, as written.
    pub(crate) cost: Sum,
    /// The same rows' cost had there been no spike.
    pub(crate) baseline: Sum,
}

/// The spikes of one generated stream.
#[derive(Debug, Default)]
pub(crate) struct Spikes(pub(crate) Vec<Spike>);

impl Spikes {
    /// The multiplier for usage of `service` in `account` on `day`, and which spike applies.
    pub(crate) fn factor(&self, account: usize, service: &str, day: usize) -> Option<(usize, f64)> {
        self.0
            .iter()
            .position(|s| {
                s.account == account
                    && s.service == service
                    && (s.first_day..=s.last_day).contains(&day)
            })
            .map(|i| (i, self.0[i].factor))
    }

    pub(crate) fn record(&mut self, i: usize, cost: i64, baseline: i64) {
        self.0[i].cost.add(cost);
        self.0[i].baseline.add(baseline);
    }
}

/// Places one spike per window on the costliest eligible (account, service) pair among the
/// first `limit` slots (slots that are active on every day), each pair at most once.
/// `candidate(i)` returns slot `i`'s account, service and typical daily cost if it may spike.
pub(crate) fn place_spikes(
    windows: Vec<(usize, usize, f64)>,
    limit: usize,
    mut candidate: impl FnMut(usize) -> Option<(usize, &'static str, f64)>,
) -> Spikes {
    let pool: Vec<(usize, &'static str, f64)> =
        (0..limit.max(1)).filter_map(&mut candidate).collect();
    let mut spikes = Spikes::default();
    for (first_day, last_day, factor) in windows {
        let best = pool
            .iter()
            .filter(|(a, s, _)| !spikes.0.iter().any(|x| x.account == *a && x.service == *s))
            .max_by(|x, y| x.2.total_cmp(&y.2));
        if let Some(&(account, service, _)) = best {
            spikes.0.push(Spike {
                account,
                service,
                first_day,
                last_day,
                factor,
                cost: Sum::default(),
                baseline: Sum::default(),
            });
        }
    }
    spikes
}

/// How many of the first slots are active on every day, given the cumulative row targets and
/// the most rows one slot writes per day (weekends and the first month have the fewest).
pub(crate) fn always_active(targets: &[u64], rows_per_slot: u64) -> usize {
    let first = targets.first().copied().unwrap_or(0);
    ((first * 7 / 10) / rows_per_slot.max(1)).clamp(1, 60) as usize
}

/// Day windows for `n` spikes of stream `stream`: one each in a different month among the last
/// six (so a detector has history before them), 1–3 days long, never on a month's first or last
/// three days, with a factor between 4× and 9×.
pub(crate) fn spike_windows(
    seed: u64,
    stream: u64,
    cal: &Calendar,
    n: usize,
) -> Vec<(usize, usize, f64)> {
    (0..n)
        .map(|i| {
            let h = key(seed, &[stream, i as u64, 0x5b1c]);
            let month = MONTHS - 1 - (2 * i + below(h, 2)).min(5);
            let m = &cal.months[month];
            let len = 1 + below(h.rotate_left(13), 3);
            let first = m.first_day + 3 + below(h.rotate_left(29), m.n_days - 6 - len);
            let factor = 4.0 + 5.0 * unit(h.rotate_left(41));
            (first, first + len - 1, (factor * 100.0).round() / 100.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn about_a_third_of_resources_are_untagged() {
        let n = 20_000;
        let untagged = (0..n)
            .filter(|&i| Tags::for_resource(key(1, &[i]), 0, "prod").is_empty())
            .count();
        let share = untagged as f64 / n as f64;
        assert!((0.27..0.33).contains(&share), "{share}");
    }

    #[test]
    fn spike_windows_fall_in_the_last_six_months() {
        let cal = Calendar::ending(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        for seed in 0..50 {
            for (a, b, f) in spike_windows(seed, 3, &cal, 3) {
                assert!(a <= b && b - a < 3);
                assert!(cal.days[a].month >= MONTHS - 6);
                assert_eq!(cal.days[a].month, cal.days[b].month);
                assert!((4.0..=9.0).contains(&f));
            }
        }
    }
}

//! `skyledger forecast` and `skyledger detect`: thin file-in, file-out wrappers over skyledger-insight.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use skyledger_insight::detect::{DetectorConfig, Direction, score_series};
use skyledger_insight::forecast::{ForecastConfig, forecast_many};
use skyledger_insight::io::{
    looks_like_timestamp_value, read_m4, read_timestamp_value, typical_step, write_forecasts,
    write_scores,
};
use skyledger_insight::series::Frequency;

/// Forecast one series (`timestamp,value` CSV) or many (M4 layout `id,v1,v2,…`).
#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    /// Input CSV: `timestamp,value` (one series; gaps in the timestamps become missing
    /// periods) or the M4 layout, one series a row: `id,v1,v2,…`.
    #[arg(long)]
    pub input: PathBuf,
    /// Number of periods to forecast.
    #[arg(long)]
    pub horizon: usize,
    /// Sampling frequency: hourly, daily, weekly or monthly. Inferred from the timestamps of a
    /// `timestamp,value` file; required for the M4 layout.
    #[arg(long)]
    pub frequency: Option<Frequency>,
    /// Also write the lower and upper bounds of the prediction intervals.
    #[arg(long)]
    pub intervals: bool,
    /// Interval coverage levels in percent (or as fractions), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "80,95")]
    pub levels: Vec<f64>,
    /// Output CSV (`id,F1..FH`, then `lo80_F1..`, `hi80_F1..` … with --intervals); default
    /// standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Score each row of a `timestamp,value` CSV for anomalies (NAB layout in and out).
#[derive(Debug, clap::Args)]
pub struct DetectArgs {
    /// Input CSV `timestamp,value`.
    #[arg(long)]
    pub input: PathBuf,
    /// Output CSV `timestamp,value,anomaly_score`, one row per input row; default standard
    /// output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Which deviations count: `both` (rises and falls) or `up` (rises only, for cost).
    #[arg(long, default_value = "both", value_parser = parse_direction)]
    pub direction: Direction,
    /// Cost series: judge deviations against the typical day-to-day change with the weekly
    /// steps looked through (use with `--direction up`).
    #[arg(long)]
    pub cost: bool,
    /// Deviations from the expected value smaller than this (in the series' units) score 0.
    #[arg(long, default_value_t = 0.0)]
    pub min_impact: f64,
}

fn parse_direction(s: &str) -> Result<Direction, String> {
    match s {
        "both" => Ok(Direction::Both),
        "up" => Ok(Direction::Up),
        _ => Err(format!("expected `up` or `both`, got {s:?}")),
    }
}

fn output(path: &Option<PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

fn open(path: &Path) -> anyhow::Result<File> {
    File::open(path).with_context(|| format!("opening {}", path.display()))
}

/// Run `skyledger forecast`.
pub fn forecast(args: &ForecastArgs) -> anyhow::Result<()> {
    if args.horizon == 0 {
        bail!("--horizon must be at least 1");
    }
    let mut levels = Vec::with_capacity(args.levels.len());
    for &l in &args.levels {
        let f = if l > 1.0 { l / 100.0 } else { l };
        if !(f > 0.0 && f < 1.0) {
            bail!("--levels: {l} is not a coverage between 0 and 100 %");
        }
        levels.push(f);
    }
    let head = std::fs::read_to_string(&args.input)
        .with_context(|| format!("reading {}", args.input.display()))?;
    let (ids, series, freq, grid) = if looks_like_timestamp_value(&head) {
        let s = read_timestamp_value(head.as_bytes())
            .with_context(|| format!("{}", args.input.display()))?;
        let regular = s.regularise();
        let freq = args
            .frequency
            .unwrap_or_else(|| Frequency::from_step_seconds(regular.step));
        let id = args
            .input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "series".into());
        let start = regular.start_date();
        (
            vec![id],
            vec![regular.values],
            freq,
            Some((regular.step, start)),
        )
    } else {
        let Some(freq) = args.frequency else {
            bail!("--frequency is required for the M4 layout (its rows carry no timestamps)");
        };
        let rows = read_m4(head.as_bytes()).with_context(|| format!("{}", args.input.display()))?;
        let (ids, series): (Vec<String>, Vec<Vec<f64>>) = rows.into_iter().unzip();
        (ids, series, freq, None)
    };
    let mut cfg = ForecastConfig::new(freq, args.horizon, &levels);
    // sub-hourly or uneven sub-daily steps: test a day and a week of points instead of the
    // hourly candidates
    if let Some((step, start)) = grid {
        if step < 86_400 && step != 3_600 {
            cfg.periods = Some(DetectorConfig::season_hints_for_step(step));
        }
        // daily data with real dates: the month-start effect
        cfg.start_date = start;
    }
    let forecasts = forecast_many(&series, &cfg);
    let rows: Vec<(String, _)> = ids.into_iter().zip(forecasts).collect();
    write_forecasts(output(&args.output)?, &rows, args.horizon, args.intervals)?;
    Ok(())
}

/// Run `skyledger detect`.
pub fn detect(args: &DetectArgs) -> anyhow::Result<()> {
    if args.min_impact.is_nan() || args.min_impact < 0.0 {
        bail!("--min-impact must be a non-negative number");
    }
    let series = read_timestamp_value(open(&args.input)?)
        .with_context(|| format!("{}", args.input.display()))?;
    let base = if args.cost {
        DetectorConfig::cost()
    } else {
        DetectorConfig::default()
    };
    let cfg = DetectorConfig {
        season_hints: DetectorConfig::season_hints_for_step(typical_step(&series.seconds)),
        direction: args.direction,
        min_impact: args.min_impact,
        ..base
    };
    let scores = score_series(&series.values, &cfg);
    write_scores(output(&args.output)?, &series, &scores)?;
    Ok(())
}

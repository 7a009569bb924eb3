//! Anomaly detection, root-cause ranking and forecasting: pure functions over time series.

pub mod detect;
pub mod forecast;
pub mod io;
pub mod metrics;
pub mod nab;
pub mod rca;
pub mod seasonality;
pub mod series;

pub use detect::{Detector, DetectorConfig, Direction, FloorBasis, score_series};
pub use forecast::{
    Forecast, ForecastConfig, Interval, Method, forecast, forecast_many, forecast_with,
};
pub use rca::{Contribution, Member, RcaConfig, rank};
pub use series::Frequency;

#[cfg(test)]
mod testutil;

//! Anomaly detection, root-cause ranking and forecasting: pure functions over time series.

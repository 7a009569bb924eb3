//! Business rules: cost accounts, cost centers, budgets, anomaly, governance and the rest.

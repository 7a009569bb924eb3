//! Billing-format readers: each streams a provider export as Arrow batches of normalised cost rows.

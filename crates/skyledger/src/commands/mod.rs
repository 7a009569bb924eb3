//! One module per group of subcommands; each is a thin layer over the library crates.

pub mod admin;
pub mod demo;
pub mod ingest;
pub mod insight;
pub mod oauth;
pub mod serve;

use std::path::PathBuf;

use anyhow::Context as _;
use skyledger_meta::{Meta, redact_url};

use crate::config::{Config, ensure_data_dir};

/// What every command that touches the stores needs.
pub struct Context {
    pub data_dir: PathBuf,
    pub config: Config,
}

impl Context {
    /// Opens the metadata store and brings its schema up to date.
    pub async fn meta(&self) -> anyhow::Result<Meta> {
        ensure_data_dir(&self.data_dir)?;
        let url = self.config.metadata_url(&self.data_dir);
        let meta = Meta::connect(&url)
            .await
            .with_context(|| format!("cannot open the metadata store {}", redact_url(&url)))?;
        meta.migrate().await?;
        Ok(meta)
    }

    /// Opens the cost store.
    pub async fn ledger(&self) -> anyhow::Result<skyledger_ledger::Ledger> {
        ensure_data_dir(&self.data_dir)?;
        let location = self.config.cost_store(&self.data_dir);
        let opts =
            skyledger_ledger::LedgerOptions::new(skyledger_types::cost_row::cost_row_schema());
        skyledger_ledger::Ledger::open(&location, opts)
            .await
            .with_context(|| format!("cannot open the cost store {location}"))
    }

    /// The organisation the CLI acts for (created on first use).
    pub async fn org(&self, meta: &Meta) -> anyhow::Result<String> {
        let org = &self.config.organization;
        Ok(meta.default_org(&org.name, &org.time_zone).await?.id)
    }
}

//! Configuration: one typed struct, from defaults, then a TOML file, then `SKYLEDGER_…`
//! environment variables. An unknown key or a bad value stops start-up naming it.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use toml::{Table, Value};

/// Everything `skyledger` can be configured with. `skyledger.example.toml` documents each key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub log: LogConfig,
    pub organization: OrganizationConfig,
    /// Billing sources `serve` polls (`[[sources]]`, none by default).
    pub sources: Vec<SourceConfig>,
}

/// One billing source `serve` polls: every `interval_secs` it is listed and its new or changed
/// deliveries are ingested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    /// `s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix` or a local folder.
    pub url: String,
    /// Name of the cost account. Empty: the billing account's name in the data.
    pub account_name: String,
    /// Format instead of sniffing it (`focus`, `aws_cur`, …). Empty: sniffed.
    pub format: String,
    /// Seconds between two listings of the source.
    pub interval_secs: u64,
    /// Ingest the good rows of a delivery and count the bad ones instead of refusing it.
    pub skip_bad_rows: bool,
}

impl Default for SourceConfig {
    fn default() -> Self {
        SourceConfig {
            url: String::new(),
            account_name: String::new(),
            format: String::new(),
            interval_secs: 3600,
            skip_bad_rows: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address `serve` listens on.
    pub listen: String,
    /// Largest request body accepted, in bytes (larger: 413).
    pub body_limit_bytes: u64,
    /// Public base URL of this server, returned as `api_domain` by the OAuth token endpoint.
    /// Empty: `http://<listen>`.
    pub api_domain: String,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Metadata store URL: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`.
    /// Empty: `skyledger.sqlite` in the data directory.
    pub metadata_url: String,
    /// Cost store location: a directory or `s3://bucket/prefix`. Empty: `cost` in the data
    /// directory.
    pub cost_store: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `error`, `warn`, `info`, `debug`, `trace`, or a tracing filter such as
    /// `info,skyledger_api=debug`. `RUST_LOG` overrides it when set.
    pub level: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrganizationConfig {
    /// Name of the organisation created on first start.
    pub name: String,
    /// IANA time zone of dates in responses, e.g. `Asia/Kolkata`.
    pub time_zone: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            body_limit_bytes: 4 * 1024 * 1024,
            api_domain: String::new(),
            shutdown_grace_secs: 20,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

impl Default for OrganizationConfig {
    fn default() -> Self {
        OrganizationConfig {
            name: "My Organization".into(),
            time_zone: "UTC".into(),
        }
    }
}

/// Environment variables of the CLI itself, not configuration keys.
const CLI_VARIABLES: [&str; 2] = ["SKYLEDGER_DATA_DIR", "SKYLEDGER_CONFIG"];

impl Config {
    /// Defaults, overlaid by `file` (if any), overlaid by `SKYLEDGER_<SECTION>_<KEY>` variables.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
        let mut table = Table::try_from(Config::default()).context("default configuration")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            let from_file: Table = text
                .parse()
                .with_context(|| format!("config file {} is not valid TOML", path.display()))?;
            overlay(&mut table, from_file, path)?;
        }
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("SKYLEDGER_") else {
                continue;
            };
            if CLI_VARIABLES.contains(&name.as_str()) || rest.starts_with("TEST_") {
                continue;
            }
            set_from_env(&mut table, &name, rest, &value)?;
        }
        let config: Config =
            serde_path_to_error::deserialize(Value::Table(table)).map_err(|e| {
                anyhow::anyhow!(
                    "bad configuration value for {}: {}",
                    e.path(),
                    e.inner().message()
                )
            })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.server.listen.parse::<std::net::SocketAddr>().is_err() {
            bail!(
                "server.listen: {:?} is not an address like 127.0.0.1:8080",
                self.server.listen
            );
        }
        if self.server.body_limit_bytes < 1024 {
            bail!(
                "server.body_limit_bytes: {} is too small (at least 1024)",
                self.server.body_limit_bytes
            );
        }
        let url = &self.storage.metadata_url;
        let known = ["sqlite:", "postgres://", "postgresql://"];
        if !url.is_empty() && !known.iter().any(|p| url.starts_with(p)) {
            bail!("storage.metadata_url: must start with sqlite:// or postgres://");
        }
        if self.log.level.trim().is_empty() {
            bail!("log.level: must not be empty");
        }
        for (i, source) in self.sources.iter().enumerate() {
            if let Err(e) = skyledger_core::sources::SourceUrl::parse(&source.url) {
                bail!("sources[{i}].url: {e}");
            }
            if !source.format.is_empty()
                && skyledger_ingest::Format::parse(&source.format).is_none()
            {
                bail!(
                    "sources[{i}].format: unknown format {:?}; supported: {}",
                    source.format,
                    skyledger_ingest::supported_formats()
                );
            }
            if source.interval_secs < 10 {
                bail!(
                    "sources[{i}].interval_secs: {} is too short (at least 10)",
                    source.interval_secs
                );
            }
        }
        Ok(())
    }

    /// The metadata store URL, defaulting to the SQLite file in the data directory.
    pub fn metadata_url(&self, data_dir: &Path) -> String {
        if self.storage.metadata_url.is_empty() {
            skyledger_meta::Meta::sqlite_url(data_dir)
        } else {
            self.storage.metadata_url.clone()
        }
    }

    /// The cost store location, defaulting to `cost` in the data directory.
    pub fn cost_store(&self, data_dir: &Path) -> String {
        if self.storage.cost_store.is_empty() {
            data_dir.join("cost").display().to_string()
        } else {
            self.storage.cost_store.clone()
        }
    }

    pub fn api_domain(&self) -> String {
        if self.server.api_domain.is_empty() {
            format!("http://{}", self.server.listen)
        } else {
            self.server.api_domain.trim_end_matches('/').to_string()
        }
    }
}

/// Merges a file's table into the defaults, refusing keys the defaults do not have.
fn overlay(base: &mut Table, file: Table, path: &Path) -> anyhow::Result<()> {
    for (section, value) in file {
        // `[[sources]]`: the file's list replaces the (empty) default; each entry's keys are
        // checked when the whole is deserialised.
        if let Some(Value::Array(target)) = base.get_mut(&section) {
            let Value::Array(entries) = value else {
                bail!(
                    "{}: {section} must be a list of tables ([[{section}]])",
                    path.display()
                );
            };
            *target = entries;
            continue;
        }
        let Some(Value::Table(target)) = base.get_mut(&section) else {
            bail!(
                "{}: unknown section [{section}] (known: {})",
                path.display(),
                keys(base)
            );
        };
        let Value::Table(values) = value else {
            bail!(
                "{}: {section} must be a table ([{section}])",
                path.display()
            );
        };
        for (key, value) in values {
            if !target.contains_key(&key) {
                bail!(
                    "{}: unknown key {section}.{key} (known: {})",
                    path.display(),
                    keys(target)
                );
            }
            target.insert(key, value);
        }
    }
    Ok(())
}

fn keys(table: &Table) -> String {
    table.keys().cloned().collect::<Vec<_>>().join(", ")
}

/// Sets `section.key` from `SKYLEDGER_SECTION_KEY`, typed like the default value.
fn set_from_env(table: &mut Table, name: &str, rest: &str, raw: &str) -> anyhow::Result<()> {
    let lower = rest.to_ascii_lowercase();
    for (section, values) in table.iter_mut() {
        let Some(key) = lower.strip_prefix(&format!("{section}_")) else {
            continue;
        };
        let Value::Table(values) = values else {
            continue;
        };
        let Some(current) = values.get(key) else {
            continue;
        };
        let value = match current {
            Value::Integer(_) => Value::Integer(
                raw.trim()
                    .parse()
                    .with_context(|| format!("{name}: {raw:?} is not a whole number"))?,
            ),
            Value::Boolean(_) => Value::Boolean(
                raw.trim()
                    .parse()
                    .with_context(|| format!("{name}: {raw:?} is not true or false"))?,
            ),
            _ => Value::String(raw.to_string()),
        };
        values.insert(key.to_string(), value);
        return Ok(());
    }
    bail!(
        "{name}: unknown configuration variable (see skyledger.example.toml for the keys; SKYLEDGER_<SECTION>_<KEY>)"
    )
}

/// The data directory: created if missing.
pub fn ensure_data_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    Ok(dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[server]\nlisten = \"0.0.0.0:9000\"\n[log]\nformat = \"json\"\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&path),
            env(&[
                ("SKYLEDGER_SERVER_BODY_LIMIT_BYTES", "2048"),
                ("SKYLEDGER_DATA_DIR", "/x"),
                ("OTHER", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(config.server.listen, "0.0.0.0:9000");
        assert_eq!(config.server.body_limit_bytes, 2048);
        assert_eq!(config.log.format, LogFormat::Json);
        assert_eq!(config.organization, OrganizationConfig::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        for (text, needle) in [
            ("[server]\nlisen = \"x\"\n", "server.lisen"),
            ("[serverr]\n", "[serverr]"),
            ("[server]\nlisten = \"nope\"\n", "server.listen"),
            ("[log]\nformat = \"xml\"\n", "xml"),
            ("[server]\nbody_limit_bytes = \"big\"\n", "body_limit_bytes"),
            ("not toml", "not valid TOML"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = format!("{:#}", Config::load(Some(&path), env(&[])).unwrap_err());
            assert!(err.contains(needle), "{text:?}: {err}");
        }
        let err = format!(
            "{:#}",
            Config::load(None, env(&[("SKYLEDGER_SERVER_LISTN", "x")])).unwrap_err()
        );
        assert!(err.contains("SKYLEDGER_SERVER_LISTN"), "{err}");
        let err = format!(
            "{:#}",
            Config::load(None, env(&[("SKYLEDGER_SERVER_BODY_LIMIT_BYTES", "lots")])).unwrap_err()
        );
        assert!(err.contains("SKYLEDGER_SERVER_BODY_LIMIT_BYTES"), "{err}");
    }

    #[test]
    fn the_example_config_is_the_defaults() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../skyledger.example.toml");
        let config = Config::load(Some(&example), env(&[])).unwrap();
        assert_eq!(config, Config::default());
        // Every key of the defaults is documented in the example.
        let text = std::fs::read_to_string(&example).unwrap();
        let table = Table::try_from(Config::default()).unwrap();
        for (section, values) in &table {
            let Some(values) = values.as_table() else {
                continue;
            };
            assert!(text.contains(&format!("[{section}]")), "{section}");
            for key in values.keys() {
                assert!(text.contains(&format!("{key} =")), "{section}.{key}");
            }
        }
        // The commented `[[sources]]` example, uncommented, is a valid source naming every key
        // (with the defaults where it does not say otherwise).
        let block: String = text
            .lines()
            .skip_while(|l| !l.starts_with("# [[sources]]"))
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{}\n", l.trim_start_matches('#').trim_start()))
            .collect();
        let source_keys = Table::try_from(SourceConfig::default()).unwrap();
        for key in source_keys.keys() {
            assert!(block.contains(&format!("\n{key} =")), "sources.{key}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, &block).unwrap();
        let config = Config::load(Some(&path), env(&[])).unwrap();
        assert_eq!(config.sources.len(), 1);
        assert!(config.sources[0].url.starts_with("s3://"));
    }

    #[test]
    fn sources_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[[sources]]\nurl = \"s3://bills/cur\"\n[[sources]]\nurl = \"gs://b/x\"\ninterval_secs = 60\nformat = \"gcp\"\n",
        )
        .unwrap();
        let config = Config::load(Some(&path), env(&[])).unwrap();
        assert_eq!(config.sources.len(), 2);
        assert_eq!(config.sources[0].interval_secs, 3600);
        assert_eq!(config.sources[1].format, "gcp");
        for (text, needle) in [
            ("[[sources]]\nurl = \"ftp://x/y\"\n", "sources[0].url"),
            ("[[sources]]\nurl = \"\"\n", "sources[0].url"),
            (
                "[[sources]]\nurl = \"s3://b\"\nformat = \"xls\"\n",
                "sources[0].format",
            ),
            (
                "[[sources]]\nurl = \"s3://b\"\ninterval_secs = 1\n",
                "interval_secs",
            ),
            ("[[sources]]\nurl = \"s3://b\"\nurll = 1\n", "urll"),
            ("[sources]\nurl = \"s3://b\"\n", "[[sources]]"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = format!("{:#}", Config::load(Some(&path), env(&[])).unwrap_err());
            assert!(err.contains(needle), "{text:?}: {err}");
        }
    }
}

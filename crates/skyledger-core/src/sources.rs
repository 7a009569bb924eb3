//! Billing sources: object-store URLs (`s3://`, `gs://`, `az://`) and local folders laid out like
//! a bucket; listing them, picking their deliveries, fetching and ingesting each one.
//!
//! A delivery is either a CUR manifest with the files it lists, or one standalone export file.
//! Manifests are grouped by billing period (the `yyyymmdd-yyyymmdd` folder of legacy CUR and Azure
//! exports, the `BILLING_PERIOD=…` folder of CUR 2.0); only the newest manifest of a period is
//! ingested, so a new assembly replaces the period (a restatement). Files inside a manifest's
//! period folders belong to that manifest and are never ingested on their own.
//!
//! Remote objects are downloaded, streamed chunk by chunk, into a temporary folder that mirrors
//! their keys; the readers then stream from disk. Local folders are read in place.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use skyledger_ingest::azure_pair::{AzureView, azure_view};
use skyledger_ingest::{Format, ReadOptions};
use skyledger_ledger::Ledger;
use skyledger_meta::{Meta, MetaError};
use tokio::io::AsyncWriteExt;

use crate::ingestion::{
    DeliveryOrigin, IngestFailure, IngestRequest, IngestSummary, Progress, ingest_azure_pair_from,
    ingest_from,
};

/// How long a node's lease on a source lasts without renewal; renewed every third of it while
/// the node works, so only a dead node's lease runs out.
const LEASE_TTL: Duration = Duration::from_secs(600);

/// The kind of store a source URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    S3,
    Gcs,
    Azure,
    Local,
}

/// A parsed source: `s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix`, or a
/// local folder (`file://…` or a plain path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUrl {
    pub scheme: Scheme,
    /// Bucket or container; empty for a local folder.
    pub bucket: String,
    /// Key prefix inside the bucket (no leading or trailing `/`), or the local folder.
    pub prefix: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{url}: {reason}")]
    Url { url: String, reason: String },
    #[error("{url}: {reason}")]
    Store { url: String, reason: String },
    #[error("{file}: {reason}")]
    Manifest { file: String, reason: String },
    #[error(
        "{url}: another node is ingesting this source (its lease runs until it finishes or expires)"
    )]
    Leased { url: String },
    #[error(transparent)]
    Meta(#[from] MetaError),
}

impl SourceUrl {
    /// Parses a source; anything that is not `s3://`, `gs://`, `az://` or `file://` with a
    /// scheme is refused, naming the supported ones.
    pub fn parse(text: &str) -> Result<SourceUrl, SourceError> {
        let bad = |reason: &str| SourceError::Url {
            url: text.to_string(),
            reason: reason.to_string(),
        };
        let Some((scheme, rest)) = text.split_once("://") else {
            if text.is_empty() {
                return Err(bad("empty source"));
            }
            return Ok(SourceUrl {
                scheme: Scheme::Local,
                bucket: String::new(),
                prefix: text.to_string(),
            });
        };
        let scheme = match scheme {
            "s3" => Scheme::S3,
            "gs" => Scheme::Gcs,
            "az" => Scheme::Azure,
            "file" if !rest.is_empty() => {
                return Ok(SourceUrl {
                    scheme: Scheme::Local,
                    bucket: String::new(),
                    prefix: rest.to_string(),
                });
            }
            _ => {
                return Err(bad(
                    "unsupported source; use s3://bucket/prefix, gs://bucket/prefix, \
                     az://container/prefix, or a local path",
                ));
            }
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad("no bucket or container name"));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|p| p == ".." || p == ".") {
            return Err(bad("the prefix must not hold . or .. segments"));
        }
        Ok(SourceUrl {
            scheme,
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    /// The URL of an object of this source, e.g. `s3://bucket/key`.
    pub fn object_url(&self, key: &str) -> String {
        match self.scheme {
            Scheme::Local => FsPath::new(&self.prefix).join(key).display().to_string(),
            _ => format!("{}://{}/{key}", self.scheme_name(), self.bucket),
        }
    }

    fn scheme_name(&self) -> &'static str {
        match self.scheme {
            Scheme::S3 => "s3",
            Scheme::Gcs => "gs",
            Scheme::Azure => "az",
            Scheme::Local => "file",
        }
    }
}

impl fmt::Display for SourceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scheme {
            Scheme::Local => f.write_str(&self.prefix),
            _ if self.prefix.is_empty() => write!(f, "{}://{}", self.scheme_name(), self.bucket),
            _ => write!(
                f,
                "{}://{}/{}",
                self.scheme_name(),
                self.bucket,
                self.prefix
            ),
        }
    }
}

/// Store settings on top of the standard environment variables (`AWS_*`, `GOOGLE_*`,
/// `AZURE_*`), as `object_store` names its keys, e.g. `("aws_endpoint", "http://127.0.0.1:9000")`.
#[derive(Clone, Default)]
pub struct SourceOptions {
    pub settings: Vec<(String, String)>,
}

impl fmt::Debug for SourceOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be secrets: print the keys only.
        let keys: Vec<&str> = self.settings.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("SourceOptions")
            .field("settings", &keys)
            .finish()
    }
}

/// An opened source.
pub struct Source {
    url: SourceUrl,
    store: Arc<dyn ObjectStore>,
    /// The local folder (canonical) of a local source.
    local_root: Option<PathBuf>,
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Key from the bucket root (remote) or the folder (local).
    pub key: String,
    pub size: u64,
    /// ETag, or size and modification time when the store has none.
    pub fingerprint: String,
    pub modified_ms: i64,
}

/// One delivery of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// What it is recorded as: the manifest's billing-period folder, or the file's key.
    pub object: String,
    /// The manifest, when the delivery is one.
    pub manifest: Option<Listed>,
    /// The data files (the manifest's, or the one standalone file).
    pub files: Vec<Listed>,
}

impl Delivery {
    /// Changes when the manifest or any of its files changes.
    pub fn fingerprint(&self) -> String {
        self.manifest
            .iter()
            .chain(&self.files)
            .map(|l| format!("{}={}", l.key, l.fingerprint))
            .collect::<Vec<_>>()
            .join("|")
    }

    fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    fn newest_ms(&self) -> i64 {
        self.manifest
            .iter()
            .chain(&self.files)
            .map(|l| l.modified_ms)
            .max()
            .unwrap_or(0)
    }
}

fn store_error(url: &SourceUrl, what: &str, e: impl fmt::Display) -> SourceError {
    SourceError::Store {
        url: url.to_string(),
        reason: credential_hint(url.scheme, &format!("{what}: {e}")),
    }
}

/// Opens a source with the standard credential settings of its store.
pub fn open(url: &SourceUrl, options: &SourceOptions) -> Result<Source, SourceError> {
    let fail = |e: object_store::Error| SourceError::Url {
        url: url.to_string(),
        reason: credential_hint(url.scheme, &e.to_string()),
    };
    let store: Arc<dyn ObjectStore> = match url.scheme {
        Scheme::S3 => {
            let mut b = AmazonS3Builder::from_env().with_bucket_name(&url.bucket);
            for (k, v) in &options.settings {
                b = b.with_config(k.parse().map_err(fail)?, v);
            }
            Arc::new(b.build().map_err(fail)?)
        }
        Scheme::Gcs => {
            let mut b = GoogleCloudStorageBuilder::from_env().with_bucket_name(&url.bucket);
            for (k, v) in &options.settings {
                b = b.with_config(k.parse().map_err(fail)?, v);
            }
            Arc::new(b.build().map_err(fail)?)
        }
        Scheme::Azure => {
            let mut b = MicrosoftAzureBuilder::from_env().with_container_name(&url.bucket);
            for (k, v) in &options.settings {
                b = b.with_config(k.parse().map_err(fail)?, v);
            }
            Arc::new(b.build().map_err(fail)?)
        }
        Scheme::Local => {
            let root = std::fs::canonicalize(&url.prefix).map_err(|e| SourceError::Url {
                url: url.to_string(),
                reason: format!("cannot open the folder: {e}"),
            })?;
            if !root.is_dir() {
                return Err(SourceError::Url {
                    url: url.to_string(),
                    reason: "not a folder".into(),
                });
            }
            let store = LocalFileSystem::new_with_prefix(&root).map_err(fail)?;
            return Ok(Source {
                url: url.clone(),
                store: Arc::new(store),
                local_root: Some(root),
            });
        }
    };
    Ok(Source {
        url: url.clone(),
        store,
        local_root: None,
    })
}

/// Names the environment variables that configure credentials when a store cannot be built.
fn credential_hint(scheme: Scheme, error: &str) -> String {
    let vars = match scheme {
        Scheme::S3 => {
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL, AWS_ALLOW_HTTP"
        }
        Scheme::Gcs => "GOOGLE_APPLICATION_CREDENTIALS or GOOGLE_SERVICE_ACCOUNT",
        Scheme::Azure => "AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY",
        Scheme::Local => return error.to_string(),
    };
    format!("{error} (credentials and endpoint come from {vars})")
}

impl Source {
    pub fn url(&self) -> &SourceUrl {
        &self.url
    }

    /// Every object under the source's prefix.
    pub async fn list(&self) -> Result<Vec<Listed>, SourceError> {
        let prefix = match self.url.scheme {
            Scheme::Local => None,
            _ if self.url.prefix.is_empty() => None,
            _ => Some(Path::from(self.url.prefix.as_str())),
        };
        let mut stream = self.store.list(prefix.as_ref());
        let mut out = Vec::new();
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(|e| store_error(&self.url, "cannot list", e))?;
            let modified_ms = meta.last_modified.timestamp_millis();
            out.push(Listed {
                key: meta.location.as_ref().to_string(),
                size: meta.size,
                fingerprint: meta
                    .e_tag
                    .clone()
                    .unwrap_or_else(|| format!("{}:{modified_ms}", meta.size)),
                modified_ms,
            });
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// The source's deliveries, oldest first (so a newer snapshot of a period lands last).
    pub async fn deliveries(&self) -> Result<Vec<Delivery>, SourceError> {
        let listing = self.list().await?;
        let mut manifests = Vec::new();
        for (period, manifest) in newest_manifests(&listing) {
            let text = self.read_small(&manifest.key).await?;
            let keys = manifest_keys(&text, &self.url.object_url(&manifest.key))?;
            let keys = keys
                .into_iter()
                .map(|k| self.bucket_key(&k, &manifest.key))
                .collect::<Result<Vec<_>, _>>()?;
            manifests.push((period, manifest, keys));
        }
        assemble(&listing, manifests, |k| self.url.object_url(k))
    }

    /// A key a manifest lists (a key, or an `s3://bucket/key` URL), as a key of this store.
    fn bucket_key(&self, listed: &str, manifest: &str) -> Result<String, SourceError> {
        let Some((_, rest)) = listed.split_once("://") else {
            return Ok(listed.trim_start_matches('/').to_string());
        };
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if self.url.scheme != Scheme::Local && bucket != self.url.bucket {
            return Err(SourceError::Manifest {
                file: self.url.object_url(manifest),
                reason: format!(
                    "lists {listed}, in another bucket than {}; point the source at that bucket",
                    self.url.bucket
                ),
            });
        }
        Ok(key.to_string())
    }

    async fn read_small(&self, key: &str) -> Result<String, SourceError> {
        let url = self.url.object_url(key);
        let bytes = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(|e| store_error(&self.url, &format!("cannot read {url}"), e))?
            .bytes()
            .await
            .map_err(|e| store_error(&self.url, &format!("cannot read {url}"), e))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| SourceError::Manifest {
            file: url,
            reason: "is not UTF-8 text".into(),
        })
    }

    /// A local path of `key`: the file itself for a local source, else a download into `dir`
    /// at the same key path, streamed chunk by chunk.
    async fn fetch(&self, key: &str, dir: &FsPath) -> Result<PathBuf, SourceError> {
        if let Some(root) = &self.local_root {
            return Ok(root.join(key));
        }
        let url = self.url.object_url(key);
        let dest = dir.join(key);
        let io = |e: std::io::Error| store_error(&self.url, &format!("cannot save {url}"), e);
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io)?;
        }
        let mut stream = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(|e| store_error(&self.url, &format!("cannot read {url}"), e))?
            .into_stream();
        let mut file = tokio::fs::File::create(&dest).await.map_err(io)?;
        while let Some(chunk) = stream.next().await {
            let chunk =
                chunk.map_err(|e| store_error(&self.url, &format!("cannot read {url}"), e))?;
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        Ok(dest)
    }

    /// A local path holding `delivery`: its manifest (with the listed files beside it at their
    /// key paths) or its one file.
    async fn fetch_delivery(
        &self,
        delivery: &Delivery,
        dir: &FsPath,
    ) -> Result<PathBuf, SourceError> {
        let mut first = None;
        for file in &delivery.files {
            let path = self.fetch(&file.key, dir).await?;
            first.get_or_insert(path);
        }
        match &delivery.manifest {
            Some(m) => self.fetch(&m.key, dir).await,
            None => first.ok_or_else(|| SourceError::Manifest {
                file: self.url.object_url(&delivery.object),
                reason: "the delivery has no files".into(),
            }),
        }
    }
}

/// Whether an object or file name is a delivery manifest (`*Manifest.json`, not Redshift's).
pub fn is_manifest_key(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key).to_ascii_lowercase();
    // Legacy CUR with Redshift integration writes `<report>-RedshiftManifest.json` beside the
    // real manifest; it lists the same files for Redshift's COPY and is not a delivery.
    name.ends_with("manifest.json") && !name.ends_with("redshiftmanifest.json")
}

/// Files the readers take: CSV (plain, gz, zip), Parquet and JSON lines.
fn is_billing_file(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key).to_ascii_lowercase();
    // Every `*manifest.json` (Redshift's too) describes data; none is data.
    if name.starts_with('.') || name.starts_with('_') || name.ends_with("manifest.json") {
        return false;
    }
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".csv", ".zip", ".parquet", ".json", ".jsonl", ".ndjson"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// The billing-period folder a manifest belongs to: the key up to its last `yyyymmdd-yyyymmdd`
/// or `BILLING_PERIOD=…` segment, else the manifest's own folder.
fn period_of(key: &str) -> String {
    let parts: Vec<&str> = key.split('/').collect();
    let folders = &parts[..parts.len().saturating_sub(1)];
    let is_period = |p: &&str| {
        p.starts_with("BILLING_PERIOD=")
            || (p.len() == 17
                && p.as_bytes()[8] == b'-'
                && p.bytes()
                    .enumerate()
                    .all(|(i, b)| i == 8 || b.is_ascii_digit()))
    };
    match folders.iter().rposition(is_period) {
        Some(i) => folders[..=i].join("/"),
        None => folders.join("/"),
    }
}

/// The newest manifest of each billing period. On a tie the shallower one wins: legacy CUR
/// writes the period's manifest and a copy in the assembly folder at once.
pub fn newest_manifests(listing: &[Listed]) -> Vec<(String, Listed)> {
    let mut newest: BTreeMap<String, &Listed> = BTreeMap::new();
    for l in listing.iter().filter(|l| is_manifest_key(&l.key)) {
        let period = period_of(&l.key);
        let depth = |l: &Listed| l.key.matches('/').count();
        match newest.get(&period) {
            Some(old)
                if (old.modified_ms, std::cmp::Reverse(depth(old)))
                    >= (l.modified_ms, std::cmp::Reverse(depth(l))) => {}
            _ => {
                newest.insert(period, l);
            }
        }
    }
    newest.into_iter().map(|(p, l)| (p, l.clone())).collect()
}

/// The file keys a manifest lists: `reportKeys` (legacy CUR), `dataFiles` (CUR 2.0) or
/// `blobs[].blobName` (Azure cost exports).
pub fn manifest_keys(text: &str, file: &str) -> Result<Vec<String>, SourceError> {
    let bad = |reason: String| SourceError::Manifest {
        file: file.to_string(),
        reason,
    };
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let keys = if let Some(list) = v.get("reportKeys").or_else(|| v.get("dataFiles")) {
        list.as_array()
            .ok_or_else(|| bad("reportKeys/dataFiles is not a list".into()))?
            .iter()
            .map(|k| k.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
    } else if let Some(blobs) = v.get("blobs").and_then(|b| b.as_array()) {
        blobs
            .iter()
            .map(|b| {
                b.get("blobName")
                    .and_then(|n| n.as_str())
                    .map(str::to_string)
            })
            .collect::<Option<Vec<_>>>()
    } else {
        return Err(bad("no reportKeys, dataFiles or blobs list".into()));
    };
    let keys = keys.ok_or_else(|| bad("a listed file is not text".into()))?;
    if keys.is_empty() {
        return Err(bad("the manifest lists no files".into()));
    }
    Ok(keys)
}

/// The listed object a manifest's key names: the same key, or (a local folder mirroring part
/// of a bucket) the longest listed key the manifest's key ends with.
fn resolve<'a>(listing: &'a [Listed], key: &str) -> Option<&'a Listed> {
    listing
        .iter()
        .filter(|l| key == l.key || key.ends_with(&format!("/{}", l.key)))
        .max_by_key(|l| l.key.len())
}

/// Turns a listing and its newest manifests (with the keys they list) into deliveries: one per
/// manifest, and one per billing file that no manifest's period folder holds.
pub fn assemble(
    listing: &[Listed],
    manifests: Vec<(String, Listed, Vec<String>)>,
    url_of: impl Fn(&str) -> String,
) -> Result<Vec<Delivery>, SourceError> {
    let mut claimed: BTreeSet<&str> = BTreeSet::new();
    let mut areas: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (period, manifest, keys) in manifests {
        areas.push(format!("{period}/"));
        // CUR 2.0 keeps the data of `metadata/BILLING_PERIOD=…` in `data/BILLING_PERIOD=…`.
        if let Some((head, tail)) = period.rsplit_once("/metadata/") {
            areas.push(format!("{head}/data/{tail}/"));
        }
        let mut files = Vec::new();
        for key in &keys {
            let found = resolve(listing, key).ok_or_else(|| SourceError::Manifest {
                file: url_of(&manifest.key),
                reason: format!("lists {key}, which the source does not hold"),
            })?;
            claimed.insert(found.key.as_str());
            files.push(found.clone());
        }
        out.push(Delivery {
            object: period,
            manifest: Some(manifest),
            files,
        });
    }
    for l in listing {
        let inside = areas
            .iter()
            .any(|a| l.key.starts_with(a.as_str()) || a == "/");
        if is_billing_file(&l.key) && !inside && !claimed.contains(l.key.as_str()) {
            out.push(Delivery {
                object: l.key.clone(),
                manifest: None,
                files: vec![l.clone()],
            });
        }
    }
    out.sort_by(|a, b| (a.newest_ms(), &a.object).cmp(&(b.newest_ms(), &b.object)));
    Ok(out)
}

/// Ingest every delivery of one source.
#[derive(Debug, Clone)]
pub struct SourceRequest {
    pub org_id: String,
    pub url: SourceUrl,
    pub account_name: Option<String>,
    pub format: Option<Format>,
    pub skip_bad_rows: bool,
    /// Ingest deliveries even when unchanged since they were last ingested.
    pub force: bool,
    pub options: SourceOptions,
    /// Where downloads go while they are ingested (default: the system's temporary folder).
    pub work_dir: Option<PathBuf>,
}

/// What happened to one delivery of a source.
#[derive(Debug)]
pub struct DeliveryOutcome {
    /// The delivery's URL (its period folder or file).
    pub url: String,
    /// `None` when the delivery was unchanged since it was last ingested.
    pub result: Option<Result<IngestSummary, IngestFailure>>,
}

/// A task that ends when its handle is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A name for this process in source leases: host, process id and start time.
pub fn node_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{host}-{}-{nanos:x}", std::process::id())
}

/// Lists the source and ingests each new or changed delivery through the ingestion service,
/// holding the source's lease (as `holder`) so that no other node ingests it at the same time.
/// One failed delivery does not stop the others; each outcome is returned.
pub async fn ingest_source(
    meta: &Meta,
    ledger: &Ledger,
    request: &SourceRequest,
    holder: &str,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<Vec<DeliveryOutcome>, SourceError> {
    let source = open(&request.url, &request.options)?;
    let source_id = request.url.to_string();
    let ttl = LEASE_TTL.as_millis() as i64;
    if !meta
        .try_lease_source(&request.org_id, &source_id, holder, ttl)
        .await?
    {
        return Err(SourceError::Leased { url: source_id });
    }
    let renew = {
        let (meta, org, id, holder) = (
            meta.clone(),
            request.org_id.clone(),
            source_id.clone(),
            holder.to_string(),
        );
        // Aborted on drop too: a poll abandoned at shutdown must not keep renewing.
        AbortOnDrop(tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE_TTL / 3).await;
                match meta.try_lease_source(&org, &id, &holder, ttl).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(source = %id, "lost the lease on the source"),
                    Err(e) => tracing::warn!(source = %id, error = %e, "cannot renew the lease"),
                }
            }
        }))
    };
    let result = ingest_deliveries(meta, ledger, request, &source, &source_id, on_progress).await;
    drop(renew);
    meta.release_source_lease(&request.org_id, &source_id, holder)
        .await?;
    result
}

async fn ingest_deliveries(
    meta: &Meta,
    ledger: &Ledger,
    request: &SourceRequest,
    source: &Source,
    source_id: &str,
    on_progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<Vec<DeliveryOutcome>, SourceError> {
    let deliveries = source.deliveries().await?;
    let mut changed = Vec::with_capacity(deliveries.len());
    for d in &deliveries {
        let known = meta
            .delivery_fingerprint(&request.org_id, source_id, &d.object)
            .await?;
        changed.push(request.force || known.as_deref() != Some(d.fingerprint().as_str()));
    }
    // One work folder for the poll: files read to pair Azure views are ingested from there.
    let work = work_folder(request)?;
    let (fetched, views) = azure_views(source, &deliveries, &changed, work.path()).await;
    let partner = crate::azure_pair::twins(&views);
    let mut outcomes = Vec::new();
    for (i, delivery) in deliveries.iter().enumerate() {
        let twin = partner.get(&i).copied();
        if twin.is_some_and(|j| j < i) {
            continue; // ingested with its twin
        }
        let url = request.url.object_url(&delivery.object);
        if !changed[i] && !twin.is_some_and(|j| changed[j]) {
            outcomes.push(DeliveryOutcome { url, result: None });
            if let Some(j) = twin {
                let url = request.url.object_url(&deliveries[j].object);
                outcomes.push(DeliveryOutcome { url, result: None });
            }
            continue;
        }
        let dir = work.path().join(format!("delivery-{i}"));
        let path = match &fetched[i] {
            Some(p) => Ok(p.clone()),
            None => source.fetch_delivery(delivery, &dir).await,
        };
        let origin = DeliveryOrigin {
            name: url.clone(),
            source: source_id.to_string(),
            object: delivery.object.clone(),
            fingerprint: delivery.fingerprint(),
            bytes: delivery.bytes(),
        };
        let ingest_request = |path: PathBuf| IngestRequest {
            org_id: request.org_id.clone(),
            path,
            account_name: request.account_name.clone(),
            format: request.format,
            skip_bad_rows: request.skip_bad_rows,
            force: true,
        };
        let (url, result) = match (path, twin) {
            (Err(e), _) => (
                url.clone(),
                Err(IngestFailure::Source {
                    path: url,
                    reason: e.to_string(),
                }),
            ),
            (Ok(path), None) => {
                let r = ingest_from(
                    meta,
                    ledger,
                    &ingest_request(path),
                    Some(&origin),
                    Arc::clone(&on_progress),
                )
                .await;
                (url, r)
            }
            (Ok(path), Some(j)) => {
                // Actual and amortized exports of one month: one delivery, both views.
                let other = &deliveries[j];
                let twin_path = fetched[j].clone().expect("twins are read to be paired");
                let (actual, amortized) = match views[i].as_ref().map(|v| v.kind) {
                    Some(skyledger_ingest::AzureCostKind::Amortized) => (twin_path, path),
                    _ => (path, twin_path),
                };
                let r = ingest_azure_pair_from(
                    meta,
                    ledger,
                    &ingest_request(actual),
                    &amortized,
                    &origin,
                    Arc::clone(&on_progress),
                )
                .await;
                if r.is_ok() {
                    meta.record_delivery(
                        &request.org_id,
                        source_id,
                        &other.object,
                        &other.fingerprint(),
                    )
                    .await?;
                }
                let both = format!("{url} + {}", request.url.object_url(&other.object));
                (both, r)
            }
        };
        outcomes.push(DeliveryOutcome {
            url,
            result: Some(result),
        });
    }
    Ok(outcomes)
}

/// A temporary folder for one poll's downloads, in the request's work folder if it has one.
fn work_folder(request: &SourceRequest) -> Result<tempfile::TempDir, SourceError> {
    match &request.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| SourceError::Store {
                url: dir.display().to_string(),
                reason: format!("cannot create the work folder: {e}"),
            })?;
            tempfile::tempdir_in(dir)
        }
        None => tempfile::tempdir(),
    }
    .map_err(|e| SourceError::Store {
        url: request.url.to_string(),
        reason: format!("cannot create a temporary folder: {e}"),
    })
}

/// Whether a standalone file may be an Azure cost export (CSV, plain or gzipped).
fn may_be_azure_export(d: &Delivery) -> bool {
    let key = d.object.to_ascii_lowercase();
    d.manifest.is_none() && (key.ends_with(".csv") || key.ends_with(".csv.gz"))
}

/// The local copies and Azure views of the standalone CSV files that may pair up: the changed
/// ones first; the unchanged ones only when a changed one is an Azure export (its twin may be
/// among them). Files that cannot be read have no view and are ingested alone, which reports why.
async fn azure_views(
    source: &Source,
    deliveries: &[Delivery],
    changed: &[bool],
    work: &FsPath,
) -> (Vec<Option<PathBuf>>, Vec<Option<AzureView>>) {
    let mut fetched: Vec<Option<PathBuf>> = vec![None; deliveries.len()];
    let mut views: Vec<Option<AzureView>> = vec![None; deliveries.len()];
    for pass_changed in [true, false] {
        if !pass_changed && views.iter().all(Option::is_none) {
            break;
        }
        for (i, d) in deliveries.iter().enumerate() {
            if changed[i] != pass_changed || !may_be_azure_export(d) {
                continue;
            }
            let Ok(path) = source
                .fetch(&d.files[0].key, &work.join(format!("delivery-{i}")))
                .await
            else {
                continue;
            };
            views[i] = azure_view(&path, &ReadOptions::default()).ok().flatten();
            fetched[i] = Some(path);
        }
    }
    (fetched, views)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(key: &str, modified_ms: i64) -> Listed {
        Listed {
            key: key.into(),
            size: 10,
            fingerprint: format!("etag-{key}-{modified_ms}"),
            modified_ms,
        }
    }

    #[test]
    fn urls_parse_and_print() {
        let u = SourceUrl::parse("s3://bills/cur/report/").unwrap();
        assert_eq!((u.scheme, u.bucket.as_str()), (Scheme::S3, "bills"));
        assert_eq!(u.prefix, "cur/report");
        assert_eq!(u.to_string(), "s3://bills/cur/report");
        assert_eq!(u.object_url("cur/x.csv"), "s3://bills/cur/x.csv");
        assert_eq!(SourceUrl::parse("gs://b").unwrap().scheme, Scheme::Gcs);
        assert_eq!(SourceUrl::parse("az://c/p").unwrap().scheme, Scheme::Azure);
        assert_eq!(SourceUrl::parse("/tmp/x").unwrap().scheme, Scheme::Local);
        assert_eq!(SourceUrl::parse("file:///tmp/x").unwrap().prefix, "/tmp/x");
        for (bad, needle) in [
            ("s3://", "no bucket"),
            ("s3:///p", "no bucket"),
            ("ftp://h/p", "unsupported source"),
            ("s3://b/../x", ".."),
            ("", "empty"),
        ] {
            let err = SourceUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn store_settings_are_checked_and_credentials_named() {
        // An unknown setting is refused by name.
        let opts = SourceOptions {
            settings: vec![("aws_no_such_key".into(), "x".into())],
        };
        let err = open(&SourceUrl::parse("s3://b/p").unwrap(), &opts)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("aws_no_such_key"), "{err}");
        // Azure needs an account; the message names the variables.
        if std::env::var_os("AZURE_STORAGE_ACCOUNT_NAME").is_none() {
            let err = open(
                &SourceUrl::parse("az://container/p").unwrap(),
                &SourceOptions::default(),
            )
            .err()
            .unwrap()
            .to_string();
            assert!(err.contains("AZURE_STORAGE_ACCOUNT_NAME"), "{err}");
        }
        // With an account and key, az:// opens (nothing is reached until it is listed).
        let azure = SourceOptions {
            settings: vec![
                ("azure_storage_account_name".into(), "acct".into()),
                ("azure_storage_account_key".into(), "a2V5".into()),
            ],
        };
        assert!(open(&SourceUrl::parse("az://container/p").unwrap(), &azure).is_ok());
        // A Google service account file that does not exist.
        let gcs = SourceOptions {
            settings: vec![(
                "google_service_account".into(),
                "/nonexistent/key.json".into(),
            )],
        };
        let err = open(&SourceUrl::parse("gs://bucket/p").unwrap(), &gcs)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("GOOGLE_APPLICATION_CREDENTIALS"), "{err}");
        // Secrets are not printed.
        let secret = SourceOptions {
            settings: vec![("aws_secret_access_key".into(), "hunter2".into())],
        };
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn periods_of_manifests() {
        assert_eq!(
            period_of("cur/rep/20231101-20231201/rep-Manifest.json"),
            "cur/rep/20231101-20231201"
        );
        assert_eq!(
            period_of("cur/rep/20231101-20231201/asm-1/rep-Manifest.json"),
            "cur/rep/20231101-20231201"
        );
        assert_eq!(
            period_of("x/exp/metadata/BILLING_PERIOD=2024-01/exp-Manifest.json"),
            "x/exp/metadata/BILLING_PERIOD=2024-01"
        );
        assert_eq!(period_of("a/b/Manifest.json"), "a/b");
    }

    #[test]
    fn the_newest_manifest_of_a_period_wins() {
        let listing = vec![
            listed("cur/rep/20231101-20231201/a1/rep-Manifest.json", 100),
            listed("cur/rep/20231101-20231201/a2/rep-Manifest.json", 200),
            listed("cur/rep/20231101-20231201/rep-Manifest.json", 200),
            listed("cur/rep/20231101-20231201/rep-RedshiftManifest.json", 300),
            listed("cur/rep/20231201-20240101/a3/rep-Manifest.json", 50),
        ];
        let newest = newest_manifests(&listing);
        let keys: Vec<_> = newest.iter().map(|(_, l)| l.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "cur/rep/20231101-20231201/rep-Manifest.json",
                "cur/rep/20231201-20240101/a3/rep-Manifest.json"
            ]
        );
    }

    #[test]
    fn manifests_claim_their_period_and_loose_files_are_deliveries() {
        let listing = vec![
            listed("cur/rep/20231101-20231201/a1/rep-1.csv.gz", 90),
            listed("cur/rep/20231101-20231201/a2/rep-1.csv.gz", 190),
            listed("cur/rep/20231101-20231201/rep-Manifest.json", 200),
            listed(
                "exp/data/BILLING_PERIOD=2024-01/exp-00001.snappy.parquet",
                300,
            ),
            listed("exp/metadata/BILLING_PERIOD=2024-01/exp-Manifest.json", 310),
            listed("azure/daily.csv", 10),
            listed("azure/readme.txt", 10),
            listed("cur/rep/rep-create-table.sql", 10),
            listed("cur/rep/rep-RedshiftManifest.json", 10),
        ];
        let manifests = vec![
            (
                "cur/rep/20231101-20231201".to_string(),
                listing[2].clone(),
                vec!["cur/rep/20231101-20231201/a2/rep-1.csv.gz".to_string()],
            ),
            (
                "exp/metadata/BILLING_PERIOD=2024-01".to_string(),
                listing[4].clone(),
                vec!["exp/data/BILLING_PERIOD=2024-01/exp-00001.snappy.parquet".to_string()],
            ),
        ];
        let deliveries = assemble(&listing, manifests, str::to_string).unwrap();
        let objects: Vec<_> = deliveries.iter().map(|d| d.object.as_str()).collect();
        // Oldest first; the older assembly's file is not a delivery of its own.
        assert_eq!(
            objects,
            vec![
                "azure/daily.csv",
                "cur/rep/20231101-20231201",
                "exp/metadata/BILLING_PERIOD=2024-01"
            ]
        );
        assert_eq!(
            deliveries[1].files[0].key,
            "cur/rep/20231101-20231201/a2/rep-1.csv.gz"
        );
        assert!(
            deliveries[1]
                .fingerprint()
                .contains("rep-Manifest.json=etag")
        );
        // A listed file the source lacks is an error naming the manifest.
        let missing = vec![(
            "cur/rep/20231101-20231201".to_string(),
            listing[2].clone(),
            vec!["cur/rep/20231101-20231201/a9/rep-1.csv.gz".to_string()],
        )];
        let err = assemble(&listing, missing, str::to_string)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("rep-Manifest.json") && err.contains("a9"),
            "{err}"
        );
    }

    #[test]
    fn a_folder_mirroring_part_of_a_bucket_resolves_full_keys() {
        let listing = vec![listed("rep/20231101-20231201/a1/rep-1.csv.gz", 1)];
        let found = resolve(&listing, "cur/rep/20231101-20231201/a1/rep-1.csv.gz").unwrap();
        assert_eq!(found.key, "rep/20231101-20231201/a1/rep-1.csv.gz");
        assert!(resolve(&listing, "ep/20231101-20231201/a1/rep-1.csv.gz").is_none());
    }

    #[test]
    fn manifest_keys_of_each_layout() {
        let legacy = r#"{"assemblyId":"a1","reportKeys":["cur/rep/p/a1/rep-1.csv.gz"]}"#;
        assert_eq!(
            manifest_keys(legacy, "m").unwrap(),
            vec!["cur/rep/p/a1/rep-1.csv.gz"]
        );
        let cur2 = r#"{"dataFiles":["s3://b/exp/data/BILLING_PERIOD=2024-01/x.parquet"]}"#;
        assert_eq!(manifest_keys(cur2, "m").unwrap().len(), 1);
        let azure = r#"{"blobs":[{"blobName":"exports/x/part_0.csv","byteCount":1}]}"#;
        assert_eq!(
            manifest_keys(azure, "m").unwrap(),
            vec!["exports/x/part_0.csv"]
        );
        for (bad, needle) in [
            ("{}", "no reportKeys"),
            (r#"{"reportKeys":[]}"#, "lists no files"),
            (r#"{"reportKeys":[1]}"#, "not text"),
            ("nope", "expected"),
        ] {
            let err = manifest_keys(bad, "m.json").unwrap_err().to_string();
            assert!(err.starts_with("m.json:") && err.contains(needle), "{err}");
        }
    }
}

//! The manifest: which Parquet files make up each (cost account, billing period), swapped atomically.
//!
//! Readers only ever read the files a committed manifest snapshot lists, so a period being
//! rewritten stays served from its previous files until the one-object commit of the next
//! snapshot. [`Manifest`] is the seam for other implementations (e.g. a metadata-store table);
//! [`ObjectStoreManifest`] keeps numbered JSON snapshots next to the data.

use std::collections::HashSet;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};

use crate::error::{LedgerError, Result};
use crate::period::{BillingPeriod, CostAccountKey};

/// One Parquet object, path relative to the store root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub rows: u64,
}

/// The current version of one (cost account, billing period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodEntry {
    pub cost_account_id: CostAccountKey,
    pub billing_period: BillingPeriod,
    /// Id of the write that produced these files (also their directory name).
    pub version: String,
    pub committed_at: DateTime<Utc>,
    pub rows: u64,
    pub bytes: u64,
    /// Smallest and largest ChargePeriodStart in the files (µs since the epoch, UTC); lets a
    /// query skip periods outside its date range without opening them.
    pub charge_start_min_us: Option<i64>,
    pub charge_start_max_us: Option<i64>,
    /// The normalised line items.
    pub files: Vec<FileEntry>,
    /// Daily rollup of the same rows (see `rollup`).
    pub rollup: Option<FileEntry>,
}

impl PeriodEntry {
    /// Whether some charge of this period may start in `[start_us, end_us)`.
    pub fn may_overlap(&self, start_us: i64, end_us: i64) -> bool {
        match (self.charge_start_min_us, self.charge_start_max_us) {
            (Some(lo), Some(hi)) => lo < end_us && hi >= start_us,
            _ => false,
        }
    }

    pub fn all_files(&self) -> impl Iterator<Item = &FileEntry> {
        self.files.iter().chain(self.rollup.iter())
    }
}

/// The whole store's content at one version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestState {
    /// Sorted by (cost account, billing period), at most one entry per pair.
    pub periods: Vec<PeriodEntry>,
}

impl ManifestState {
    /// This state with `entries` replacing (or adding) their periods.
    pub fn with_replaced(&self, entries: &[PeriodEntry]) -> Self {
        let mut periods: Vec<PeriodEntry> = self
            .periods
            .iter()
            .filter(|p| {
                !entries.iter().any(|e| {
                    e.cost_account_id == p.cost_account_id && e.billing_period == p.billing_period
                })
            })
            .cloned()
            .collect();
        periods.extend(entries.iter().cloned());
        periods.sort_by(|a, b| {
            (&a.cost_account_id, a.billing_period).cmp(&(&b.cost_account_id, b.billing_period))
        });
        Self { periods }
    }

    /// This state without the periods `drop` selects.
    pub fn without(&self, drop: impl Fn(&PeriodEntry) -> bool) -> Self {
        Self {
            periods: self.periods.iter().filter(|p| !drop(p)).cloned().collect(),
        }
    }
}

/// A committed state and its version number (0: nothing committed yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    pub version: u64,
    pub committed_at: DateTime<Utc>,
    #[serde(flatten)]
    pub state: ManifestState,
}

pub const MANIFEST_FORMAT: u32 = 1;

impl Snapshot {
    pub fn empty() -> Self {
        Self {
            format: MANIFEST_FORMAT,
            version: 0,
            committed_at: DateTime::<Utc>::UNIX_EPOCH,
            state: ManifestState::default(),
        }
    }
}

/// Result of a commit attempt.
#[derive(Debug)]
pub enum CommitOutcome {
    Committed(Snapshot),
    /// Another writer committed first; reload and retry.
    Conflict,
}

/// Where the current file list lives. Implementations must make `commit` atomic and
/// conditional: it succeeds only if `base_version` is still the latest.
#[async_trait]
pub trait Manifest: Send + Sync + Debug {
    /// The latest committed snapshot.
    async fn load(&self) -> Result<Snapshot>;
    /// Commit `state` as version `base_version + 1`.
    async fn commit(&self, base_version: u64, state: ManifestState) -> Result<CommitOutcome>;
    /// Paths of all files referenced by the snapshots still kept (files a reader holding a
    /// recent snapshot may still open); garbage collection deletes other files.
    async fn retained_files(&self) -> Result<HashSet<String>>;
    /// Forget snapshots older than the `keep` latest.
    async fn prune_history(&self, keep: usize) -> Result<()>;
}

/// Numbered JSON snapshots `<root>/_manifest/v<20 digits>.json`, each created with a
/// create-if-absent put (a hard link on local disk, `If-None-Match: *` on S3), so two writers
/// can never both commit the same version. The highest number is current.
#[derive(Debug)]
pub struct ObjectStoreManifest {
    store: Arc<dyn ObjectStore>,
    dir: Path,
}

impl ObjectStoreManifest {
    pub fn new(store: Arc<dyn ObjectStore>, root: &Path) -> Self {
        Self {
            store,
            dir: root.clone().join("_manifest"),
        }
    }

    fn path_of(&self, version: u64) -> Path {
        self.dir.clone().join(format!("v{version:020}.json"))
    }

    /// Committed version numbers, ascending.
    async fn versions(&self) -> Result<Vec<u64>> {
        let metas: Vec<_> = self.store.list(Some(&self.dir)).try_collect().await?;
        let mut versions: Vec<u64> = metas
            .iter()
            .filter_map(|m| {
                let name = m.location.filename()?;
                name.strip_prefix('v')?.strip_suffix(".json")?.parse().ok()
            })
            .collect();
        versions.sort_unstable();
        Ok(versions)
    }

    async fn read(&self, version: u64) -> Result<Snapshot> {
        let path = self.path_of(version);
        let bytes = self.store.get(&path).await?.bytes().await?;
        let snapshot: Snapshot =
            serde_json::from_slice(&bytes).map_err(|e| LedgerError::CorruptManifest {
                path: path.to_string(),
                reason: e.to_string(),
            })?;
        if snapshot.format != MANIFEST_FORMAT || snapshot.version != version {
            return Err(LedgerError::CorruptManifest {
                path: path.to_string(),
                reason: format!(
                    "format {} version {} (expected format {MANIFEST_FORMAT} version {version})",
                    snapshot.format, snapshot.version
                ),
            });
        }
        Ok(snapshot)
    }
}

#[async_trait]
impl Manifest for ObjectStoreManifest {
    async fn load(&self) -> Result<Snapshot> {
        // A snapshot pruned between listing and reading means a newer one exists: list again.
        for _ in 0..3 {
            let Some(&latest) = self.versions().await?.last() else {
                return Ok(Snapshot::empty());
            };
            match self.read(latest).await {
                Err(LedgerError::Store(object_store::Error::NotFound { .. })) => continue,
                other => return other,
            }
        }
        let latest = self.versions().await?.last().copied().unwrap_or(0);
        if latest == 0 {
            return Ok(Snapshot::empty());
        }
        self.read(latest).await
    }

    async fn commit(&self, base_version: u64, state: ManifestState) -> Result<CommitOutcome> {
        let snapshot = Snapshot {
            format: MANIFEST_FORMAT,
            version: base_version + 1,
            committed_at: Utc::now(),
            state,
        };
        let body = serde_json::to_vec_pretty(&snapshot)?;
        let opts = PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        match self
            .store
            .put_opts(
                &self.path_of(snapshot.version),
                PutPayload::from(body),
                opts,
            )
            .await
        {
            Ok(_) => Ok(CommitOutcome::Committed(snapshot)),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(CommitOutcome::Conflict),
            Err(e) => Err(e.into()),
        }
    }

    async fn retained_files(&self) -> Result<HashSet<String>> {
        let mut files = HashSet::new();
        for v in self.versions().await? {
            match self.read(v).await {
                Ok(s) => {
                    for p in &s.state.periods {
                        files.extend(p.all_files().map(|f| f.path.clone()));
                    }
                }
                // Pruned by another process meanwhile: its files are no longer retained.
                Err(LedgerError::Store(object_store::Error::NotFound { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(files)
    }

    async fn prune_history(&self, keep: usize) -> Result<()> {
        let versions = self.versions().await?;
        let cut = versions.len().saturating_sub(keep.max(1));
        for v in &versions[..cut] {
            match self.store.delete(&self.path_of(*v)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    fn entry(account: &str, period: &str, version: &str) -> PeriodEntry {
        PeriodEntry {
            cost_account_id: account.parse().unwrap(),
            billing_period: period.parse().unwrap(),
            version: version.into(),
            committed_at: Utc::now(),
            rows: 1,
            bytes: 10,
            charge_start_min_us: Some(0),
            charge_start_max_us: Some(5),
            files: vec![FileEntry {
                path: format!("cost/{account}/{period}/{version}/part-00000.parquet"),
                size: 10,
                rows: 1,
            }],
            rollup: None,
        }
    }

    #[tokio::test]
    async fn commits_are_numbered_and_conditional() {
        let m = ObjectStoreManifest::new(Arc::new(InMemory::new()), &Path::from("root"));
        assert_eq!(m.load().await.unwrap().version, 0);
        let s1 = ManifestState::default().with_replaced(&[entry("a", "2025-01", "x")]);
        assert!(matches!(
            m.commit(0, s1.clone()).await.unwrap(),
            CommitOutcome::Committed(_)
        ));
        // A second writer that also started from version 0 loses.
        assert!(matches!(
            m.commit(0, ManifestState::default()).await.unwrap(),
            CommitOutcome::Conflict
        ));
        let loaded = m.load().await.unwrap();
        assert_eq!(loaded.version, 1);
        assert_eq!(loaded.state, s1);

        let s2 = s1.with_replaced(&[entry("a", "2025-01", "y"), entry("a", "2024-12", "z")]);
        assert_eq!(
            s2.periods
                .iter()
                .map(|p| p.version.as_str())
                .collect::<Vec<_>>(),
            ["z", "y"]
        );
        assert!(matches!(
            m.commit(1, s2).await.unwrap(),
            CommitOutcome::Committed(_)
        ));
        assert_eq!(m.retained_files().await.unwrap().len(), 3);
        m.prune_history(1).await.unwrap();
        assert_eq!(m.versions().await.unwrap(), [2]);
        assert_eq!(m.retained_files().await.unwrap().len(), 2);
    }

    #[test]
    fn overlap_uses_charge_bounds() {
        let e = entry("a", "2025-01", "x");
        assert!(e.may_overlap(0, 1));
        assert!(e.may_overlap(5, 6));
        assert!(!e.may_overlap(6, 10));
        assert!(!e.may_overlap(-5, 0));
    }
}

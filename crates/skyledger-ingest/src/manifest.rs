//! Multi-file CUR deliveries: the manifest (`reportKeys` legacy, `dataFiles` CUR 2.0) and a reader chaining its files.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;

use crate::error::IngestError;
use crate::source::ReadStats;
use crate::{BatchReader, Format, ReadOptions};

/// `…Manifest.json` (legacy CUR `<report>-Manifest.json`, CUR 2.0 `Manifest.json`); other
/// JSON files are data (GCP JSON lines) and are never read whole. Legacy CUR's
/// `<report>-RedshiftManifest.json` lists the same files for Redshift and is not a delivery.
fn is_manifest_name(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        n.ends_with("manifest.json") && !n.ends_with("redshiftmanifest.json")
    })
}

/// The data files of a delivery when `path` is a manifest or a folder holding one
/// (`*Manifest.json`); `None` for an ordinary data file.
pub fn delivery_files(path: &Path) -> Result<Option<Vec<PathBuf>>, IngestError> {
    let name = path.display().to_string();
    let manifest = if path.is_dir() {
        let mut found = Vec::new();
        let rd = std::fs::read_dir(path).map_err(|e| IngestError::io(&name, e))?;
        for entry in rd {
            let p = entry.map_err(|e| IngestError::io(&name, e))?.path();
            if is_manifest_name(&p) {
                found.push(p);
            }
        }
        found.sort();
        match found.len() {
            1 => found.remove(0),
            0 => {
                return Err(IngestError::Manifest {
                    file: name,
                    reason: "the folder holds no *Manifest.json; give a file or the manifest"
                        .into(),
                });
            }
            n => {
                return Err(IngestError::Manifest {
                    file: name,
                    reason: format!("the folder holds {n} manifests; give one of them"),
                });
            }
        }
    } else if is_manifest_name(path) {
        path.to_path_buf()
    } else {
        return Ok(None);
    };
    let mname = manifest.display().to_string();
    let text = std::fs::read_to_string(&manifest).map_err(|e| IngestError::io(&mname, e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| IngestError::Manifest {
        file: mname.clone(),
        reason: e.to_string(),
    })?;
    // Azure cost exports list `blobs[].blobName`.
    let blob_names: Vec<serde_json::Value>;
    let keys = match v
        .get("reportKeys")
        .or_else(|| v.get("dataFiles"))
        .and_then(|k| k.as_array())
    {
        Some(keys) => keys,
        None => {
            let blobs =
                v.get("blobs")
                    .and_then(|b| b.as_array())
                    .ok_or_else(|| IngestError::Manifest {
                        file: mname.clone(),
                        reason: "no reportKeys, dataFiles or blobs list".into(),
                    })?;
            blob_names = blobs
                .iter()
                .map(|b| {
                    b.get("blobName")
                        .cloned()
                        .unwrap_or(serde_json::Value::Null)
                })
                .collect();
            &blob_names
        }
    };
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let mut seen = BTreeSet::new();
    let mut files = Vec::new();
    for k in keys {
        let key = k.as_str().ok_or_else(|| IngestError::Manifest {
            file: mname.clone(),
            reason: format!("a file entry is not text: {k}"),
        })?;
        let base = key.rsplit('/').next().unwrap_or(key);
        if !seen.insert(base.to_string()) {
            return Err(IngestError::DuplicateDelivery {
                file: mname.clone(),
                reason: format!("{base} is listed twice"),
            });
        }
        match locate(dir, key) {
            Some(p) => files.push(p),
            None => {
                return Err(IngestError::Manifest {
                    file: mname.clone(),
                    reason: format!("listed file {key} is not next to the manifest"),
                });
            }
        }
    }
    if files.is_empty() {
        return Err(IngestError::Manifest {
            file: mname,
            reason: "the manifest lists no files".into(),
        });
    }
    Ok(Some(files))
}

/// Find a listed key on disk. Keys name objects from the bucket root (legacy CUR
/// `reportKeys`, in an assembly-id folder) or as `s3://bucket/key` URLs (CUR 2.0 `dataFiles`).
/// Deliveries are copied with their key path (`s3://bucket/` dropped) into a folder mirroring
/// the bucket, mirroring part of it, or flat. So the whole key under any parent of the
/// manifest (the bucket root) wins; else the longest key suffix under the manifest's folder or
/// one of its three nearest parents (CUR 2.0 keeps `metadata/BILLING_PERIOD=…/x-Manifest.json`
/// beside `data/BILLING_PERIOD=…/x.parquet`; legacy CUR keeps the manifest above the data).
fn locate(dir: &Path, key: &str) -> Option<PathBuf> {
    let path = key.split_once("://").map_or(key, |(_, rest)| {
        rest.split_once('/').map_or(rest, |(_, p)| p)
    });
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.contains(&"..") {
        return None;
    }
    for i in 0..parts.len() {
        let suffix: PathBuf = parts[i..].iter().collect();
        let depth = if i == 0 { usize::MAX } else { 4 };
        for base in dir.ancestors().take(depth) {
            let candidate = base.join(&suffix);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Reads the files of one delivery in order, as one stream with merged stats.
pub struct ChainReader {
    pending: VecDeque<PathBuf>,
    opts: ReadOptions,
    current: Option<Box<dyn BatchReader>>,
    merged: ReadStats,
    format: Option<Format>,
    done: bool,
}

impl ChainReader {
    pub fn new(files: Vec<PathBuf>, opts: ReadOptions) -> Self {
        Self {
            pending: files.into(),
            opts,
            current: None,
            merged: ReadStats::default(),
            format: None,
            done: false,
        }
    }

    fn step(&mut self) -> Result<Option<RecordBatch>, IngestError> {
        loop {
            if let Some(cur) = self.current.as_mut() {
                match cur.next() {
                    Some(r) => return r.map(Some),
                    None => {
                        let s = cur.stats();
                        let file = s.files.first().cloned().unwrap_or_default();
                        self.merged.merge(&s, &file)?;
                        self.current = None;
                    }
                }
            }
            let Some(next) = self.pending.pop_front() else {
                return Ok(None);
            };
            let r = crate::open(&next, &self.opts)?;
            match self.format {
                Some(f) if f != r.format() => {
                    return Err(IngestError::Manifest {
                        file: next.display().to_string(),
                        reason: format!(
                            "is {} while the delivery is {}",
                            r.format().as_str(),
                            f.as_str()
                        ),
                    });
                }
                _ => self.format = Some(r.format()),
            }
            self.current = Some(r);
        }
    }
}

impl Iterator for ChainReader {
    type Item = Result<RecordBatch, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl BatchReader for ChainReader {
    fn format(&self) -> Format {
        self.format.unwrap_or(Format::AwsCur)
    }

    fn stats(&self) -> ReadStats {
        let mut s = self.merged.clone();
        if let Some(cur) = &self.current {
            let cs = cur.stats();
            let _ = s.merge(&cs, "");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, key: &str) -> PathBuf {
        let p = root.join(key);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "x").unwrap();
        p
    }

    #[test]
    fn keys_resolve_from_the_bucket_root_of_a_deep_mirror() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let period = "billing/team/cur/rep/20231101-20231201";
        let old = touch(root, &format!("{period}/asm-1/rep-1.csv.gz"));
        let new = touch(root, &format!("{period}/asm-2/rep-1.csv.gz"));
        let manifest = root.join(period).join("rep-Manifest.json");
        let key = format!("{period}/asm-2/rep-1.csv.gz");
        std::fs::write(&manifest, format!(r#"{{"reportKeys":["{key}"]}}"#)).unwrap();
        touch(root, &format!("{period}/rep-RedshiftManifest.json"));
        assert_eq!(
            delivery_files(&manifest).unwrap().unwrap(),
            vec![new.clone()]
        );
        // The folder holding the manifest and the Redshift manifest is one delivery.
        assert_eq!(
            delivery_files(&root.join(period)).unwrap().unwrap(),
            vec![new]
        );
        // The older assembly's file of the same name is not picked by its suffix.
        assert_ne!(locate(&root.join(period), &key), Some(old));
        assert_eq!(locate(&root.join(period), "../x/rep-1.csv.gz"), None);
    }

    #[test]
    fn cur2_urls_and_azure_blobs_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let data = touch(
            root,
            "exp/data/BILLING_PERIOD=2024-01/exp-00001.snappy.parquet",
        );
        let manifest = root.join("exp/metadata/BILLING_PERIOD=2024-01/exp-Manifest.json");
        std::fs::create_dir_all(manifest.parent().unwrap()).unwrap();
        std::fs::write(
            &manifest,
            r#"{"dataFiles":["s3://bucket/prefix/exp/data/BILLING_PERIOD=2024-01/exp-00001.snappy.parquet"]}"#,
        )
        .unwrap();
        assert_eq!(delivery_files(&manifest).unwrap().unwrap(), vec![data]);
        let part = touch(
            root,
            "exports/daily/20240101-20240131/run-1/part_0_0001.csv",
        );
        let azure = root.join("exports/daily/20240101-20240131/run-1/manifest.json");
        std::fs::write(
            &azure,
            r#"{"blobs":[{"blobName":"exports/daily/20240101-20240131/run-1/part_0_0001.csv","byteCount":1}]}"#,
        )
        .unwrap();
        assert_eq!(delivery_files(&azure).unwrap().unwrap(), vec![part]);
    }
}

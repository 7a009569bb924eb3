//! Where a store lives: a local directory or `s3://bucket/prefix`, opened as an object store.

use std::fmt;
use std::sync::Arc;

use datafusion::execution::object_store::ObjectStoreUrl;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;

use crate::error::{LedgerError, Result};

/// S3 settings; unset values come from the usual `AWS_*` environment variables.
#[derive(Clone, Default)]
pub struct S3Options {
    /// e.g. `http://127.0.0.1:9000` for an S3-compatible server.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Allow plain `http://` endpoints.
    pub allow_http: bool,
}

impl fmt::Debug for S3Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        f.debug_struct("S3Options")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// An opened location.
pub(crate) struct Opened {
    pub store: Arc<dyn ObjectStore>,
    /// The store root inside `store`.
    pub root: Path,
    /// URL DataFusion resolves `store` by.
    pub url: ObjectStoreUrl,
    /// The directory, for a local store.
    pub local_dir: Option<std::path::PathBuf>,
}

pub(crate) fn open(location: &str, s3: &S3Options) -> Result<Opened> {
    let invalid = |reason: &str| LedgerError::InvalidLocation {
        location: location.to_string(),
        reason: reason.to_string(),
    };
    if let Some(rest) = location.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(invalid("no bucket name"));
        }
        let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(e) = &s3.endpoint {
            b = b.with_endpoint(e);
        }
        if let Some(r) = &s3.region {
            b = b.with_region(r);
        }
        if let Some(k) = &s3.access_key_id {
            b = b.with_access_key_id(k);
        }
        if let Some(k) = &s3.secret_access_key {
            b = b.with_secret_access_key(k);
        }
        if s3.allow_http {
            b = b.with_allow_http(true);
        }
        let store = b.build().map_err(|e| invalid(&e.to_string()))?;
        let root = Path::parse(prefix.trim_matches('/')).map_err(|e| invalid(&e.to_string()))?;
        let url =
            ObjectStoreUrl::parse(format!("s3://{bucket}")).map_err(|e| invalid(&e.to_string()))?;
        return Ok(Opened {
            store: Arc::new(store),
            root,
            url,
            local_dir: None,
        });
    }
    if let Some((scheme, _)) = location.split_once("://")
        && scheme != "file"
    {
        return Err(invalid(
            "supported: a local path, file://… or s3://bucket/prefix",
        ));
    }
    let dir = location.strip_prefix("file://").unwrap_or(location);
    if dir.is_empty() {
        return Err(invalid("empty path"));
    }
    std::fs::create_dir_all(dir).map_err(|e| invalid(&e.to_string()))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| invalid(&e.to_string()))?;
    let root = Path::from_filesystem_path(&dir).map_err(|e| invalid(&e.to_string()))?;
    Ok(Opened {
        store: Arc::new(LocalFileSystem::new()),
        root,
        url: ObjectStoreUrl::local_filesystem(),
        local_dir: Some(dir),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        let s3 = S3Options::default();
        let o = open("s3://bucket/some/prefix/", &s3).unwrap();
        assert_eq!(o.root.as_ref(), "some/prefix");
        assert_eq!(o.url.as_str(), "s3://bucket/");
        assert!(open("s3://", &s3).is_err());
        assert!(open("gs://b/p", &s3).is_err());
        let dir = tempfile::tempdir().unwrap();
        let o = open(dir.path().join("x").to_str().unwrap(), &s3).unwrap();
        assert!(o.local_dir.unwrap().ends_with("x"));
    }

    #[test]
    fn secrets_are_not_printed() {
        let s = S3Options {
            secret_access_key: Some("hunter2".into()),
            ..Default::default()
        };
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}

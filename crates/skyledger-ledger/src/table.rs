//! A DataFusion table over an explicit list of Parquet files taken from a manifest snapshot.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::config::TableParquetOptions;
use datafusion::datasource::TableProvider;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::error::Result;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use object_store::path::Path;

use crate::manifest::FileEntry;

/// Parquet files of one schema. Sizes come from the manifest, so planning makes no
/// list or head requests; files written with fewer columns read the missing ones as null.
#[derive(Debug)]
pub(crate) struct ManifestTable {
    schema: SchemaRef,
    store_url: ObjectStoreUrl,
    /// Object paths (absolute within the store) and sizes.
    files: Vec<(Path, u64)>,
}

impl ManifestTable {
    pub(crate) fn new<'a>(
        schema: SchemaRef,
        store_url: ObjectStoreUrl,
        root: &Path,
        files: impl IntoIterator<Item = &'a FileEntry>,
    ) -> Self {
        let files = files
            .into_iter()
            .map(|f| (join(root, &f.path), f.size))
            .collect();
        Self {
            schema,
            store_url,
            files,
        }
    }
}

/// `root` + a `/`-separated relative path.
pub(crate) fn join(root: &Path, relative: &str) -> Path {
    relative
        .split('/')
        .fold(root.clone(), |p, part| p.join(part))
}

#[async_trait]
impl TableProvider for ManifestTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if self.files.is_empty() {
            let schema = match projection {
                Some(p) => Arc::new(self.schema.project(p)?),
                None => Arc::clone(&self.schema),
            };
            return Ok(Arc::new(EmptyExec::new(schema)));
        }
        // Spread files over the target partitions by size; DataFusion further splits large
        // files into byte ranges (row groups) when repartitioning file scans.
        let n = state
            .config()
            .target_partitions()
            .max(1)
            .min(self.files.len());
        let mut groups: Vec<(u64, Vec<PartitionedFile>)> = (0..n).map(|_| (0, vec![])).collect();
        let mut files = self.files.clone();
        files.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
        for (path, size) in files {
            let g = groups
                .iter_mut()
                .min_by_key(|(total, _)| *total)
                .expect("at least one group");
            g.0 += size;
            g.1.push(PartitionedFile::new(path.to_string(), size));
        }
        let source = Arc::new(ParquetSource::new(Arc::clone(&self.schema)));
        let conf = FileScanConfigBuilder::new(self.store_url.clone(), source)
            .with_file_groups(groups.into_iter().map(|(_, g)| FileGroup::new(g)).collect())
            .with_projection_indices(projection.cloned())?
            .with_limit(limit)
            .build();
        let options = TableParquetOptions {
            global: state.config_options().execution.parquet.clone(),
            ..Default::default()
        };
        ParquetFormat::default()
            .with_options(options)
            .create_physical_plan(state, conf)
            .await
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        // The filter stays above the scan; the Parquet reader also uses it to skip row groups.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }
}

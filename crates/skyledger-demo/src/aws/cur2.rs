//! AWS Data Exports CUR 2.0 delivery: one Snappy Parquet file per billing period under
//! `data/BILLING_PERIOD=YYYY-MM/`, written in bounded batches, and its
//! `metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, MapBuilder, MapFieldNames, StringBuilder, TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde_json::json;

use super::columns::{
    CUR2, CUR2_TAG_KEYS, F, Kind, MonthVals, V, business_unit, product_map, value,
};
use super::{Ctx, Line, MonthTotalsView, Sink, uuid};
use crate::calendar::midnight_ms;
use crate::money;
use crate::rng::key;
use crate::{DemoError, GeneratedFile, io_err};

/// Rows per Arrow batch handed to the Parquet writer.
const BATCH_ROWS: usize = 8_192;
/// Rows per Parquet row group (bounds the writer's memory).
const ROW_GROUP_ROWS: usize = 512 * 1024;

fn map_names() -> MapFieldNames {
    MapFieldNames {
        entry: "key_value".to_string(),
        key: "key".to_string(),
        value: "value".to_string(),
    }
}

enum Col {
    Str(StringBuilder),
    Double(Float64Builder),
    Ts(TimestampMillisecondBuilder),
    Map(MapBuilder<StringBuilder, StringBuilder>),
    MapDouble(MapBuilder<StringBuilder, Float64Builder>),
}

impl Col {
    fn new(kind: Kind) -> Col {
        match kind {
            Kind::Str => Col::Str(StringBuilder::new()),
            Kind::Double => Col::Double(Float64Builder::new()),
            Kind::Ts => Col::Ts(TimestampMillisecondBuilder::new()),
            Kind::Map => Col::Map(MapBuilder::new(
                Some(map_names()),
                StringBuilder::new(),
                StringBuilder::new(),
            )),
            Kind::MapDouble => Col::MapDouble(MapBuilder::new(
                Some(map_names()),
                StringBuilder::new(),
                Float64Builder::new(),
            )),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Col::Str(b) => Arc::new(b.finish()),
            Col::Double(b) => Arc::new(b.finish()),
            Col::Ts(b) => Arc::new(b.finish()),
            Col::Map(b) => Arc::new(b.finish()),
            Col::MapDouble(b) => Arc::new(b.finish()),
        }
    }
}

/// The CUR 2.0 Arrow schema (timestamps are UTC instants stored without a zone, milliseconds).
pub(crate) fn schema() -> SchemaRef {
    let fields: Vec<Field> = CUR2
        .iter()
        .map(|(name, kind, _)| {
            let dt = Col::new(*kind).finish().data_type().clone();
            Field::new(*name, dt, true)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

pub(crate) struct Writer<'a> {
    ctx: &'a Ctx<'a>,
    /// The bucket root (`<out>/aws-cur2`).
    pub(crate) root: PathBuf,
    export: String,
    prefix: &'static str,
    schema: SchemaRef,
    cols: Vec<Col>,
    pending: usize,
    open: Option<Open>,
    buf: String,
}

struct Open {
    writer: ArrowWriter<File>,
    path: PathBuf,
    partition: String,
    file_name: String,
    month: MonthVals,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(ctx: &'a Ctx<'a>, out_dir: &Path) -> Self {
        Writer {
            ctx,
            root: out_dir.join("aws-cur2"),
            export: format!("{}-cur2", ctx.org.name),
            prefix: "cur2",
            schema: schema(),
            cols: CUR2.iter().map(|(_, k, _)| Col::new(*k)).collect(),
            pending: 0,
            open: None,
            buf: String::new(),
        }
    }

    fn flush(&mut self) -> Result<(), DemoError> {
        if self.pending == 0 {
            return Ok(());
        }
        let Some(o) = self.open.as_mut() else {
            return Ok(());
        };
        let arrays: Vec<ArrayRef> = self.cols.iter_mut().map(Col::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(|source| {
            DemoError::Arrow {
                path: o.path.clone(),
                source,
            }
        })?;
        o.writer
            .write(&batch)
            .map_err(|source| DemoError::Parquet {
                path: o.path.clone(),
                source,
            })?;
        self.pending = 0;
        Ok(())
    }
}

impl Sink for Writer<'_> {
    fn begin_month(&mut self, month: usize) -> Result<(), DemoError> {
        let m = &self.ctx.cal.months[month];
        let partition = format!("BILLING_PERIOD={}", m.start.format("%Y-%m"));
        let dir = self
            .root
            .join(self.prefix)
            .join(&self.export)
            .join("data")
            .join(&partition);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let file_name = format!("{}-00001.snappy.parquet", self.export);
        let path = dir.join(&file_name);
        let file = File::create(&path).map_err(io_err(&path))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by("skyledger-demo".to_string())
            .build();
        let writer =
            ArrowWriter::try_new(file, self.schema.clone(), Some(props)).map_err(|source| {
                DemoError::Parquet {
                    path: path.clone(),
                    source,
                }
            })?;
        self.open = Some(Open {
            writer,
            path,
            partition,
            file_name,
            month: MonthVals {
                invoice_id: self.ctx.invoice_id(month),
                start_ms: midnight_ms(m.start),
                end_ms: midnight_ms(m.end),
            },
        });
        Ok(())
    }

    fn write(&mut self, l: &Line) -> Result<(), DemoError> {
        let Some(o) = self.open.as_ref() else {
            return Ok(());
        };
        for ((_, _, f), col) in CUR2.iter().zip(self.cols.iter_mut()) {
            match col {
                Col::Str(b) => match value(*f, l, self.ctx, &o.month) {
                    V::Null => b.append_null(),
                    V::Str(s) => b.append_value(s),
                    V::Amount(v) => {
                        self.buf.clear();
                        money::push(&mut self.buf, v, money::SCALE);
                        b.append_value(&self.buf);
                    }
                    V::Rate(v) => {
                        self.buf.clear();
                        money::push(&mut self.buf, v, money::RATE_SCALE);
                        b.append_value(&self.buf);
                    }
                    V::Ts(_) => b.append_null(),
                },
                Col::Double(b) => match value(*f, l, self.ctx, &o.month) {
                    V::Amount(v) => b.append_value(money::to_f64(v, money::SCALE)),
                    V::Rate(v) => b.append_value(money::to_f64(v, money::RATE_SCALE)),
                    _ => b.append_null(),
                },
                Col::Ts(b) => match value(*f, l, self.ctx, &o.month) {
                    V::Ts(ms) => b.append_value(ms),
                    _ => b.append_null(),
                },
                Col::Map(b) => {
                    match f {
                        F::TagMap => {
                            for (k, v) in CUR2_TAG_KEYS.iter().zip(l.tags.0.iter()) {
                                if let Some(v) = v {
                                    b.keys().append_value(k);
                                    b.values().append_value(v);
                                }
                            }
                        }
                        F::ProductMap => {
                            for (k, v) in product_map(l) {
                                b.keys().append_value(k);
                                b.values().append_value(v);
                            }
                        }
                        F::CostCategory => {
                            b.keys().append_value("business_unit");
                            b.values()
                                .append_value(business_unit(&self.ctx.accounts[l.account].name));
                        }
                        _ => {}
                    }
                    b.append(true).map_err(|source| DemoError::Arrow {
                        path: o.path.clone(),
                        source,
                    })?;
                }
                Col::MapDouble(b) => b.append(false).map_err(|source| DemoError::Arrow {
                    path: o.path.clone(),
                    source,
                })?,
            }
        }
        self.pending += 1;
        if self.pending >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn end_month(
        &mut self,
        month: usize,
        rows: u64,
        totals: MonthTotalsView,
    ) -> Result<GeneratedFile, DemoError> {
        self.flush()?;
        let Some(o) = self.open.take() else {
            return Err(DemoError::Io {
                path: self.root.clone(),
                source: std::io::Error::other("month not open"),
            });
        };
        let path = o.path.clone();
        o.writer.close().map_err(|source| DemoError::Parquet {
            path: path.clone(),
            source,
        })?;
        let m = &self.ctx.cal.months[month];
        let bucket = format!("{}-data-exports", self.ctx.org.name);
        let columns: Vec<_> = CUR2
            .iter()
            .map(|(name, kind, _)| {
                let ty = match kind {
                    Kind::Str => "string",
                    Kind::Double => "double",
                    Kind::Ts => "timestamp",
                    Kind::Map => "map<string,string>",
                    Kind::MapDouble => "map<string,double>",
                };
                json!({"name": name, "type": ty})
            })
            .collect();
        let manifest = json!({
            "executionId": uuid(key(self.ctx.seed, &[0xe8ec, month as u64])),
            "exportArn": format!("arn:aws:bcm-data-exports:us-east-1:{}:export/{}-{}", self.ctx.payer().id, self.export, uuid(key(self.ctx.seed, &[0xe4a])).split('-').next().unwrap_or("")),
            "billingPeriod": {"start": m.start.format("%Y-%m-%dT00:00:00.000Z").to_string(), "end": m.end.format("%Y-%m-%dT00:00:00.000Z").to_string()},
            "columns": columns,
            "dataFiles": [format!("s3://{bucket}/{}/{}/data/{}/{}", self.prefix, self.export, o.partition, o.file_name)],
            "additionalOutputFiles": [],
        });
        let dir = self
            .root
            .join(self.prefix)
            .join(&self.export)
            .join("metadata")
            .join(&o.partition);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let manifest_path = dir.join(format!("{}-Manifest.json", self.export));
        let text = serde_json::to_vec_pretty(&manifest).map_err(|source| DemoError::Json {
            path: manifest_path.clone(),
            source,
        })?;
        std::fs::write(&manifest_path, text).map_err(io_err(&manifest_path))?;
        Ok(GeneratedFile {
            path,
            format: "aws-cur2-parquet",
            rows,
            cost_account_name: self.ctx.cost_account.clone(),
            billing_period: (m.year(), m.month()),
            manifest: Some(manifest_path),
            totals: totals.named([
                "line_item_unblended_cost",
                "line_item_blended_cost",
                "pricing_public_on_demand_cost",
                "reservation_effective_cost",
                "savings_plan_savings_plan_effective_cost",
            ]),
        })
    }
}

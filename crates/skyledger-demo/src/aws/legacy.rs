//! Legacy CUR delivery: one gzip-compressed CSV per billing period under an assembly folder, and
//! the period's `<report>-Manifest.json`, laid out as AWS does when it keeps report versions
//! (`<prefix>/<report>/yyyymmdd-yyyymmdd/<assemblyId>/<report>-1.csv.gz`); daily granularity,
//! resource ids included.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;

use super::columns::{LEGACY, MonthVals, V, value};
use super::{Ctx, Line, MonthTotalsView, Sink, push_cur_ts, uuid};
use crate::calendar::midnight_ms;
use crate::money;
use crate::rng::key;
use crate::{DemoError, GeneratedFile, io_err};

pub(crate) struct Writer<'a> {
    ctx: &'a Ctx<'a>,
    /// The bucket root (`<out>/aws-cur-legacy`).
    pub(crate) root: PathBuf,
    report: String,
    prefix: &'static str,
    open: Option<Open>,
    buf: String,
}

struct Open {
    csv: csv::Writer<GzEncoder<BufWriter<File>>>,
    path: PathBuf,
    key: String,
    month: MonthVals,
    period_dir: PathBuf,
    assembly: String,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(ctx: &'a Ctx<'a>, out_dir: &Path) -> Self {
        Writer {
            ctx,
            root: out_dir.join("aws-cur-legacy"),
            report: format!("{}-daily", ctx.org.name),
            prefix: "cur",
            open: None,
            buf: String::with_capacity(64),
        }
    }
}

fn period_folder(start: chrono::NaiveDate, end: chrono::NaiveDate) -> String {
    format!("{}-{}", start.format("%Y%m%d"), end.format("%Y%m%d"))
}

impl Sink for Writer<'_> {
    fn begin_month(&mut self, month: usize) -> Result<(), DemoError> {
        let m = &self.ctx.cal.months[month];
        let folder = period_folder(m.start, m.end);
        let assembly = super::uuid(key(self.ctx.seed, &[0xa55e, month as u64]));
        let period_dir = self.root.join(self.prefix).join(&self.report).join(&folder);
        let dir = period_dir.join(&assembly);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let name = format!("{}-1.csv.gz", self.report);
        let path = dir.join(&name);
        let file = File::create(&path).map_err(io_err(&path))?;
        // Level 1: the generator is meant to produce tens of millions of rows quickly.
        let gz = GzEncoder::new(BufWriter::with_capacity(1 << 20, file), Compression::fast());
        let mut csv = csv::WriterBuilder::new().from_writer(gz);
        csv.write_record(LEGACY.iter().map(|(n, _)| *n))
            .map_err(|source| DemoError::Csv {
                path: path.clone(),
                source,
            })?;
        self.open = Some(Open {
            csv,
            key: format!(
                "{}/{}/{}/{}/{}",
                self.prefix, self.report, folder, assembly, name
            ),
            path,
            month: MonthVals {
                invoice_id: self.ctx.invoice_id(month),
                start_ms: midnight_ms(m.start),
                end_ms: midnight_ms(m.end),
            },
            period_dir,
            assembly,
        });
        Ok(())
    }

    fn write(&mut self, l: &Line) -> Result<(), DemoError> {
        let Some(o) = self.open.as_mut() else {
            return Ok(());
        };
        for (_, f) in LEGACY {
            self.buf.clear();
            match value(*f, l, self.ctx, &o.month) {
                V::Null => {}
                V::Str(s) => self.buf.push_str(s),
                V::Amount(v) => money::push(&mut self.buf, v, money::SCALE),
                V::Rate(v) => money::push(&mut self.buf, v, money::RATE_SCALE),
                V::Ts(ms) => push_cur_ts(&mut self.buf, ms),
            }
            o.csv
                .write_field(&self.buf)
                .map_err(|source| DemoError::Csv {
                    path: o.path.clone(),
                    source,
                })?;
        }
        o.csv
            .write_record(None::<&[u8]>)
            .map_err(|source| DemoError::Csv {
                path: o.path.clone(),
                source,
            })
    }

    fn end_month(
        &mut self,
        month: usize,
        rows: u64,
        totals: MonthTotalsView,
    ) -> Result<GeneratedFile, DemoError> {
        let Some(o) = self.open.take() else {
            return Err(DemoError::Io {
                path: self.root.clone(),
                source: std::io::Error::other("month not open"),
            });
        };
        let path = o.path.clone();
        let gz = o.csv.into_inner().map_err(|e| DemoError::Io {
            path: path.clone(),
            source: e.into_error(),
        })?;
        let buf = gz.finish().map_err(io_err(&path))?;
        buf.into_inner().map_err(|e| DemoError::Io {
            path: path.clone(),
            source: e.into_error(),
        })?;
        let m = &self.ctx.cal.months[month];
        let columns: Vec<_> = LEGACY
            .iter()
            .map(|(n, f)| {
                let (category, name) = n.split_once('/').unwrap_or(("", n));
                let ty = match f {
                    super::columns::F::UsageAmount
                    | super::columns::F::UnblendedCost
                    | super::columns::F::BlendedCost
                    | super::columns::F::OdCost => "BigDecimal",
                    super::columns::F::PeriodStart
                    | super::columns::F::PeriodEnd
                    | super::columns::F::UsageStart
                    | super::columns::F::UsageEnd => "DateTime",
                    _ => "String",
                };
                json!({"category": category, "name": name, "type": ty})
            })
            .collect();
        let manifest = json!({
            "assemblyId": o.assembly,
            "account": self.ctx.payer().id,
            "columns": columns,
            "charset": "UTF-8",
            "compression": "GZIP",
            "contentType": "text/csv",
            "reportId": uuid(key(self.ctx.seed, &[0x7e9, self.ctx.org.name.len() as u64])).replace('-', ""),
            "reportName": self.report,
            "billingPeriod": {
                "start": format!("{}T000000.000Z", m.start.format("%Y%m%d")),
                "end": format!("{}T000000.000Z", m.end.format("%Y%m%d")),
            },
            "bucket": format!("{}-billing-reports", self.ctx.org.name),
            "reportKeys": [o.key],
            "additionalArtifactKeys": [],
        });
        let manifest_path = o.period_dir.join(format!("{}-Manifest.json", self.report));
        let text = serde_json::to_vec_pretty(&manifest).map_err(|source| DemoError::Json {
            path: manifest_path.clone(),
            source,
        })?;
        std::fs::write(&manifest_path, text).map_err(io_err(&manifest_path))?;
        Ok(GeneratedFile {
            path,
            format: "aws-cur-csv-gz",
            rows,
            cost_account_name: self.ctx.cost_account.clone(),
            billing_period: (m.year(), m.month()),
            manifest: Some(manifest_path),
            totals: totals.named([
                "lineItem/UnblendedCost",
                "lineItem/BlendedCost",
                "pricing/publicOnDemandCost",
                "reservation/EffectiveCost",
                "savingsPlan/SavingsPlanEffectiveCost",
            ]),
        })
    }
}

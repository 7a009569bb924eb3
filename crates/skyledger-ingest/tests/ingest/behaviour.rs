//! Reader behaviour: compression, bad rows, empty and truncated files, currencies, sniffing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use skyledger_ingest::{Format, IngestError, ReadOptions, open, open_reader};

use crate::util::{csv_column_sum, dec, fixture, read, read_with};

const CUR: &str = "aws/cur-legacy-sample-anonymous-aws-export-dataset.csv";

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

fn err(path: &Path, opts: &ReadOptions) -> IngestError {
    match read_with(path, opts) {
        Ok(r) => panic!("expected an error, read {} rows", r.rows()),
        Err(e) => e,
    }
}

#[test]
fn gzip_and_zip_give_the_plain_file_totals() {
    let dir = tempfile::tempdir().unwrap();
    let plain = fs::read(fixture(CUR)).unwrap();
    let gz_path = write(dir.path(), "cur.csv.gz", &gz(&plain));
    let zip_path = dir.path().join("cur.zip");
    {
        let mut z = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
        z.start_file("cur-00001.csv", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(&plain).unwrap();
        z.finish().unwrap();
    }
    for p in [&gz_path, &zip_path] {
        let r = read(p);
        assert_eq!(r.format, Format::AwsCur);
        assert_eq!(r.rows(), 1281);
        assert_eq!(r.sum("x_UnblendedCost", None), dec("1.68230869740"));
    }
    // The same bytes as a stream (object-store sources).
    let mut r = open_reader(
        "cur.csv.gz",
        Box::new(std::io::Cursor::new(gz(&plain))),
        &ReadOptions::default(),
    )
    .unwrap();
    let rows: usize = r.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 1281);
}

#[test]
fn a_truncated_gzip_is_a_decompression_error() {
    let dir = tempfile::tempdir().unwrap();
    let full = gz(&fs::read(fixture(CUR)).unwrap());
    let p = write(dir.path(), "cut.csv.gz", &full[..full.len() / 2]);
    let e = err(&p, &ReadOptions::default());
    assert!(matches!(e, IngestError::Decompress { .. }), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn empty_files_are_refused_and_header_only_files_have_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let e = err(
        &write(dir.path(), "empty.csv", b""),
        &ReadOptions::default(),
    );
    assert!(matches!(e, IngestError::Empty { .. }), "{e}");
    assert!(
        e.to_string().contains("empty.csv: the file is empty"),
        "{e}"
    );
    let e = err(
        &write(dir.path(), "empty.csv.gz", &gz(b"")),
        &ReadOptions::default(),
    );
    assert!(matches!(e, IngestError::Empty { .. }), "{e}");
    let header = fs::read_to_string(fixture(CUR))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string()
        + "\n";
    let r = read(&write(dir.path(), "header.csv", header.as_bytes()));
    assert_eq!(r.rows(), 0);
    assert_eq!(r.stats.rows, 0);
}

#[test]
fn a_bad_row_is_named_by_line_and_column_and_can_be_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture(CUR)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Line 101 of the file: put a word where lineItem/UnblendedCost (column 23) goes.
    let mut rec: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(lines[100].as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    rec[22] = "twelve".into();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&rec).unwrap();
    lines[100] = String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string();
    let p = write(dir.path(), "bad.csv", (lines.join("\n") + "\n").as_bytes());
    let e = err(&p, &ReadOptions::default());
    assert!(
        e.to_string()
            .ends_with("bad.csv:101:lineItem/UnblendedCost: not a number: \"twelve\""),
        "{e}"
    );
    let skip = ReadOptions {
        skip_bad_rows: true,
        ..Default::default()
    };
    let r = read_with(&p, &skip).unwrap();
    assert_eq!(r.rows(), 1280);
    assert_eq!(r.stats.bad_rows_skipped, 1);
    assert_eq!(r.stats.bad_row_samples.len(), 1);
}

#[test]
fn credits_whose_sum_leaves_38_digits_are_a_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture("gcp/gcp-billing-export-detailed.jsonl")).unwrap();
    let first = text.lines().next().unwrap();
    let mut huge: serde_json::Value = serde_json::from_str(first).unwrap();
    // Each credit fits (9e13 has 38 digits at scale 24); their sum does not even fit an i128.
    let credit =
        serde_json::json!({"name": "x", "amount": -90_000_000_000_000i64, "type": "PROMOTION"});
    huge["credits"] = serde_json::json!([credit.clone(), credit]);
    let p = write(
        dir.path(),
        "credits.jsonl",
        format!("{first}\n{huge}\n{first}\n").as_bytes(),
    );
    let e = err(&p, &ReadOptions::default()).to_string();
    assert!(
        e.contains("credits.jsonl:2:credits.amount:")
            && e.contains("does not fit a decimal of 38 digits"),
        "{e}"
    );
    let skip = ReadOptions {
        skip_bad_rows: true,
        ..Default::default()
    };
    let r = read_with(&p, &skip).unwrap();
    assert_eq!((r.rows(), r.stats.bad_rows_skipped), (2, 1));
}

#[test]
fn a_row_with_missing_fields_is_a_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "short.csv",
        b"BilledCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName\n\
          1.5,a1,USD,Usage,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,AWS\n\
          2.5,a1,USD\n",
    );
    let e = err(&p, &ReadOptions::default());
    assert!(e.to_string().contains("short.csv:3:"), "{e}");
    assert!(e.to_string().contains("3 fields, the header has 7"), "{e}");
}

#[test]
fn one_account_in_two_currencies_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "mixed.csv",
        b"BilledCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName\n\
          1.5,a1,USD,Usage,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,AWS\n\
          1.5,a2,EUR,Usage,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,AWS\n\
          2.5,a1,EUR,Usage,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,AWS\n",
    );
    let e = err(
        &p,
        &ReadOptions {
            skip_bad_rows: true,
            ..Default::default()
        },
    );
    assert!(matches!(e, IngestError::MixedCurrency { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("mixed.csv:4: billing account a1 has rows in two currencies (USD and EUR)"),
        "{e}"
    );
}

#[test]
fn an_unknown_header_lists_the_supported_formats() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "what.csv", b"date,amount\n2024-01-01,5\n");
    let e = err(&p, &ReadOptions::default());
    let m = e.to_string();
    assert!(matches!(e, IngestError::UnknownFormat { .. }), "{m}");
    for f in ["focus", "aws_cur", "aws_cur2", "azure", "gcp", "oci"] {
        assert!(m.contains(f), "{m}");
    }
}

#[test]
fn a_forced_format_wins_and_names_the_missing_column() {
    let e = err(
        &fixture(CUR),
        &ReadOptions {
            format: Some(Format::Focus),
            ..Default::default()
        },
    );
    assert!(
        e.to_string()
            .contains("not a valid focus file: required column BilledCost is missing"),
        "{e}"
    );
    let r = read_with(
        &fixture("azure/ea-export-sample-anonymous.csv"),
        &ReadOptions {
            format: Some(Format::Azure),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.rows(), 27);
}

#[test]
fn batches_never_exceed_the_batch_size() {
    let r = read_with(
        &fixture(CUR),
        &ReadOptions {
            batch_size: 100,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.batches.len(), 13);
    assert!(r.batches.iter().all(|b| b.num_rows() <= 100));
    assert_eq!(r.rows(), 1281);
}

/// Every Azure header variant: EA, camelCase MCA, pay-as-you-go, German, BOM, opencost values.
#[test]
fn every_azure_header_variant_reads_with_its_cost() {
    let usd = ReadOptions {
        column_defaults: vec![("BillingCurrency".into(), "USD".into())],
        ..Default::default()
    };
    // The BOM header set has one row with only a date: the header is read (BOM dropped) and
    // the row is refused for its empty cost, naming the column as the file spells it.
    let e = err(
        &fixture("azure/opencost-billingexport-fixtures/headersets/BOM.csv"),
        &usd,
    );
    assert!(
        e.to_string()
            .ends_with("BOM.csv:2:PreTaxCost: missing cost"),
        "{e}"
    );
    for (file, cost_col) in [
        ("headersets/Enterprise.csv", "CostInBillingCurrency"),
        ("headersets/EnterpriseCamel.csv", "costInBillingCurrency"),
        ("headersets/German.csv", "PreTaxCost (PreTaxCost)"),
        ("headersets/PayAsYouGo.csv", "PreTaxCost"),
        ("headersets/YA.csv", "costInBillingCurrency"),
        ("values/Template.csv", "costinbillingcurrency"),
        ("values/VirtualMachine.csv", "costinbillingcurrency"),
        ("values/MissingBrackets.csv", "costinbillingcurrency"),
    ] {
        let p = fixture(&format!("azure/opencost-billingexport-fixtures/{file}"));
        let r = read_with(&p, &usd).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.format, Format::Azure, "{file}");
        assert!(r.rows() >= 1, "{file}");
        assert_eq!(
            r.sum("BilledCost", None),
            csv_column_sum(&p, cost_col),
            "{file}"
        );
    }
    // Tags written without braces still become a tag map.
    let r = read_with(
        &fixture("azure/opencost-billingexport-fixtures/values/MissingBrackets.csv"),
        &usd,
    )
    .unwrap();
    assert_eq!(r.batches[0].column_by_name("Tags").unwrap().null_count(), 0);
}

#[test]
fn a_manifest_delivery_reads_all_its_files_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture(CUR)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (a, b) = rows.split_at(600);
    let part = |rows: &[&str]| gz((header.to_string() + "\n" + &rows.join("\n") + "\n").as_bytes());
    write(dir.path(), "report-1.csv.gz", &part(a));
    write(dir.path(), "report-2.csv.gz", &part(b));
    let manifest = r#"{"assemblyId":"a1","reportKeys":["cur/report/20231101-20231201/a1/report-1.csv.gz","cur/report/20231101-20231201/a1/report-2.csv.gz"],"billingPeriod":{"start":"20231101T000000.000Z","end":"20231201T000000.000Z"}}"#;
    let m = write(dir.path(), "report-Manifest.json", manifest.as_bytes());
    for p in [m.as_path(), dir.path()] {
        let r = read(p);
        assert_eq!(r.format, Format::AwsCur);
        assert_eq!(r.rows(), 1281);
        assert_eq!(r.sum("x_UnblendedCost", None), dec("1.68230869740"));
        assert_eq!(r.stats.files.len(), 2);
        assert_eq!(r.stats.rows, 1281);
    }
    let dup = manifest.replace(
        "report-2.csv.gz\"]",
        "report-2.csv.gz\",\"report-2.csv.gz\"]",
    );
    let d = write(dir.path(), "dup-Manifest.json", dup.as_bytes());
    assert!(matches!(
        open(&d, &ReadOptions::default()).err().unwrap(),
        IngestError::DuplicateDelivery { .. }
    ));
    let missing = manifest.replace("report-2.csv.gz\"]", "report-3.csv.gz\"]");
    let m3 = write(dir.path(), "missing-Manifest.json", missing.as_bytes());
    let e = open(&m3, &ReadOptions::default()).err().unwrap();
    assert!(
        e.to_string()
            .contains("report-3.csv.gz is not next to the manifest"),
        "{e}"
    );
}

#[test]
fn a_focus_parquet_file_reads_by_column_name() {
    // Our own normalised output is FOCUS 1.2 + x_ columns: written as Parquet (decimals,
    // timestamps, a tag map) it must read back as FOCUS with the same sums.
    let src = read(&fixture("focus/focus_sample_1000.csv"));
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("focus.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        fs::File::create(&p).unwrap(),
        src.batches[0].schema(),
        None,
    )
    .unwrap();
    for b in &src.batches {
        w.write(b).unwrap();
    }
    w.close().unwrap();
    let r = read(&p);
    assert_eq!(r.format, Format::Focus);
    assert_eq!(r.rows(), 1000);
    assert_eq!(r.sum("BilledCost", None), dec("20.52022672899"));
    assert_eq!(r.sum("EffectiveCost", None), dec("14.97651418586"));
    let tagged = |rows: &crate::util::Read| -> usize {
        rows.batches
            .iter()
            .map(|b| b.num_rows() - b.column_by_name("Tags").unwrap().null_count())
            .sum()
    };
    assert_eq!(tagged(&r), 711);
    assert_eq!(r.distinct("x_ServiceCode"), src.distinct("x_ServiceCode"));

    // The FOCUS validator's sample.parquet is a three-column schema test, not billing data.
    let e = err(
        &fixture("focus/validator-samples/sample.parquet"),
        &ReadOptions {
            format: Some(Format::Focus),
            ..Default::default()
        },
    );
    assert!(
        e.to_string()
            .ends_with("required column BilledCost is missing"),
        "{e}"
    );
}

/// A file whose own schema keeps text as dictionaries with small keys (what pandas categories
/// become) reads like plain text.
#[test]
fn parquet_text_stored_as_small_key_dictionaries_reads_as_text() {
    use arrow_schema::{DataType, Field, Schema};
    let src = read(&fixture("focus/focus_sample_1000.csv"));
    let small = DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8));
    let as_small = |name: &str| name == "ProviderName" || name == "ChargeCategory";
    let schema = src.batches[0].schema();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match as_small(f.name()) {
            true => f.as_ref().clone().with_data_type(small.clone()),
            false => f.as_ref().clone(),
        })
        .collect();
    let schema = std::sync::Arc::new(Schema::new(fields));
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("focus-dict.parquet");
    let mut w =
        parquet::arrow::ArrowWriter::try_new(fs::File::create(&p).unwrap(), schema.clone(), None)
            .unwrap();
    for b in &src.batches {
        let cols = b
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(c, f)| arrow_cast::cast(c, f.data_type()).unwrap())
            .collect();
        w.write(&arrow_array::RecordBatch::try_new(schema.clone(), cols).unwrap())
            .unwrap();
    }
    w.close().unwrap();
    let r = read(&p);
    assert_eq!(r.rows(), 1000);
    assert_eq!(r.sum("BilledCost", None), src.sum("BilledCost", None));
    assert_eq!(r.distinct("ProviderName"), src.distinct("ProviderName"));
    assert_eq!(r.distinct("ChargeCategory"), src.distinct("ChargeCategory"));
}

#[test]
fn parquet_and_json_lines_read_from_byte_streams() {
    let bytes = fs::read(fixture("aws/cur2-data-export-sample.snappy.parquet")).unwrap();
    let mut r = open_reader(
        "cur2.parquet",
        Box::new(std::io::Cursor::new(bytes)),
        &ReadOptions::default(),
    )
    .unwrap();
    let rows: usize = r.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!((rows, r.format()), (13, Format::AwsCur2));
    let text = fs::read(fixture("gcp/gcp-billing-export-detailed.jsonl")).unwrap();
    let mut r = open_reader(
        "gcp.jsonl.gz",
        Box::new(std::io::Cursor::new(gz(&text))),
        &ReadOptions::default(),
    )
    .unwrap();
    let rows: usize = r.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!((rows, r.format()), (8, Format::Gcp));
}

#[test]
fn a_broken_json_line_is_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture("gcp/gcp-billing-export-standard.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[4] = "{\"billing_account_id\": \"x\", ";
    let p = write(
        dir.path(),
        "gcp.jsonl",
        (lines.join("\n") + "\n").as_bytes(),
    );
    let e = err(&p, &ReadOptions::default());
    assert!(
        e.to_string().contains("gcp.jsonl:5:: not a JSON object"),
        "{e}"
    );
    let r = read_with(
        &p,
        &ReadOptions {
            skip_bad_rows: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((r.rows(), r.stats.bad_rows_skipped), (7, 1));
}

#[test]
fn azure_cost_kind_comes_from_the_name_or_the_options() {
    use skyledger_ingest::AzureCostKind;
    let actual = fixture("azure/finops-toolkit-EA_ActualCost_Small.csv");
    // Read as amortized, the reservation purchase keeps its billed cost and usage is unchanged.
    let r = read_with(
        &actual,
        &ReadOptions {
            azure_cost_kind: Some(AzureCostKind::Amortized),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.sum("EffectiveCost", None), dec("8.5450077867419368"));
    let r = read(&actual);
    assert_eq!(
        r.sum("EffectiveCost", None),
        dec("8.5450077867419368") - dec("3.25")
    );
    // In the amortized file, usage covered by the reservation was paid by the purchase.
    let r = read(&fixture("azure/finops-toolkit-EA_AmortizedCost_Small.csv"));
    assert!(r.sum("BilledCost", None) < r.sum("EffectiveCost", None));
}

#[test]
fn a_cur2_data_export_manifest_finds_its_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("acme-cur2/data/BILLING_PERIOD=2023-11");
    let meta = dir.path().join("acme-cur2/metadata/BILLING_PERIOD=2023-11");
    fs::create_dir_all(&data).unwrap();
    fs::create_dir_all(&meta).unwrap();
    fs::copy(
        fixture("aws/cur2-data-export-sample.snappy.parquet"),
        data.join("acme-cur2-00001.snappy.parquet"),
    )
    .unwrap();
    let m = write(
        &meta,
        "acme-cur2-Manifest.json",
        br#"{"dataFiles":["s3://bucket/exports/acme-cur2/data/BILLING_PERIOD=2023-11/acme-cur2-00001.snappy.parquet"],"billingPeriod":{"start":"2023-11-01T00:00:00.000Z"}}"#,
    );
    let r = read(&m);
    assert_eq!((r.rows(), r.format), (13, Format::AwsCur2));
    assert_eq!(r.sum("x_UnblendedCost", None), dec("393.0755"));
}

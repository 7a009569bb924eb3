//! Each format read back with plain csv / Parquet / serde_json: documented columns present,
//! sums equal to the reported totals, provider conventions kept.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::str::FromStr;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use flate2::read::GzDecoder;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rust_decimal::Decimal;
use skyledger_demo::GeneratedFile;

use crate::shared;

fn dec(s: &str) -> Decimal {
    if s.is_empty() {
        Decimal::ZERO
    } else {
        Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }
}

/// A double as the decimal it was written from (Rust prints the shortest round-trip form).
fn dec_f64(v: f64) -> Decimal {
    Decimal::from_str(&format!("{v}")).unwrap()
}

fn files(format: &str) -> Vec<&'static GeneratedFile> {
    shared()
        .1
        .files
        .iter()
        .filter(|f| f.format == format)
        .collect()
}

fn total(f: &GeneratedFile, col: &str) -> Decimal {
    *f.totals
        .sums
        .get(col)
        .unwrap_or_else(|| panic!("no total {col} for {}", f.path.display()))
}

/// AWS amortized cost of one line by the FOCUS rule (focus_converters AWS mapping).
fn effective(t: &str, get: &dyn Fn(&str) -> Decimal, has_ri: bool) -> Decimal {
    match t {
        "SavingsPlanCoveredUsage" => get("sp_effective"),
        "SavingsPlanRecurringFee" => get("sp_total") - get("sp_used"),
        "SavingsPlanNegation" => Decimal::ZERO,
        "DiscountedUsage" => get("ri_effective"),
        "RIFee" => get("ri_unused_upfront") + get("ri_unused_recurring"),
        "Fee" if has_ri => Decimal::ZERO,
        _ => get("unblended"),
    }
}

#[test]
fn legacy_cur_reads_back_with_sample_naming_and_exact_sums() {
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/aws-cur-legacy-sample-header.csv"
    ))
    .unwrap();
    let sample: Vec<&str> = sample.trim_end().split(',').collect();
    let mut all_codes = BTreeSet::new();
    let (mut untagged, mut with_resource) = (0u64, 0u64);
    let fs = files("aws-cur-csv-gz");
    assert_eq!(fs.len(), 13);
    for f in fs {
        let mut rdr = csv::Reader::from_reader(GzDecoder::new(File::open(&f.path).unwrap()));
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
        let idx = |n: &str| {
            header
                .iter()
                .position(|h| h == n)
                .unwrap_or_else(|| panic!("missing column {n}"))
        };
        // Every identity/bill/lineItem column of the real sample, in the sample's order.
        let ours: Vec<usize> = sample
            .iter()
            .filter(|c| {
                c.starts_with("identity/") || c.starts_with("bill/") || c.starts_with("lineItem/")
            })
            .map(|c| idx(c))
            .collect();
        assert!(
            ours.windows(2).all(|w| w[0] < w[1]),
            "sample column order not kept"
        );
        for c in [
            "lineItem/ResourceId",
            "product/ProductName",
            "product/region",
            "product/instanceType",
            "pricing/term",
            "pricing/unit",
            "pricing/publicOnDemandCost",
            "reservation/EffectiveCost",
            "reservation/ReservationARN",
            "reservation/AmortizedUpfrontCostForUsage",
            "reservation/RecurringFeeForUsage",
            "savingsPlan/SavingsPlanEffectiveCost",
            "savingsPlan/SavingsPlanARN",
            "resourceTags/user:env",
            "resourceTags/user:team",
            "resourceTags/user:cost-center",
            "resourceTags/user:app",
        ] {
            idx(c);
        }
        let col = |n: &str| idx(n);
        let (ty, code, unb, bl, od, rie, spe) = (
            col("lineItem/LineItemType"),
            col("lineItem/ProductCode"),
            col("lineItem/UnblendedCost"),
            col("lineItem/BlendedCost"),
            col("pricing/publicOnDemandCost"),
            col("reservation/EffectiveCost"),
            col("savingsPlan/SavingsPlanEffectiveCost"),
        );
        let (sp_total, sp_used, ri_uu, ri_ur, ri_arn, res) = (
            col("savingsPlan/TotalCommitmentToDate"),
            col("savingsPlan/UsedCommitment"),
            col("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"),
            col("reservation/UnusedRecurringFee"),
            col("reservation/ReservationARN"),
            col("lineItem/ResourceId"),
        );
        let tags: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.starts_with("resourceTags/"))
            .map(|(i, _)| i)
            .collect();
        let mut sums = [Decimal::ZERO; 6];
        let mut by_type = BTreeMap::<String, u64>::new();
        let mut rows = 0;
        for r in rdr.records() {
            let r = r.unwrap();
            rows += 1;
            *by_type.entry(r[ty].to_string()).or_default() += 1;
            all_codes.insert(r[code].to_string());
            for (s, i) in sums.iter_mut().zip([unb, bl, od, rie, spe]) {
                *s += dec(&r[i]);
            }
            let get = |k: &str| match k {
                "sp_effective" => dec(&r[spe]),
                "sp_total" => dec(&r[sp_total]),
                "sp_used" => dec(&r[sp_used]),
                "ri_effective" => dec(&r[rie]),
                "ri_unused_upfront" => dec(&r[ri_uu]),
                "ri_unused_recurring" => dec(&r[ri_ur]),
                _ => dec(&r[unb]),
            };
            sums[5] += effective(&r[ty], &get, !r[ri_arn].is_empty());
            if !r[res].is_empty() {
                with_resource += 1;
                untagged += u64::from(tags.iter().all(|&i| r[i].is_empty()));
            }
        }
        assert_eq!(rows, f.rows);
        assert_eq!(by_type, f.totals.rows_by_type);
        for (s, name) in sums.iter().zip([
            "lineItem/UnblendedCost",
            "lineItem/BlendedCost",
            "pricing/publicOnDemandCost",
            "reservation/EffectiveCost",
            "savingsPlan/SavingsPlanEffectiveCost",
            "EffectiveCost",
        ]) {
            assert_eq!(*s, total(f, name), "{name} in {}", f.path.display());
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(f.manifest.as_ref().unwrap()).unwrap()).unwrap();
        let key = manifest["reportKeys"][0].as_str().unwrap();
        assert!(f.path.to_string_lossy().ends_with(key), "{key}");
        assert_eq!(manifest["columns"].as_array().unwrap().len(), header.len());
    }
    let share = untagged as f64 / with_resource as f64;
    assert!((0.15..0.5).contains(&share), "untagged share {share}");
    assert!(all_codes.len() >= 12, "{all_codes:?}");
}

fn parquet_batches(path: &std::path::Path) -> Vec<RecordBatch> {
    let b = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    b.build().unwrap().map(Result::unwrap).collect()
}

#[test]
fn cur2_parquet_reads_back_with_the_fixed_schema_and_exact_sums() {
    let mut line_types = BTreeSet::new();
    for f in files("aws-cur2-parquet") {
        let batches = parquet_batches(&f.path);
        let schema = batches[0].schema();
        for c in [
            "bill_payer_account_id",
            "line_item_usage_account_id",
            "line_item_line_item_type",
            "line_item_usage_start_date",
            "line_item_unblended_cost",
            "line_item_blended_cost",
            "reservation_effective_cost",
            "savings_plan_savings_plan_effective_cost",
            "product_servicecode",
            "line_item_product_code",
            "product_region_code",
            "product_instance_type",
            "line_item_resource_id",
            "resource_tags",
            "product",
            "cost_category",
            "reservation_reservation_a_r_n",
            "savings_plan_savings_plan_a_r_n",
        ] {
            schema.index_of(c).unwrap_or_else(|_| panic!("missing {c}"));
        }
        assert!(matches!(
            schema
                .field_with_name("line_item_usage_start_date")
                .unwrap()
                .data_type(),
            arrow_schema::DataType::Timestamp(_, _)
        ));
        assert!(matches!(
            schema.field_with_name("resource_tags").unwrap().data_type(),
            arrow_schema::DataType::Map(_, _)
        ));
        let names = [
            "line_item_unblended_cost",
            "line_item_blended_cost",
            "pricing_public_on_demand_cost",
            "reservation_effective_cost",
            "savings_plan_savings_plan_effective_cost",
        ];
        let mut sums = [Decimal::ZERO; 5];
        let mut rows = 0;
        for b in &batches {
            rows += b.num_rows() as u64;
            for (s, n) in sums.iter_mut().zip(names) {
                let a = b.column_by_name(n).unwrap().as_primitive::<Float64Type>();
                for i in 0..a.len() {
                    if a.is_valid(i) {
                        *s += dec_f64(a.value(i));
                    }
                }
            }
            let t = b
                .column_by_name("line_item_line_item_type")
                .unwrap()
                .as_string::<i32>();
            line_types.extend(t.iter().flatten().map(str::to_string));
        }
        assert_eq!(rows, f.rows);
        for (s, n) in sums.iter().zip(names) {
            assert_eq!(*s, total(f, n), "{n} in {}", f.path.display());
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(f.manifest.as_ref().unwrap()).unwrap()).unwrap();
        assert!(
            manifest["dataFiles"][0]
                .as_str()
                .unwrap()
                .ends_with(f.path.file_name().unwrap().to_str().unwrap())
        );
        assert!(f.path.to_string_lossy().contains("/data/BILLING_PERIOD="));
    }
    for t in [
        "Usage",
        "DiscountedUsage",
        "RIFee",
        "Fee",
        "SavingsPlanCoveredUsage",
        "SavingsPlanNegation",
        "SavingsPlanRecurringFee",
        "Tax",
        "Credit",
        "Refund",
    ] {
        assert!(
            line_types.contains(t),
            "no {t} line in CUR 2.0: {line_types:?}"
        );
    }
}

#[test]
fn azure_exports_mirror_the_ea_header_and_sum_exactly() {
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/azure-ea-sample-header.csv"
    ))
    .unwrap();
    let mut saw = BTreeMap::<(&str, String), u64>::new();
    for format in ["azure-ea-actual-csv", "azure-ea-amortized-csv"] {
        for f in files(format) {
            let mut bytes = Vec::new();
            File::open(&f.path)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            assert!(
                bytes.starts_with(&sample),
                "header differs from the EA sample in {}",
                f.path.display()
            );
            let mut rdr = csv::Reader::from_reader(&bytes[3..]);
            let h: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
            let i = |n: &str| h.iter().position(|x| x == n).unwrap();
            let (cost, ct, date, pm, rid) = (
                i("Cost"),
                i("ChargeType"),
                i("Date"),
                i("PricingModel"),
                i("ReservationId"),
            );
            let mut sum = Decimal::ZERO;
            let mut rows = 0;
            for r in rdr.records() {
                let r = r.unwrap();
                rows += 1;
                sum += dec(&r[cost]);
                assert!(
                    chrono::NaiveDate::parse_from_str(&r[date], "%m/%d/%Y").is_ok(),
                    "{}",
                    &r[date]
                );
                let key = if &r[pm] == "Reservation" && &r[ct] == "Usage" {
                    assert!(!r[rid].is_empty());
                    if format.contains("actual") {
                        assert_eq!(dec(&r[cost]), Decimal::ZERO)
                    } else {
                        assert!(dec(&r[cost]) > Decimal::ZERO)
                    }
                    "ReservedUsage".to_string()
                } else {
                    r[ct].to_string()
                };
                *saw.entry((format, key)).or_default() += 1;
            }
            assert_eq!(rows, f.rows);
            assert_eq!(sum, total(f, "Cost"), "{}", f.path.display());
        }
    }
    assert!(saw.contains_key(&("azure-ea-actual-csv", "Purchase".into())));
    assert!(!saw.contains_key(&("azure-ea-amortized-csv", "Purchase".into())));
    assert!(saw.contains_key(&("azure-ea-amortized-csv", "UnusedReservation".into())));
    assert!(saw.contains_key(&("azure-ea-amortized-csv", "ReservedUsage".into())));
    assert_eq!(
        saw[&("azure-ea-actual-csv", "Usage".into())],
        saw[&("azure-ea-amortized-csv", "Usage".into())]
    );
}

#[test]
fn gcp_jsonl_has_the_bigquery_schema_and_exact_sums() {
    let mut credit_types = BTreeSet::new();
    // A larger Google-only run, so that every kind of credit occurs.
    let dir = tempfile::tempdir().unwrap();
    let out = crate::run(
        &crate::spec(7, 30_000, skyledger_demo::Formats::GCP),
        dir.path(),
    );
    for f in files("gcp-billing-jsonl").into_iter().chain(&out.files) {
        let (mut cost, mut credits, mut rows) = (Decimal::ZERO, Decimal::ZERO, 0u64);
        let (y, m) = f.billing_period;
        let month = format!("{y:04}{m:02}");
        for line in BufReader::new(File::open(&f.path).unwrap()).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            rows += 1;
            for k in [
                "billing_account_id",
                "service",
                "sku",
                "usage_start_time",
                "usage_end_time",
                "project",
                "labels",
                "system_labels",
                "location",
                "resource",
                "export_time",
                "cost",
                "currency",
                "currency_conversion_rate",
                "usage",
                "credits",
                "invoice",
                "cost_type",
                "adjustment_info",
                "cost_at_list",
            ] {
                assert!(v.get(k).is_some(), "missing {k}");
            }
            assert_eq!(v["invoice"]["month"], month.as_str());
            assert!(
                v["project"]["ancestry_numbers"]
                    .as_str()
                    .unwrap()
                    .starts_with('/')
            );
            let id = v["billing_account_id"].as_str().unwrap();
            assert_eq!(id.len(), 20);
            cost += dec_f64(v["cost"].as_f64().unwrap());
            for c in v["credits"].as_array().unwrap() {
                credits += dec_f64(c["amount"].as_f64().unwrap());
                credit_types.insert(c["type"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(rows, f.rows);
        assert_eq!(cost, total(f, "cost"));
        assert_eq!(credits, total(f, "credits.amount"));
        assert!(credits < Decimal::ZERO);
    }
    for t in [
        "SUSTAINED_USAGE_DISCOUNT",
        "COMMITTED_USAGE_DISCOUNT",
        "PROMOTION",
    ] {
        assert!(credit_types.contains(t), "{credit_types:?}");
    }
}

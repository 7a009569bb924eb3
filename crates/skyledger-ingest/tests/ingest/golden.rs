//! Golden sums: every provider sample and FOCUS sample against `shared/data/README.md`.

use skyledger_ingest::{Format, ReadOptions};

use crate::util::{csv_column_sum, dec, fixture, read, read_with};

#[test]
fn focus_sample_1000_matches_the_readme() {
    let r = read(&fixture("focus/focus_sample_1000.csv"));
    assert_eq!(r.format, Format::Focus);
    assert_eq!(r.rows(), 1000);
    assert_eq!(r.sum("BilledCost", None), dec("20.52022672899"));
    assert_eq!(r.sum("EffectiveCost", None), dec("14.97651418586"));
    for (provider, billed, effective) in [
        ("AWS", "18.00663861840", "13.00000000000"),
        ("Microsoft", "1.97651418586", "1.97651418586"),
        ("Oracle", "0.53707392473", "0"),
    ] {
        let f = Some(("ProviderName", provider));
        assert_eq!(r.sum("BilledCost", f), dec(billed), "{provider}");
        assert_eq!(r.sum("EffectiveCost", f), dec(effective), "{provider}");
    }
    assert_eq!(r.count("ChargeCategory", "Usage"), 997);
    assert_eq!(r.count("ChargeCategory", "Adjustment"), 2);
    assert_eq!(r.count("ChargeCategory", "Credit"), 1);
    assert_eq!(r.distinct("SubAccountId").len(), 73);
    assert_eq!(r.distinct("ServiceName").len(), 33);
    let tagged: usize = r
        .batches
        .iter()
        .map(|b| {
            b.column_by_name("Tags").unwrap().len() - b.column_by_name("Tags").unwrap().null_count()
        })
        .sum();
    assert_eq!(tagged, 711);
    assert_eq!(r.stats.currencies(), vec!["USD"]);
}

#[test]
fn aws_legacy_cur_matches_the_readme() {
    let r = read(&fixture(
        "aws/cur-legacy-sample-anonymous-aws-export-dataset.csv",
    ));
    assert_eq!(r.format, Format::AwsCur);
    assert_eq!(r.rows(), 1281);
    assert_eq!(r.sum("x_UnblendedCost", None), dec("1.68230869740"));
    assert_eq!(r.count("x_LineItemType", "Usage"), 1269);
    assert_eq!(r.count("ChargeCategory", "Tax"), 12);
    assert_eq!(r.distinct("SubAccountId").len(), 1);
    assert_eq!(r.distinct("x_ServiceCode").len(), 14);
    assert_eq!(r.stats.currencies(), vec!["USD"]);
}

#[test]
fn azure_ea_export_matches_the_readme() {
    let r = read(&fixture("azure/ea-export-sample-anonymous.csv"));
    assert_eq!(r.format, Format::Azure);
    assert_eq!(r.rows(), 27);
    assert_eq!(r.sum("BilledCost", None), dec("1.26136926505726"));
    assert_eq!(r.count("ChargeCategory", "Usage"), 27);
    assert_eq!(r.stats.currencies(), vec!["CAD"]);
}

#[test]
fn azure_actual_cost_matches_the_readme() {
    let r = read(&fixture("azure/finops-toolkit-EA_ActualCost_Small.csv"));
    assert_eq!(r.rows(), 11);
    assert_eq!(r.sum("BilledCost", None), dec("8.5450077867419368"));
    assert_eq!(r.count("ChargeCategory", "Usage"), 10);
    assert_eq!(r.count("ChargeCategory", "Purchase"), 1);
    assert_eq!(r.stats.currencies(), vec!["USD"]);
}

#[test]
fn azure_amortized_cost_matches_the_readme_to_every_digit() {
    let r = read(&fixture("azure/finops-toolkit-EA_AmortizedCost_Small.csv"));
    assert_eq!(r.rows(), 28);
    assert_eq!(
        r.sum("EffectiveCost", None),
        dec("16.29693213663664462748541900")
    );
    assert_eq!(
        r.sum("x_AmortizedCost", None),
        dec("16.29693213663664462748541900")
    );
    assert_eq!(r.count("ChargeCategory", "Usage"), 28);
}

#[test]
fn oci_cost_report_matches_the_readme() {
    let r = read(&fixture(
        "oci/oci-cost-report-reports_cost-csv_0000000030000269.csv",
    ));
    assert_eq!(r.format, Format::Oci);
    assert_eq!(r.rows(), 506);
    assert_eq!(r.sum("BilledCost", None), dec("2.523589325400648027"));
    assert_eq!(r.stats.currencies(), vec!["USD"]);
}

/// The FOCUS 1.2 spec examples: each file's documented BilledCost and EffectiveCost.
#[test]
fn focus_spec_examples_give_their_documented_costs() {
    let root = fixture("focus/spec-examples-v1.2");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "csv") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 20, "{}", files.len());
    // The examples carry only the columns they illustrate.
    let opts = ReadOptions {
        column_defaults: vec![
            ("BillingAccountId".into(), "example".into()),
            ("BillingCurrency".into(), "USD".into()),
            ("ProviderName".into(), "Example".into()),
        ],
        format: Some(Format::Focus),
        ..Default::default()
    };
    let mut rejected = Vec::new();
    for f in &files {
        let r = match read_with(f, &opts) {
            Ok(r) => r,
            Err(e) => {
                rejected.push(e.to_string());
                continue;
            }
        };
        assert_eq!(
            r.sum("BilledCost", None),
            csv_column_sum(f, "BilledCost"),
            "{}",
            f.display()
        );
        assert_eq!(
            r.sum("EffectiveCost", None),
            csv_column_sum(f, "EffectiveCost"),
            "{}",
            f.display()
        );
    }
    // Two purchase scenarios end a charge period at hour 30 (`2023-02-01T30:00:00Z`), which is
    // not a time; the reader refuses them, naming the row and column, rather than guessing.
    assert_eq!(rejected.len(), 2, "{rejected:#?}");
    rejected.sort();
    assert!(rejected[0].ends_with(
        "commitment_discount_purchase_scenario_2.csv:4:ChargePeriodEnd: not a date/time: \"2023-02-01T30:00:00Z\""
    ), "{}", rejected[0]);
    assert!(rejected[1].ends_with(
        "commitment_discount_purchase_scenario_3.csv:5:ChargePeriodEnd: not a date/time: \"2023-02-01T30:00:00Z\""
    ), "{}", rejected[1]);
}

/// Hand-made CUR 2.0 fixture (see `tests/fixtures/README.md`); sums worked out by hand.
#[test]
fn cur2_parquet_fixture_gives_every_cost_type() {
    let r = read(&fixture("aws/cur2-data-export-sample.snappy.parquet"));
    assert_eq!(r.format, Format::AwsCur2);
    assert_eq!(r.rows(), 13);
    assert_eq!(r.sum("x_UnblendedCost", None), dec("393.0755"));
    assert_eq!(r.sum("x_BlendedCost", None), dec("393.1245"));
    assert_eq!(r.sum("x_AmortizedCost", None), dec("-15.8410"));
    assert_eq!(r.sum("EffectiveCost", None), dec("-15.8410"));
    // Upfront fee (300), credit (-25) and refund (-3) are one-time.
    assert_eq!(r.sum("x_RecurringCost", None), dec("121.0755"));
    assert_eq!(r.count("ChargeCategory", "Purchase"), 3);
    assert_eq!(r.count("ChargeCategory", "Tax"), 1);
    assert_eq!(r.count("ChargeCategory", "Credit"), 1);
    assert_eq!(r.count("ChargeCategory", "Adjustment"), 1);
    assert_eq!(r.count("PublisherName", "Example Software LLC"), 1);
    assert_eq!(r.count("x_InstanceType", "c6g.xlarge"), 2);
    assert_eq!(r.distinct("SubAccountId").len(), 2);
    let s = &r.stats;
    let usd = &s.totals["USD"];
    assert_eq!(usd.unblended, 393_0755 * 10i128.pow(20));
    assert_eq!(s.billing_periods.len(), 1);
    assert_eq!(
        s.billing_account_ids.iter().collect::<Vec<_>>(),
        vec!["111122223333"]
    );
}

/// Hand-made GCP BigQuery exports (JSON lines standard and detailed, flattened CSV).
#[test]
fn gcp_exports_give_billed_cost_after_credits() {
    for f in [
        "gcp/gcp-billing-export-detailed.jsonl",
        "gcp/gcp-billing-export-standard.jsonl",
        "gcp/gcp-billing-export-detailed.csv",
    ] {
        let r = read(&fixture(f));
        assert_eq!(r.format, Format::Gcp, "{f}");
        assert_eq!(r.rows(), 8, "{f}");
        assert_eq!(r.sum("ContractedCost", None), dec("1.8194966789"), "{f}");
        assert_eq!(r.sum("x_Credits", None), dec("-0.06653"), "{f}");
        assert_eq!(r.sum("BilledCost", None), dec("1.7529666789"), "{f}");
        assert_eq!(r.count("ChargeCategory", "Tax"), 1, "{f}");
        assert_eq!(r.count("ChargeCategory", "Adjustment"), 1, "{f}");
        assert_eq!(r.count("ChargeCategory", "Credit"), 1, "{f}");
        // Usage from 2024-02-01 00:00 invoiced in January stays in January's period.
        assert_eq!(r.stats.billing_periods.len(), 2, "{f}");
        assert_eq!(r.distinct("SubAccountId").len(), 2, "{f}");
    }
}

//! Every generated file read through the real readers (`skyledger_ingest`): same rows, same
//! totals as the generator reports.

use rust_decimal::Decimal;
use skyledger_demo::GeneratedFile;
use skyledger_ingest::{ReadOptions, ReadStats, open};

use crate::shared;

/// The readers' totals are scaled by 10^24 (`skyledger_types::cost_row::MONEY_SCALE`).
fn money(v: i128) -> Decimal {
    // 10^16 keeps the value inside Decimal's 96-bit mantissa; the generator writes 8 decimals.
    let scaled = v / 10i128.pow(16);
    assert_eq!(
        scaled * 10i128.pow(16),
        v,
        "more than 8 decimals in a reader total"
    );
    Decimal::from_i128_with_scale(scaled, 8)
}

fn read(f: &GeneratedFile) -> ReadStats {
    let mut r = open(&f.path, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", f.path.display()));
    for b in r.by_ref() {
        b.unwrap_or_else(|e| panic!("{}: {e}", f.path.display()));
    }
    r.stats()
}

fn sum(f: &GeneratedFile, k: &str) -> Decimal {
    f.totals.sums[k]
}

#[test]
fn readers_see_the_rows_and_totals_the_generator_wrote() {
    let (_, out) = shared();
    for f in &out.files {
        let stats = read(f);
        assert_eq!(stats.rows, f.rows, "rows of {}", f.path.display());
        let t = &stats.totals["USD"];
        let (billed, effective) = (money(t.billed), money(t.effective));
        match f.format {
            "aws-cur-csv-gz" | "aws-cur2-parquet" => {
                let (unb, bl) = if f.format == "aws-cur-csv-gz" {
                    ("lineItem/UnblendedCost", "lineItem/BlendedCost")
                } else {
                    ("line_item_unblended_cost", "line_item_blended_cost")
                };
                assert_eq!(
                    money(t.unblended),
                    sum(f, unb),
                    "unblended {}",
                    f.path.display()
                );
                assert_eq!(billed, sum(f, unb), "billed {}", f.path.display());
                assert_eq!(money(t.blended), sum(f, bl), "blended {}", f.path.display());
                assert_eq!(
                    effective,
                    sum(f, "EffectiveCost"),
                    "amortized {}",
                    f.path.display()
                );
            }
            "azure-ea-actual-csv" => assert_eq!(billed, sum(f, "Cost"), "{}", f.path.display()),
            "azure-ea-amortized-csv" => {
                assert_eq!(effective, sum(f, "Cost"), "{}", f.path.display())
            }
            "gcp-billing-jsonl" => {
                // The reader bills `cost` net of credits (its documented reading; credits are
                // negative), and no row's credits exceed its cost.
                let net = sum(f, "cost") + sum(f, "credits.amount");
                assert_eq!(billed, net, "{}", f.path.display());
                assert_eq!(effective, net, "{}", f.path.display());
                assert_eq!(
                    money(t.list),
                    sum(f, "cost_at_list"),
                    "{}",
                    f.path.display()
                );
            }
            other => panic!("unexpected format {other}"),
        }
    }
}

/// Each generated CUR manifest (legacy assembly folder, Data Exports `metadata/` beside
/// `data/`) opens as a delivery of exactly its data file, with all of its rows.
#[test]
fn cur_manifests_open_as_deliveries() {
    let (_, out) = shared();
    for f in out.files.iter().filter(|f| f.format.starts_with("aws-")) {
        let m = f.manifest.as_ref().unwrap();
        let mut r =
            open(m, &ReadOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", m.display()));
        for b in r.by_ref() {
            b.unwrap_or_else(|e| panic!("{}: {e}", m.display()));
        }
        let stats = r.stats();
        assert_eq!(stats.rows, f.rows, "rows through {}", m.display());
        assert_eq!(stats.files.len(), 1, "{:?}", stats.files);
    }
}

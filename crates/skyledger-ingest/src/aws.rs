//! AWS Cost and Usage Reports: legacy CUR (`lineItem/…` names, CSV/gz/zip) and CUR 2.0 / Data Exports (snake_case, Parquet).

use std::collections::HashMap;
use std::sync::OnceLock;

use skyledger_types::cost_row::{MONEY_SCALE, QUANTITY_SCALE, SourceFormat};

use crate::columnar::{MappedColumns, SourceColumns};
use crate::header::Header;
use crate::row::{CellError, RowStage, c, money_sum};
use crate::source::{Fields, Mapper, dec, g};

mod columnar;

/// The CUR 2.0 / Athena name of a legacy CUR column: `lineItem/UnblendedCost` →
/// `line_item_unblended_cost`, `savingsPlan/SavingsPlanARN` → `savings_plan_savings_plan_a_r_n`
/// (AWS splits every capital, hence `a_r_n`).
pub fn snake_name(legacy: &str) -> String {
    let mut out = String::with_capacity(legacy.len() + 8);
    for (i, ch) in legacy.chars().enumerate() {
        if ch == '/' {
            out.push('_');
        } else if ch.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Service categories by product code (focus_converters `aws_category_mapping.csv`, MIT).
fn service_category(product_code: &str) -> &'static str {
    static MAP: OnceLock<Mapping> = OnceLock::new();
    MAP.get_or_init(|| parse_mapping(include_str!("mappings/aws_category_mapping.csv")))
        .get(product_code)
        .copied()
        .unwrap_or("Other")
}

/// A mapping looked up for every line item: hashed with aHash (the hasher arrow builds
/// anyway) rather than std's SipHash, which took ~280 instructions a lookup.
pub(crate) type Mapping = HashMap<&'static str, &'static str, ahash::RandomState>;

/// Parse a two-column `key,value` mapping file (header skipped).
pub(crate) fn parse_mapping(text: &'static str) -> Mapping {
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

macro_rules! cols {
    ($($field:ident = $name:literal),* $(,)?) => {
        #[derive(Default)]
        struct Cols { $($field: Option<usize>,)* }
        fn resolve(h: &mut Header) -> Cols {
            Cols { $($field: { let s = snake_name($name); h.find(&[$name, s.as_str()]) },)* }
        }
    };
}

cols!(
    payer = "bill/PayerAccountId",
    payer_name = "bill/PayerAccountName",
    invoice_id = "bill/InvoiceId",
    invoicing_entity = "bill/InvoicingEntity",
    billing_entity = "bill/BillingEntity",
    bill_type = "bill/BillType",
    bp_start = "bill/BillingPeriodStartDate",
    bp_end = "bill/BillingPeriodEndDate",
    usage_account = "lineItem/UsageAccountId",
    usage_account_name = "lineItem/UsageAccountName",
    item_type = "lineItem/LineItemType",
    start = "lineItem/UsageStartDate",
    end = "lineItem/UsageEndDate",
    product_code = "lineItem/ProductCode",
    usage_type = "lineItem/UsageType",
    operation = "lineItem/Operation",
    az = "lineItem/AvailabilityZone",
    resource_id = "lineItem/ResourceId",
    usage_amount = "lineItem/UsageAmount",
    currency = "lineItem/CurrencyCode",
    unblended_rate = "lineItem/UnblendedRate",
    unblended = "lineItem/UnblendedCost",
    net_unblended = "lineItem/NetUnblendedCost",
    blended = "lineItem/BlendedCost",
    description = "lineItem/LineItemDescription",
    legal_entity = "lineItem/LegalEntity",
    product_name = "product/ProductName",
    instance_type = "product/instanceType",
    product_family = "product/productFamily",
    region = "product/region",
    region_code = "product/regionCode",
    location = "product/location",
    sku = "product/sku",
    purchase_option = "product/PurchaseOption",
    rate_code = "pricing/RateCode",
    rate_id = "pricing/RateId",
    public_cost = "pricing/publicOnDemandCost",
    public_rate = "pricing/publicOnDemandRate",
    term = "pricing/term",
    unit = "pricing/unit",
    ri_arn = "reservation/ReservationARN",
    ri_effective = "reservation/EffectiveCost",
    ri_unused_upfront = "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    ri_unused_recurring = "reservation/UnusedRecurringFee",
    ri_total_units = "reservation/TotalReservedUnits",
    sp_arn = "savingsPlan/SavingsPlanARN",
    sp_effective = "savingsPlan/SavingsPlanEffectiveCost",
    sp_total_commitment = "savingsPlan/TotalCommitmentToDate",
    sp_used_commitment = "savingsPlan/UsedCommitment",
);

pub struct AwsMapper {
    format: SourceFormat,
    k: Cols,
    /// Legacy `resourceTags/user:Key` (and Athena `resource_tags_user_key`) columns.
    tag_cols: Vec<(usize, String)>,
    /// CUR 2.0 `resource_tags` map column.
    tag_map: Option<usize>,
    /// CUR 2.0 `product` map column (instance type etc. when not flattened).
    product_map: Option<usize>,
    /// Bit `i` set: output column `i` is taken whole from its source column by the reader.
    passed: u128,
}

impl AwsMapper {
    pub fn new(format: SourceFormat, h: &mut Header) -> Result<Self, String> {
        let k = resolve(h);
        for (v, name) in [
            (k.payer, "bill/PayerAccountId"),
            (k.item_type, "lineItem/LineItemType"),
            (k.start, "lineItem/UsageStartDate"),
            (k.unblended, "lineItem/UnblendedCost"),
            (k.currency, "lineItem/CurrencyCode"),
        ] {
            if v.is_none() {
                return Err(if format == SourceFormat::AwsCur2 {
                    snake_name(name)
                } else {
                    name.into()
                });
            }
        }
        let mut tag_cols: Vec<(usize, String)> = h
            .prefixed("resourceTags/")
            .into_iter()
            .map(|(i, k)| (i, k.strip_prefix("user:").unwrap_or(&k).to_string()))
            .collect();
        tag_cols.extend(h.prefixed("resource_tags_").into_iter().map(|(i, k)| {
            let k = k.strip_prefix("user_").unwrap_or(&k).to_string();
            (i, k)
        }));
        let tag_map = h.find(&["resource_tags"]);
        let product_map = h.find(&["product"]);
        Ok(Self {
            format,
            k,
            tag_cols,
            tag_map,
            product_map,
            passed: 0,
        })
    }
}

fn money(row: &dyn Fields, c: Option<usize>, name: &str) -> Result<Option<i128>, CellError> {
    dec(row, c, MONEY_SCALE as u32, name)
}

fn money_or_zero(row: &dyn Fields, c: Option<usize>, name: &str) -> Result<i128, CellError> {
    Ok(money(row, c, name)?.unwrap_or(0))
}

// `AwsMapper::passed` has a bit per output column.
const _: () = assert!(crate::row::NCOLS <= 128);

/// Output columns that copy one source column as they are, with that column.
fn plain_copies(k: &Cols) -> [(usize, Option<usize>); 14] {
    [
        (c::BILLING_ACCOUNT_NAME, k.payer_name),
        (c::SUB_ACCOUNT_NAME, k.usage_account_name),
        (c::INVOICE_ID, k.invoice_id),
        (c::X_LINE_ITEM_TYPE, k.item_type),
        (c::CHARGE_DESCRIPTION, k.description),
        (c::CONSUMED_UNIT, k.unit),
        (c::PRICING_UNIT, k.unit),
        (c::X_SERVICE_CODE, k.product_code),
        (c::X_USAGE_TYPE, k.usage_type),
        (c::X_OPERATION, k.operation),
        (c::REGION_NAME, k.location),
        (c::AVAILABILITY_ZONE, k.az),
        (c::SKU_ID, k.sku),
        (c::RESOURCE_ID, k.resource_id),
    ]
}

impl Mapper for AwsMapper {
    fn format(&self) -> SourceFormat {
        self.format
    }

    fn pass_through(&mut self, is_text: &dyn Fn(usize) -> bool) -> Vec<(usize, usize)> {
        let pairs: Vec<(usize, usize)> = plain_copies(&self.k)
            .into_iter()
            .filter_map(|(out, src)| Some((out, src.filter(|&s| is_text(s))?)))
            .collect();
        self.passed = pairs.iter().fold(0, |m, &(out, _)| m | 1u128 << out);
        pairs
    }

    fn map_columns(&mut self, src: &dyn SourceColumns) -> Option<MappedColumns> {
        self.columns(src)
    }

    fn map_row(&mut self, row: &dyn Fields, st: &mut RowStage) -> Result<(), CellError> {
        let k = &self.k;
        let passed = self.passed;
        let staged = |col: usize| passed & (1u128 << col) == 0;
        st.text(c::PROVIDER_NAME, "AWS");
        st.opt_text(c::BILLING_ACCOUNT_ID, g(row, k.payer));
        if staged(c::BILLING_ACCOUNT_NAME) {
            st.opt_text(c::BILLING_ACCOUNT_NAME, g(row, k.payer_name));
        }
        st.opt_text(c::SUB_ACCOUNT_ID, g(row, k.usage_account));
        if staged(c::SUB_ACCOUNT_NAME) {
            st.opt_text(c::SUB_ACCOUNT_NAME, g(row, k.usage_account_name));
        }
        st.opt_text(c::BILLING_CURRENCY, g(row, k.currency));
        if staged(c::INVOICE_ID) {
            st.opt_text(c::INVOICE_ID, g(row, k.invoice_id));
        }
        st.opt_text(
            c::INVOICE_ISSUER_NAME,
            g(row, k.invoicing_entity).or(g(row, k.legal_entity)),
        );
        // Marketplace rows: bill/BillingEntity = "AWS Marketplace", the seller in LegalEntity.
        st.opt_text(
            c::PUBLISHER_NAME,
            g(row, k.legal_entity).or(g(row, k.billing_entity)),
        );
        st.ts_of(
            c::BILLING_PERIOD_START,
            "bill/BillingPeriodStartDate",
            row,
            k.bp_start,
        )?;
        st.ts_of(
            c::BILLING_PERIOD_END,
            "bill/BillingPeriodEndDate",
            row,
            k.bp_end,
        )?;
        st.ts_of(
            c::CHARGE_PERIOD_START,
            "lineItem/UsageStartDate",
            row,
            k.start,
        )?;
        st.ts_of(c::CHARGE_PERIOD_END, "lineItem/UsageEndDate", row, k.end)?;

        let item_type = g(row, k.item_type).unwrap_or("");
        if staged(c::X_LINE_ITEM_TYPE) {
            st.text(c::X_LINE_ITEM_TYPE, item_type);
        }
        let bill_type = g(row, k.bill_type).unwrap_or("");
        // spec mapping: focus_converters aws-cur.csv ChargeCategory; Credit is its own
        // category in FOCUS 1.2, a Refund corrects earlier charges.
        let (category, class) = match item_type {
            "Tax" => ("Tax", None),
            "Fee" | "RIFee" | "SavingsPlanUpfrontFee" | "SavingsPlanRecurringFee" => {
                ("Purchase", None)
            }
            "Credit" => ("Credit", None),
            "Refund" => ("Adjustment", Some("Correction")),
            _ => ("Usage", None),
        };
        st.text(c::CHARGE_CATEGORY, category);
        st.opt_text(c::CHARGE_CLASS, class);
        let frequency = match item_type {
            "RIFee" | "SavingsPlanRecurringFee" => "Recurring",
            "Fee" | "SavingsPlanUpfrontFee" | "Credit" | "Refund" => "One-Time",
            "Tax" if bill_type == "Purchase" || bill_type == "Refund" => "One-Time",
            "Tax" => "Recurring",
            _ => "Usage-Based",
        };
        st.text(c::CHARGE_FREQUENCY, frequency);
        if staged(c::CHARGE_DESCRIPTION) {
            st.opt_text(c::CHARGE_DESCRIPTION, g(row, k.description));
        }

        let unblended = money_or_zero(row, k.unblended, "lineItem/UnblendedCost")?;
        let billed = money(row, k.net_unblended, "lineItem/NetUnblendedCost")?.unwrap_or(unblended);
        let blended = money(row, k.blended, "lineItem/BlendedCost")?.unwrap_or(unblended);
        // spec mapping: focus_converters aws-cur.csv EffectiveCost.
        let effective = match item_type {
            "SavingsPlanCoveredUsage" => {
                money_or_zero(row, k.sp_effective, "savingsPlan/SavingsPlanEffectiveCost")?
            }
            "SavingsPlanRecurringFee" => {
                let total = "savingsPlan/TotalCommitmentToDate";
                let used = "savingsPlan/UsedCommitment";
                money_sum(
                    money_or_zero(row, k.sp_total_commitment, total)?,
                    -money_or_zero(row, k.sp_used_commitment, used)?,
                    total,
                    used,
                )?
            }
            "SavingsPlanNegation" | "SavingsPlanUpfrontFee" => 0,
            "DiscountedUsage" => money_or_zero(row, k.ri_effective, "reservation/EffectiveCost")?,
            "RIFee" => {
                let upfront = "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod";
                let recurring = "reservation/UnusedRecurringFee";
                money_sum(
                    money_or_zero(row, k.ri_unused_upfront, upfront)?,
                    money_or_zero(row, k.ri_unused_recurring, recurring)?,
                    upfront,
                    recurring,
                )?
            }
            "Fee" if g(row, k.ri_arn).is_some() => 0,
            _ => billed,
        };
        st.dec(c::BILLED_COST, billed);
        st.dec(c::EFFECTIVE_COST, effective);
        st.dec(c::X_UNBLENDED_COST, unblended);
        st.dec(c::X_BLENDED_COST, blended);
        st.dec(c::X_AMORTIZED_COST, effective);
        st.dec(c::CONTRACTED_COST, unblended);
        st.money_of(
            c::CONTRACTED_UNIT_PRICE,
            "lineItem/UnblendedRate",
            row,
            k.unblended_rate,
        )?;
        st.money_of(
            c::LIST_COST,
            "pricing/publicOnDemandCost",
            row,
            k.public_cost,
        )?;
        st.money_of(
            c::LIST_UNIT_PRICE,
            "pricing/publicOnDemandRate",
            row,
            k.public_rate,
        )?;
        if let Some(q) = dec(
            row,
            k.usage_amount,
            QUANTITY_SCALE as u32,
            "lineItem/UsageAmount",
        )? {
            st.dec(c::CONSUMED_QUANTITY, q);
            st.dec(c::PRICING_QUANTITY, q);
        }
        if staged(c::CONSUMED_UNIT) {
            st.opt_text(c::CONSUMED_UNIT, g(row, k.unit));
        }
        if staged(c::PRICING_UNIT) {
            st.opt_text(c::PRICING_UNIT, g(row, k.unit));
        }
        let _ = k.ri_total_units;

        // CUR 2.0 keeps most product attributes in the `product` map; a flattened column
        // wins over the map, the last non-empty map entry over earlier ones.
        let code = g(row, k.product_code).unwrap_or("");
        let flat_name = g(row, k.product_name);
        let flat_type = g(row, k.instance_type);
        let flat_family = g(row, k.product_family);
        let mut mapped_name = false;
        if let Some(pm) = self.product_map {
            row.map_entries(pm, &mut |key, v| {
                if v.is_empty() {
                    return;
                }
                match key {
                    "product_name" if flat_name.is_none() => {
                        st.text(c::SERVICE_NAME, v);
                        mapped_name = true;
                    }
                    "instance_type" if flat_type.is_none() => st.text(c::X_INSTANCE_TYPE, v),
                    "product_family" if flat_family.is_none() => st.text(c::X_PRODUCT_FAMILY, v),
                    _ => {}
                }
            });
        }
        if staged(c::X_SERVICE_CODE) {
            st.text(c::X_SERVICE_CODE, code);
        }
        if !mapped_name {
            st.text(c::SERVICE_NAME, flat_name.unwrap_or(code));
        }
        st.text(c::SERVICE_CATEGORY, service_category(code));
        if staged(c::X_USAGE_TYPE) {
            st.opt_text(c::X_USAGE_TYPE, g(row, k.usage_type));
        }
        if staged(c::X_OPERATION) {
            st.opt_text(c::X_OPERATION, g(row, k.operation));
        }
        st.opt_text(c::X_PRODUCT_FAMILY, flat_family);
        st.opt_text(c::X_INSTANCE_TYPE, flat_type);
        st.opt_text(c::REGION_ID, g(row, k.region_code).or(g(row, k.region)));
        if staged(c::REGION_NAME) {
            st.opt_text(c::REGION_NAME, g(row, k.location));
        }
        if staged(c::AVAILABILITY_ZONE) {
            st.opt_text(c::AVAILABILITY_ZONE, g(row, k.az));
        }
        if let Some(rid) = g(row, k.resource_id) {
            if staged(c::RESOURCE_ID) {
                st.text(c::RESOURCE_ID, rid);
            }
            // After the last `:` or `/` (both ASCII, so a char boundary follows).
            let name = match rid.bytes().rposition(|b| b == b':' || b == b'/') {
                Some(i) => &rid[i + 1..],
                None => rid,
            };
            st.text(c::RESOURCE_NAME, name);
        }
        if staged(c::SKU_ID) {
            st.opt_text(c::SKU_ID, g(row, k.sku));
        }
        st.opt_text(c::SKU_PRICE_ID, g(row, k.rate_code).or(g(row, k.rate_id)));
        st.opt_text(
            c::PRICING_CATEGORY,
            match (g(row, k.purchase_option), g(row, k.term)) {
                (Some("Spot Instances"), _) | (_, Some("Spot")) => Some("Dynamic"),
                (Some("Reserved Instances"), _) | (_, Some("Reserved")) => Some("Committed"),
                (Some("On-Demand"), _) | (_, Some("OnDemand")) => Some("Standard"),
                _ => None,
            },
        );
        if let Some(arn) = g(row, k.sp_arn) {
            st.text(c::COMMITMENT_DISCOUNT_ID, arn);
            st.text(c::COMMITMENT_DISCOUNT_CATEGORY, "Spend");
            st.text(c::COMMITMENT_DISCOUNT_TYPE, "Savings Plan");
        } else if let Some(arn) = g(row, k.ri_arn) {
            st.text(c::COMMITMENT_DISCOUNT_ID, arn);
            st.text(c::COMMITMENT_DISCOUNT_CATEGORY, "Usage");
            st.text(c::COMMITMENT_DISCOUNT_TYPE, "Reserved Instance");
        }
        if matches!(item_type, "SavingsPlanCoveredUsage" | "DiscountedUsage") {
            st.text(c::COMMITMENT_DISCOUNT_STATUS, "Used");
        }

        for (i, key) in &self.tag_cols {
            if let Some(v) = row.get(*i) {
                st.tag(key, v);
            }
        }
        if let Some(m) = self.tag_map {
            row.map_entries(m, &mut |key, v| {
                let key = key.strip_prefix("user_").unwrap_or(key);
                st.tag(key, v);
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_names_become_cur2_names() {
        assert_eq!(
            snake_name("lineItem/UnblendedCost"),
            "line_item_unblended_cost"
        );
        assert_eq!(
            snake_name("savingsPlan/SavingsPlanARN"),
            "savings_plan_savings_plan_a_r_n"
        );
        assert_eq!(snake_name("bill/PayerAccountId"), "bill_payer_account_id");
        assert_eq!(snake_name("product/servicecode"), "product_servicecode");
        assert_eq!(
            snake_name("pricing/publicOnDemandCost"),
            "pricing_public_on_demand_cost"
        );
    }

    #[test]
    fn product_codes_have_categories() {
        assert_eq!(service_category("AmazonEC2"), "Compute");
        assert_eq!(service_category("NoSuchService"), "Other");
    }
}

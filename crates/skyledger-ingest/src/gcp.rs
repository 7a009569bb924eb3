//! Google Cloud BigQuery billing export (standard and detailed resource-level), JSON lines or CSV.

use std::sync::OnceLock;

use skyledger_types::cost_row::SourceFormat;

use crate::aws::{Mapping, parse_mapping};
use crate::header::Header;
use crate::row::{CellError, RowStage, c, money_sum, parse_money};
use crate::source::{Fields, Mapper, g};
use crate::time::date_micros;

/// The export fields read from each JSON line (BigQuery export schema, dotted paths).
pub const JSON_PATHS: &[&str] = &[
    "billing_account_id",
    "service.id",
    "service.description",
    "sku.id",
    "sku.description",
    "usage_start_time",
    "usage_end_time",
    "project.id",
    "project.name",
    "labels",
    "location.location",
    "location.region",
    "location.zone",
    "resource.name",
    "resource.global_name",
    "cost",
    "currency",
    "usage.amount",
    "usage.unit",
    "usage.amount_in_pricing_units",
    "usage.pricing_unit",
    "credits",
    "invoice.month",
    "cost_type",
    "price.effective_price",
    "cost_at_list",
];

/// Service categories by service description (focus_converters `gcp_category_mapping.csv`, MIT).
fn service_category(description: &str) -> &'static str {
    static MAP: OnceLock<Mapping> = OnceLock::new();
    MAP.get_or_init(|| parse_mapping(include_str!("mappings/gcp_category_mapping.csv")))
        .get(description)
        .copied()
        .unwrap_or("Other")
}

pub struct GcpMapper {
    account: usize,
    start: usize,
    end: Option<usize>,
    cost: usize,
    currency: usize,
    service_id: Option<usize>,
    service: Option<usize>,
    sku_id: Option<usize>,
    sku: Option<usize>,
    project_id: Option<usize>,
    project_name: Option<usize>,
    labels: Option<usize>,
    location: Option<usize>,
    region: Option<usize>,
    zone: Option<usize>,
    resource_name: Option<usize>,
    resource_global: Option<usize>,
    usage_amount: Option<usize>,
    usage_unit: Option<usize>,
    pricing_amount: Option<usize>,
    pricing_unit: Option<usize>,
    credits: Option<usize>,
    invoice_month: Option<usize>,
    cost_type: Option<usize>,
    price: Option<usize>,
    cost_at_list: Option<usize>,
}

/// Find `a.b` also as `a_b` (CSV exports of flattened query results).
fn f(h: &mut Header, path: &str) -> Option<usize> {
    let flat = path.replace('.', "_");
    h.find(&[path, flat.as_str()])
}

fn need(h: &mut Header, path: &str) -> Result<usize, String> {
    f(h, path).ok_or_else(|| path.to_string())
}

impl GcpMapper {
    pub fn new(h: &mut Header) -> Result<Self, String> {
        Ok(Self {
            account: need(h, "billing_account_id")?,
            start: need(h, "usage_start_time")?,
            end: f(h, "usage_end_time"),
            cost: need(h, "cost")?,
            currency: need(h, "currency")?,
            service_id: f(h, "service.id"),
            service: f(h, "service.description"),
            sku_id: f(h, "sku.id"),
            sku: f(h, "sku.description"),
            project_id: f(h, "project.id"),
            project_name: f(h, "project.name"),
            labels: f(h, "labels"),
            location: f(h, "location.location"),
            region: f(h, "location.region"),
            zone: f(h, "location.zone"),
            resource_name: f(h, "resource.name"),
            resource_global: f(h, "resource.global_name"),
            usage_amount: f(h, "usage.amount"),
            usage_unit: f(h, "usage.unit"),
            pricing_amount: f(h, "usage.amount_in_pricing_units"),
            pricing_unit: f(h, "usage.pricing_unit"),
            credits: f(h, "credits"),
            invoice_month: f(h, "invoice.month"),
            cost_type: f(h, "cost_type"),
            price: f(h, "price.effective_price"),
            cost_at_list: f(h, "cost_at_list"),
        })
    }
}

/// Entries of an array-of-objects field: from a JSON line directly, or from CSV text holding
/// the JSON array (`[{"key":"env","value":"prod"}]`, `[{"name":…,"amount":-1.5}]`).
fn entries(
    row: &dyn Fields,
    col: Option<usize>,
    source: &str,
) -> Result<Vec<(String, String)>, CellError> {
    let Some(col) = col else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    row.map_entries(col, &mut |k, v| out.push((k.to_string(), v.to_string())));
    if out.is_empty()
        && let Some(text) = row.get(col)
    {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| CellError::new(source, format!("not a JSON array: {e}")))?;
        let items = v
            .as_array()
            .ok_or_else(|| CellError::new(source, "not a JSON array"))?;
        for it in items {
            let k = it
                .get("key")
                .or_else(|| it.get("name"))
                .and_then(|k| k.as_str());
            let val = it.get("value").or_else(|| it.get("amount"));
            if let Some(k) = k {
                let val = match val {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                out.push((k.to_string(), val));
            }
        }
    }
    Ok(out)
}

/// `YYYYMM` → first instant of that month (UTC).
fn invoice_month(s: &str) -> Result<i64, CellError> {
    let bad = || CellError::new("invoice.month", format!("not a YYYYMM month: {s:?}"));
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let y: i64 = s[..4].parse().map_err(|_| bad())?;
    let m: u32 = s[4..].parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok(date_micros(y, m, 1))
}

impl Mapper for GcpMapper {
    fn format(&self) -> SourceFormat {
        SourceFormat::Gcp
    }

    fn map_row(&mut self, row: &dyn Fields, st: &mut RowStage) -> Result<(), CellError> {
        st.text(c::PROVIDER_NAME, "Google Cloud");
        st.text(c::PUBLISHER_NAME, "Google Cloud");
        st.text(c::INVOICE_ISSUER_NAME, "Google");
        st.opt_text(c::BILLING_ACCOUNT_ID, row.get(self.account));
        st.opt_text(c::SUB_ACCOUNT_ID, g(row, self.project_id));
        st.opt_text(c::SUB_ACCOUNT_NAME, g(row, self.project_name));
        st.opt_text(c::X_RESOURCE_GROUP, g(row, self.project_id));
        st.opt_text(c::BILLING_CURRENCY, row.get(self.currency));
        st.ts(
            c::CHARGE_PERIOD_START,
            "usage_start_time",
            row.get(self.start),
        )?;
        st.ts(c::CHARGE_PERIOD_END, "usage_end_time", g(row, self.end))?;
        if let Some(m) = g(row, self.invoice_month) {
            // The invoice month decides the billing period (late usage lands in the next one).
            let start = invoice_month(m)?;
            st.ts_micros(c::BILLING_PERIOD_START, start);
            st.ts_micros(c::BILLING_PERIOD_END, crate::time::next_month_start(start));
        }
        let Some(cost_text) = row.get(self.cost) else {
            return Err(CellError::new("cost", "missing cost"));
        };
        let cost = parse_money("cost", cost_text)?;
        let mut credits = 0i128;
        for (_, amount) in entries(row, self.credits, "credits")? {
            if !amount.is_empty() {
                let amount = parse_money("credits.amount", &amount)?;
                credits = money_sum(credits, amount, "credits.amount", "credits.amount")?;
            }
        }
        // `cost` is before credits; what is invoiced is cost + credits (credits are negative).
        st.dec(
            c::BILLED_COST,
            money_sum(cost, credits, "cost", "credits.amount")?,
        );
        st.dec(c::CONTRACTED_COST, cost);
        if self.credits.is_some() {
            st.dec(c::X_CREDITS, credits);
        }
        st.money(c::LIST_COST, "cost_at_list", g(row, self.cost_at_list))?;
        st.money(
            c::CONTRACTED_UNIT_PRICE,
            "price.effective_price",
            g(row, self.price),
        )?;
        let cost_type = g(row, self.cost_type).unwrap_or("regular");
        st.text(c::X_LINE_ITEM_TYPE, cost_type);
        let (category, class) = match cost_type {
            "tax" => ("Tax", None),
            "adjustment" => ("Adjustment", Some("Correction")),
            "rounding_error" => ("Adjustment", None),
            _ if cost == 0 && credits != 0 => ("Credit", None),
            _ => ("Usage", None),
        };
        st.text(c::CHARGE_CATEGORY, category);
        st.opt_text(c::CHARGE_CLASS, class);
        st.text(c::CHARGE_FREQUENCY, "Usage-Based");
        let service = g(row, self.service).unwrap_or("");
        st.text(c::SERVICE_NAME, service);
        st.text(c::SERVICE_CATEGORY, category_of(service));
        st.opt_text(c::X_SERVICE_CODE, g(row, self.service_id));
        st.opt_text(c::SKU_ID, g(row, self.sku_id));
        st.opt_text(c::CHARGE_DESCRIPTION, g(row, self.sku));
        st.opt_text(c::X_USAGE_TYPE, g(row, self.sku));
        st.opt_text(c::REGION_ID, g(row, self.region));
        st.opt_text(c::REGION_NAME, g(row, self.location));
        st.opt_text(c::AVAILABILITY_ZONE, g(row, self.zone));
        st.opt_text(c::RESOURCE_ID, g(row, self.resource_global));
        st.opt_text(c::RESOURCE_NAME, g(row, self.resource_name));
        st.quantity(
            c::CONSUMED_QUANTITY,
            "usage.amount",
            g(row, self.usage_amount),
        )?;
        st.opt_text(c::CONSUMED_UNIT, g(row, self.usage_unit));
        st.quantity(
            c::PRICING_QUANTITY,
            "usage.amount_in_pricing_units",
            g(row, self.pricing_amount),
        )?;
        st.opt_text(c::PRICING_UNIT, g(row, self.pricing_unit));
        for (k, v) in entries(row, self.labels, "labels")? {
            st.tag(&k, &v);
        }
        Ok(())
    }
}

fn category_of(service: &str) -> &'static str {
    service_category(service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_months_parse() {
        assert_eq!(invoice_month("202401").unwrap(), date_micros(2024, 1, 1));
        assert!(invoice_month("2024-1").is_err());
        assert!(invoice_month("202413").is_err());
    }
}

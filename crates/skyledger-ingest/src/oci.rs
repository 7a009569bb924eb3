//! Oracle Cloud (OCI) cost reports: `lineItem/…`, `product/…`, `cost/…` columns and one `tags/…` column per tag key.

use skyledger_types::cost_row::SourceFormat;

use crate::header::Header;
use crate::row::{CellError, RowStage, c};
use crate::source::{Fields, Mapper, g};

pub struct OciMapper {
    tenant: usize,
    start: usize,
    end: Option<usize>,
    cost: usize,
    currency: usize,
    service: Option<usize>,
    compartment_id: Option<usize>,
    compartment_name: Option<usize>,
    region: Option<usize>,
    ad: Option<usize>,
    resource_id: Option<usize>,
    quantity: Option<usize>,
    sku: Option<usize>,
    description: Option<usize>,
    unit_price: Option<usize>,
    billing_unit: Option<usize>,
    sku_unit: Option<usize>,
    correction: Option<usize>,
    tags: Vec<(usize, String)>,
}

fn need(h: &mut Header, name: &str) -> Result<usize, String> {
    h.find(&[name]).ok_or_else(|| name.to_string())
}

impl OciMapper {
    pub fn new(h: &mut Header) -> Result<Self, String> {
        Ok(Self {
            tenant: need(h, "lineItem/tenantId")?,
            start: need(h, "lineItem/intervalUsageStart")?,
            end: h.find(&["lineItem/intervalUsageEnd"]),
            cost: need(h, "cost/myCost")?,
            currency: need(h, "cost/currencyCode")?,
            service: h.find(&["product/service"]),
            compartment_id: h.find(&["product/compartmentId"]),
            compartment_name: h.find(&["product/compartmentName"]),
            region: h.find(&["product/region"]),
            ad: h.find(&["product/availabilityDomain"]),
            resource_id: h.find(&["product/resourceId"]),
            quantity: h.find(&["usage/billedQuantity"]),
            sku: h.find(&["cost/productSku"]),
            description: h.find(&["product/Description"]),
            unit_price: h.find(&["cost/unitPrice"]),
            billing_unit: h.find(&["cost/billingUnitReadable"]),
            sku_unit: h.find(&["cost/skuUnitDescription"]),
            correction: h.find(&["lineItem/isCorrection"]),
            tags: h.prefixed("tags/"),
        })
    }
}

/// A coarse FOCUS ServiceCategory for OCI's `product/service` codes.
fn category(service: &str) -> &'static str {
    match service {
        "COMPUTE" | "FUNCTIONS" | "CONTAINER_ENGINE" => "Compute",
        "BLOCK_STORAGE" | "OBJECT_STORAGE" | "OBJECTSTORE" | "FILE_STORAGE" | "ARCHIVE_STORAGE" => {
            "Storage"
        }
        "DATABASE" | "MYSQL" | "NOSQL" => "Databases",
        "NETWORK" | "VCN" | "LOAD_BALANCER" | "FASTCONNECT" | "DNS" => "Networking",
        "TELEMETRY" | "LOGGING" | "MONITORING" | "NOTIFICATIONS" => "Management and Governance",
        "VAULT" | "KMS" | "WAF" => "Security",
        _ => "Other",
    }
}

impl Mapper for OciMapper {
    fn format(&self) -> SourceFormat {
        SourceFormat::Oci
    }

    fn map_row(&mut self, row: &dyn Fields, st: &mut RowStage) -> Result<(), CellError> {
        st.text(c::PROVIDER_NAME, "Oracle");
        st.text(c::PUBLISHER_NAME, "Oracle");
        st.text(c::INVOICE_ISSUER_NAME, "Oracle");
        // A cost account is one tenancy; its compartments are the billing accounts the API lists.
        st.opt_text(c::BILLING_ACCOUNT_ID, row.get(self.tenant));
        st.opt_text(c::SUB_ACCOUNT_ID, g(row, self.compartment_id));
        st.opt_text(c::SUB_ACCOUNT_NAME, g(row, self.compartment_name));
        st.opt_text(c::BILLING_CURRENCY, row.get(self.currency));
        st.ts(
            c::CHARGE_PERIOD_START,
            "lineItem/intervalUsageStart",
            row.get(self.start),
        )?;
        st.ts(
            c::CHARGE_PERIOD_END,
            "lineItem/intervalUsageEnd",
            g(row, self.end),
        )?;
        st.money(c::BILLED_COST, "cost/myCost", row.get(self.cost))?;
        if !st.is_set(c::BILLED_COST) {
            return Err(CellError::new("cost/myCost", "missing cost"));
        }
        let correction = g(row, self.correction).is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if correction {
            st.text(c::CHARGE_CATEGORY, "Adjustment");
            st.text(c::CHARGE_CLASS, "Correction");
            st.text(c::X_LINE_ITEM_TYPE, "Correction");
        } else {
            st.text(c::CHARGE_CATEGORY, "Usage");
            st.text(c::X_LINE_ITEM_TYPE, "Usage");
        }
        st.text(c::CHARGE_FREQUENCY, "Usage-Based");
        let service = g(row, self.service).unwrap_or("");
        st.text(c::SERVICE_NAME, service);
        st.text(c::X_SERVICE_CODE, service);
        st.text(c::SERVICE_CATEGORY, category(service));
        st.opt_text(c::REGION_ID, g(row, self.region));
        st.opt_text(c::AVAILABILITY_ZONE, g(row, self.ad));
        st.opt_text(c::RESOURCE_ID, g(row, self.resource_id));
        st.opt_text(c::SKU_ID, g(row, self.sku));
        st.opt_text(c::CHARGE_DESCRIPTION, g(row, self.description));
        st.opt_text(c::X_USAGE_TYPE, g(row, self.description));
        st.quantity(
            c::CONSUMED_QUANTITY,
            "usage/billedQuantity",
            g(row, self.quantity),
        )?;
        st.quantity(
            c::PRICING_QUANTITY,
            "usage/billedQuantity",
            g(row, self.quantity),
        )?;
        st.opt_text(c::CONSUMED_UNIT, g(row, self.sku_unit));
        st.opt_text(c::PRICING_UNIT, g(row, self.billing_unit));
        st.money(
            c::CONTRACTED_UNIT_PRICE,
            "cost/unitPrice",
            g(row, self.unit_price),
        )?;
        for (i, key) in &self.tags {
            if let Some(v) = row.get(*i) {
                st.tag(key, v);
            }
        }
        Ok(())
    }
}

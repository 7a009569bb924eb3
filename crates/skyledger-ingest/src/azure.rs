//! Azure cost exports (EA, MCA, pay-as-you-go; actual or amortized), every header variant by alias.

use std::collections::HashMap;
use std::sync::OnceLock;

use skyledger_types::cost_row::SourceFormat;

use crate::aws::parse_mapping;
use crate::header::Header;
use crate::row::{CellError, RowStage, c};
use crate::source::{Fields, Mapper, g};
use crate::{AzureCostKind, ReadOptions};

/// Service categories by consumed service (focus_converters `azure_category_mapping.csv`, MIT).
fn service_category(consumed_service: &str) -> &'static str {
    static MAP: OnceLock<HashMap<String, &'static str, ahash::RandomState>> = OnceLock::new();
    MAP.get_or_init(|| {
        parse_mapping(include_str!("mappings/azure_category_mapping.csv"))
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect()
    })
    .get(&consumed_service.to_ascii_lowercase())
    .copied()
    .unwrap_or("Other")
}

macro_rules! cols {
    ($($field:ident = [$($name:literal),+]),* $(,)?) => {
        struct Cols { $($field: Option<usize>,)* }
        fn resolve(h: &mut Header) -> Cols {
            Cols { $($field: h.find(&[$($name),+]),)* }
        }
    };
}

// Names as EA, MCA (camelCase), pay-as-you-go and translated headers write them
// (the translated ones are matched on the English name in brackets).
cols!(
    cost = ["CostInBillingCurrency", "Cost", "PreTaxCost"],
    date = ["Date", "UsageDateTime", "UsageDate"],
    billing_account = ["BillingAccountId"],
    billing_account_name = ["BillingAccountName"],
    subscription = ["SubscriptionId", "SubscriptionGuid"],
    subscription_name = ["SubscriptionName"],
    currency = ["BillingCurrency", "BillingCurrencyCode", "Currency"],
    bp_start = ["BillingPeriodStartDate"],
    bp_end = ["BillingPeriodEndDate"],
    charge_type = ["ChargeType"],
    frequency = ["Frequency"],
    pricing_model = ["PricingModel"],
    reservation_id = ["ReservationId", "benefitId"],
    reservation_name = ["ReservationName", "benefitName"],
    quantity = ["Quantity", "UsageQuantity"],
    unit = ["UnitOfMeasure"],
    effective_price = ["EffectivePrice", "ResourceRate"],
    unit_price = ["UnitPrice"],
    payg_price = ["PayGPrice"],
    payg_cost = ["PayGCostInBillingCurrency"],
    meter_category = ["MeterCategory"],
    meter_subcategory = ["MeterSubCategory"],
    meter_name = ["MeterName"],
    meter_id = ["MeterId"],
    product_id = ["ProductId", "PartNumber"],
    product_name = ["ProductName", "Product"],
    service_family = ["ServiceFamily"],
    service_name = ["ServiceName"],
    consumed_service = ["ConsumedService"],
    resource_id = ["ResourceId", "InstanceId", "InstanceName"],
    resource_name = ["ResourceName"],
    resource_group = ["ResourceGroup", "ResourceGroupName"],
    location = ["ResourceLocation", "Location"],
    az = ["AvailabilityZone"],
    tags = ["Tags"],
    additional_info = ["AdditionalInfo"],
    invoice_id = ["InvoiceId"],
    publisher_name = ["PublisherName"],
    publisher_type = ["PublisherType"],
);

pub struct AzureMapper {
    k: Cols,
    /// The cost column's name as the file writes it (for messages).
    cost_name: String,
    kind: AzureCostKind,
    default_currency: Option<String>,
}

impl AzureMapper {
    pub fn new(h: &mut Header, file: &str, opts: &ReadOptions) -> Result<Self, String> {
        let k = resolve(h);
        if k.cost.is_none() {
            return Err("CostInBillingCurrency (or Cost, PreTaxCost)".into());
        }
        if k.date.is_none() {
            return Err("Date (or UsageDateTime)".into());
        }
        if k.subscription.is_none() && k.billing_account.is_none() {
            return Err("BillingAccountId (or SubscriptionId, SubscriptionGuid)".into());
        }
        let default_currency = opts
            .column_defaults
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("BillingCurrency"))
            .map(|(_, v)| v.clone());
        if k.currency.is_none() && default_currency.is_none() {
            return Err("BillingCurrency (or BillingCurrencyCode, Currency)".into());
        }
        let kind = opts.azure_cost_kind.unwrap_or_else(|| kind_from_name(file));
        let cost_name = k
            .cost
            .map(|i| h.names()[i].trim_start_matches('\u{feff}').to_string())
            .unwrap_or_default();
        Ok(Self {
            k,
            cost_name,
            kind,
            default_currency,
        })
    }
}

/// Actual or amortized by the file name (`…Amortized…`); the two exports share one schema.
pub(crate) fn kind_from_name(file: &str) -> AzureCostKind {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    if base.to_ascii_lowercase().contains("amortized") {
        AzureCostKind::Amortized
    } else {
        AzureCostKind::Actual
    }
}

/// The VM size in `AdditionalInfo` (`{"ServiceType": "Standard_DS2_v2", …}`, braces optional).
fn service_type(info: &str) -> Option<String> {
    let t = info.trim();
    let text = if t.starts_with('{') {
        t.to_string()
    } else {
        format!("{{{t}}}")
    };
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("ServiceType")?.as_str().map(str::to_string)
}

impl Mapper for AzureMapper {
    fn format(&self) -> SourceFormat {
        SourceFormat::Azure
    }

    fn map_row(&mut self, row: &dyn Fields, st: &mut RowStage) -> Result<(), CellError> {
        let k = &self.k;
        st.text(c::PROVIDER_NAME, "Microsoft");
        st.text(c::INVOICE_ISSUER_NAME, "Microsoft");
        st.text(
            c::PUBLISHER_NAME,
            g(row, k.publisher_name).unwrap_or("Microsoft"),
        );
        let sub = g(row, k.subscription);
        // Pay-as-you-go exports have no billing account: the subscription is the account.
        st.opt_text(c::BILLING_ACCOUNT_ID, g(row, k.billing_account).or(sub));
        st.opt_text(c::BILLING_ACCOUNT_NAME, g(row, k.billing_account_name));
        st.opt_text(c::SUB_ACCOUNT_ID, sub);
        st.opt_text(c::SUB_ACCOUNT_NAME, g(row, k.subscription_name));
        st.opt_text(
            c::BILLING_CURRENCY,
            g(row, k.currency).or(self.default_currency.as_deref()),
        );
        st.ts(
            c::BILLING_PERIOD_START,
            "BillingPeriodStartDate",
            g(row, k.bp_start),
        )?;
        if let (Some(_), Some(s)) = (k.bp_end, g(row, k.bp_end)) {
            // Azure writes the last day of the period; FOCUS wants the exclusive end.
            st.ts(c::BILLING_PERIOD_END, "BillingPeriodEndDate", Some(s))?;
            if let Some(t) = st.get_ts(c::BILLING_PERIOD_END) {
                st.ts_micros(c::BILLING_PERIOD_END, t + 86_400_000_000);
            }
        }
        st.ts(c::CHARGE_PERIOD_START, "Date", g(row, k.date))?;

        let charge_type = g(row, k.charge_type).unwrap_or("Usage");
        st.text(c::X_LINE_ITEM_TYPE, charge_type);
        let (category, class) = match charge_type {
            "Usage" | "UnusedReservation" | "UnusedSavingsPlan" => ("Usage", None),
            "Purchase" => ("Purchase", None),
            "Tax" => ("Tax", None),
            "Credit" => ("Credit", None),
            "Refund" => ("Adjustment", Some("Correction")),
            _ => ("Adjustment", None),
        };
        st.text(c::CHARGE_CATEGORY, category);
        st.opt_text(c::CHARGE_CLASS, class);
        let frequency = match g(row, k.frequency) {
            Some("OneTime") => "One-Time",
            Some("Recurring") => "Recurring",
            Some("UsageBased") => "Usage-Based",
            _ if category == "Usage" => "Usage-Based",
            _ => "One-Time",
        };
        st.text(c::CHARGE_FREQUENCY, frequency);

        let cost_name = self.cost_name.as_str();
        let Some(cost_text) = g(row, k.cost) else {
            return Err(CellError::new(cost_name, "missing cost"));
        };
        let cost = crate::row::parse_money(cost_name, cost_text)?;
        let pricing_model = g(row, k.pricing_model).unwrap_or("");
        let commitment = matches!(pricing_model, "Reservation" | "SavingsPlan");
        let (billed, effective) = match self.kind {
            AzureCostKind::Actual => {
                // Actual cost: a commitment purchase is billed now and spread later.
                let purchase = charge_type == "Purchase" && g(row, k.reservation_id).is_some();
                (cost, if purchase { 0 } else { cost })
            }
            AzureCostKind::Amortized => {
                // Amortized cost: usage covered by a commitment and unused commitment were
                // paid by the purchase, so nothing is billed for them now.
                let prepaid = (commitment && charge_type == "Usage")
                    || matches!(charge_type, "UnusedReservation" | "UnusedSavingsPlan");
                (if prepaid { 0 } else { cost }, cost)
            }
        };
        st.dec(c::BILLED_COST, billed);
        st.dec(c::EFFECTIVE_COST, effective);
        st.dec(c::CONTRACTED_COST, cost);
        st.money(
            c::LIST_COST,
            "PayGCostInBillingCurrency",
            g(row, k.payg_cost),
        )?;
        st.opt_text(
            c::PRICING_CATEGORY,
            match pricing_model {
                "OnDemand" => Some("Standard"),
                "Reservation" | "SavingsPlan" => Some("Committed"),
                "Spot" => Some("Dynamic"),
                _ => None,
            },
        );
        if let Some(id) = g(row, k.reservation_id) {
            st.text(c::COMMITMENT_DISCOUNT_ID, id);
            st.opt_text(c::COMMITMENT_DISCOUNT_NAME, g(row, k.reservation_name));
            let sp = pricing_model == "SavingsPlan";
            st.text(
                c::COMMITMENT_DISCOUNT_CATEGORY,
                if sp { "Spend" } else { "Usage" },
            );
            st.text(
                c::COMMITMENT_DISCOUNT_TYPE,
                if sp { "Savings Plan" } else { "Reservation" },
            );
            if charge_type == "Usage" && commitment {
                st.text(c::COMMITMENT_DISCOUNT_STATUS, "Used");
            } else if charge_type.starts_with("Unused") {
                st.text(c::COMMITMENT_DISCOUNT_STATUS, "Unused");
            }
        }

        st.quantity(c::CONSUMED_QUANTITY, "Quantity", g(row, k.quantity))?;
        st.quantity(c::PRICING_QUANTITY, "Quantity", g(row, k.quantity))?;
        st.opt_text(c::CONSUMED_UNIT, g(row, k.unit));
        st.opt_text(c::PRICING_UNIT, g(row, k.unit));
        st.money(
            c::CONTRACTED_UNIT_PRICE,
            "EffectivePrice",
            g(row, k.effective_price),
        )?;
        st.money(c::LIST_UNIT_PRICE, "PayGPrice", g(row, k.payg_price))?;
        let _ = k.unit_price;

        let consumed = g(row, k.consumed_service).unwrap_or("");
        let service = g(row, k.meter_category)
            .or(g(row, k.service_name))
            .unwrap_or(consumed);
        st.text(c::SERVICE_NAME, service);
        st.text(c::SERVICE_CATEGORY, service_category(consumed));
        st.text(c::X_SERVICE_CODE, consumed);
        st.opt_text(c::X_USAGE_TYPE, g(row, k.meter_subcategory));
        st.opt_text(c::X_OPERATION, g(row, k.meter_name));
        st.opt_text(c::SKU_METER, g(row, k.meter_name));
        st.opt_text(c::SKU_ID, g(row, k.product_id).or(g(row, k.meter_id)));
        st.opt_text(c::SKU_PRICE_ID, g(row, k.meter_id));
        st.opt_text(c::CHARGE_DESCRIPTION, g(row, k.product_name));
        st.opt_text(c::X_PRODUCT_FAMILY, g(row, k.service_family));
        st.opt_text(c::INVOICE_ID, g(row, k.invoice_id));
        if g(row, k.publisher_type) == Some("Marketplace") {
            st.text(c::SERVICE_SUBCATEGORY, "Marketplace");
        }
        if let Some(rid) = g(row, k.resource_id) {
            st.text(c::RESOURCE_ID, rid);
            let name = g(row, k.resource_name)
                .unwrap_or_else(|| rid.trim_end_matches('/').rsplit('/').next().unwrap_or(rid));
            st.text(c::RESOURCE_NAME, name);
        }
        st.opt_text(c::X_RESOURCE_GROUP, g(row, k.resource_group));
        if let Some(loc) = g(row, k.location) {
            st.text(c::REGION_NAME, loc);
            let id: String = loc
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            st.text(c::REGION_ID, &id);
        }
        st.opt_text(c::AVAILABILITY_ZONE, g(row, k.az));
        if let Some(info) = g(row, k.additional_info)
            && let Some(t) = service_type(info)
        {
            st.text(c::X_INSTANCE_TYPE, &t);
        }
        if let Some(tags) = g(row, k.tags) {
            st.tags_json("Tags", tags)?;
        }
        Ok(())
    }
}

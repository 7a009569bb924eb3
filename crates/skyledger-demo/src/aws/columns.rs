//! The CUR columns both writers emit, with the legacy (`lineItem/UnblendedCost`) and CUR 2.0
//! (`line_item_unblended_cost`) names and how each value is taken from a [`Line`].

use super::catalog::REGIONS;
use super::{Ctx, Line};

/// CUR 2.0 storage type of a column (per the Data Exports table dictionary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Double,
    Ts,
    /// `map<string,string>`.
    Map,
    /// `map<string,double>` (`discount`).
    MapDouble,
}

/// Where a column's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum F {
    Blank,
    LineItemId,
    TimeInterval,
    InvoiceId,
    InvoicingEntity,
    BillingEntity,
    BillType,
    Payer,
    PayerName,
    PeriodStart,
    PeriodEnd,
    UsageAccount,
    UsageAccountName,
    LineItemType,
    UsageStart,
    UsageEnd,
    ProductCode,
    UsageType,
    Operation,
    Az,
    ResourceId,
    UsageAmount,
    Currency,
    UnblendedRate,
    UnblendedCost,
    BlendedRate,
    BlendedCost,
    Description,
    TaxType,
    LegalEntity,
    ProductName,
    InstanceFamily,
    InstanceType,
    Location,
    LocationType,
    Memory,
    Os,
    ProductFamily,
    RegionCode,
    ServiceCode,
    ServiceName,
    Sku,
    Tenancy,
    Vcpu,
    PricingCurrency,
    OdCost,
    OdRate,
    PurchaseOption,
    LeaseLength,
    OfferingClass,
    Term,
    PricingUnit,
    RiAmortUpfrontForUsage,
    RiAmortUpfrontForPeriod,
    RiEffectiveCost,
    RiEndTime,
    RiNumber,
    RiRecurringForUsage,
    RiArn,
    RiStartTime,
    RiSubscriptionId,
    RiTotalUnits,
    RiUnusedAmortUpfront,
    RiUnusedQuantity,
    RiUnusedRecurring,
    RiUpfrontValue,
    SpTotalCommitment,
    SpArn,
    SpRate,
    SpUsedCommitment,
    SpEffectiveCost,
    SpAmortUpfront,
    SpRecurring,
    SpStartTime,
    SpEndTime,
    SpOfferingType,
    SpPaymentOption,
    SpPurchaseTerm,
    /// `resourceTags/user:<key>`, by index into [`crate::fleet::TAG_KEYS`].
    Tag(usize),
    CostCategory,
    /// The `product` map of CUR 2.0.
    ProductMap,
    /// The `resource_tags` map of CUR 2.0.
    TagMap,
}

/// A rendered value.
pub(crate) enum V<'a> {
    Null,
    Str(&'a str),
    /// An amount at [`crate::money::SCALE`].
    Amount(i64),
    /// A unit rate at [`crate::money::RATE_SCALE`] (a string column in both formats).
    Rate(i64),
    /// Milliseconds since the epoch.
    Ts(i64),
}

/// Month-level values.
pub(crate) struct MonthVals {
    pub(crate) invoice_id: String,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
}

fn opt_amount(v: Option<i64>) -> V<'static> {
    v.map_or(V::Null, V::Amount)
}

fn s(v: &str) -> V<'_> {
    if v.is_empty() { V::Null } else { V::Str(v) }
}

/// vCPU and memory of the instance types in the catalogue.
fn instance_shape(t: &str) -> (&'static str, &'static str, &'static str) {
    match t {
        "m5.xlarge" => ("m5", "4", "16 GiB"),
        "m6i.large" => ("m6i", "2", "8 GiB"),
        "c6g.2xlarge" => ("c6g", "8", "16 GiB"),
        "r6i.2xlarge" => ("r6i", "8", "64 GiB"),
        "t3.medium" => ("t3", "2", "4 GiB"),
        "g5.xlarge" => ("g5", "4", "16 GiB"),
        _ => ("", "", ""),
    }
}

/// The business-unit cost category, assigned by account as a Cost Categories rule would.
pub(crate) fn business_unit(account_name: &str) -> &'static str {
    if account_name.ends_with("-data") || account_name.ends_with("-analytics") {
        "Data & Analytics"
    } else if account_name.ends_with("-prod")
        || account_name.ends_with("-staging")
        || account_name.ends_with("-dev")
    {
        "Product Engineering"
    } else {
        "Shared Platform"
    }
}

/// The value of column `f` of line `l`.
pub(crate) fn value<'a>(f: F, l: &'a Line, ctx: &'a Ctx, m: &'a MonthVals) -> V<'a> {
    let region = l.region.map(|r| &REGIONS[r]);
    let is_usage = matches!(
        l.line_type,
        "Usage" | "DiscountedUsage" | "SavingsPlanCoveredUsage"
    );
    match f {
        F::Blank | F::ProductMap | F::TagMap => V::Null,
        F::LineItemId => V::Str(&l.id),
        F::TimeInterval => V::Str(&l.interval),
        F::InvoiceId => V::Str(&m.invoice_id),
        F::InvoicingEntity | F::LegalEntity => V::Str(ctx.org.invoicing_entity),
        F::BillingEntity => V::Str("AWS"),
        F::BillType => V::Str(l.bill_type),
        F::Payer => V::Str(&ctx.payer().id),
        F::PayerName => V::Str(&ctx.payer().name),
        F::PeriodStart => V::Ts(m.start_ms),
        F::PeriodEnd => V::Ts(m.end_ms),
        F::UsageAccount => V::Str(&ctx.accounts[l.account].id),
        F::UsageAccountName => V::Str(&ctx.accounts[l.account].name),
        F::LineItemType => V::Str(l.line_type),
        F::UsageStart => V::Ts(l.start_ms),
        F::UsageEnd => V::Ts(l.end_ms),
        F::ProductCode => V::Str(l.product_code),
        F::UsageType => s(&l.usage_type),
        F::Operation => s(l.operation),
        F::Az => s(&l.az),
        F::ResourceId => s(&l.resource_id),
        F::UsageAmount => opt_amount(l.usage_amount),
        F::Currency | F::PricingCurrency => V::Str("USD"),
        F::UnblendedRate => l.unblended_rate.map_or(V::Null, V::Rate),
        F::UnblendedCost => V::Amount(l.unblended_cost),
        F::BlendedRate => l.blended_rate.map_or(V::Null, V::Rate),
        F::BlendedCost => V::Amount(l.blended_cost),
        F::Description => s(&l.description),
        F::TaxType => s(l.tax_type),
        F::ProductName => s(l.product_name),
        F::InstanceFamily => s(instance_shape(l.instance_type).0),
        F::InstanceType => s(l.instance_type),
        F::Location => region.map_or(V::Null, |r| V::Str(r.location)),
        F::LocationType => region.map_or(V::Null, |_| V::Str("AWS Region")),
        F::Memory => s(instance_shape(l.instance_type).2),
        F::Os if !instance_shape(l.instance_type).0.is_empty() => V::Str("Linux"),
        F::Tenancy if !instance_shape(l.instance_type).0.is_empty() => V::Str("Shared"),
        F::Os | F::Tenancy => V::Null,
        F::ProductFamily => s(l.family),
        F::RegionCode => region.map_or(V::Null, |r| V::Str(r.code)),
        F::ServiceCode => V::Str(l.product_code),
        F::ServiceName => s(l.product_name),
        F::Sku => s(&l.product_sku),
        F::Vcpu => s(instance_shape(l.instance_type).1),
        F::OdCost => opt_amount(l.od_cost),
        F::OdRate => l.od_rate.map_or(V::Null, V::Rate),
        F::PurchaseOption => match l.line_type {
            "DiscountedUsage" | "RIFee" => V::Str("Partial Upfront"),
            "Fee" if l.ri.is_some() => V::Str("Partial Upfront"),
            _ => V::Null,
        },
        F::LeaseLength => {
            if l.ri.is_some() {
                V::Str("1yr")
            } else {
                V::Null
            }
        }
        F::OfferingClass => {
            if l.ri.is_some() {
                V::Str("standard")
            } else {
                V::Null
            }
        }
        F::Term => {
            if is_usage || l.ri.is_some() {
                s(l.term)
            } else {
                V::Null
            }
        }
        F::PricingUnit => s(l.unit),
        F::RiAmortUpfrontForUsage => {
            opt_amount(l.ri.as_ref().and_then(|r| r.amortized_upfront_for_usage))
        }
        F::RiAmortUpfrontForPeriod => opt_amount(
            l.ri.as_ref()
                .and_then(|r| r.amortized_upfront_fee_for_period),
        ),
        F::RiEffectiveCost => opt_amount(l.ri.as_ref().and_then(|r| r.effective_cost)),
        F::RiEndTime => l.ri.as_ref().map_or(V::Null, |r| s(&r.end_time)),
        F::RiNumber => opt_amount(l.ri.as_ref().and_then(|r| r.number_of_reservations)),
        F::RiRecurringForUsage => opt_amount(l.ri.as_ref().and_then(|r| r.recurring_for_usage)),
        F::RiArn => l.ri.as_ref().map_or(V::Null, |r| s(&r.arn)),
        F::RiStartTime => l.ri.as_ref().map_or(V::Null, |r| s(&r.start_time)),
        F::RiSubscriptionId => l.ri.as_ref().map_or(V::Null, |r| s(&r.subscription_id)),
        F::RiTotalUnits => opt_amount(l.ri.as_ref().and_then(|r| r.total_reserved_units)),
        F::RiUnusedAmortUpfront => {
            opt_amount(l.ri.as_ref().and_then(|r| r.unused_amortized_upfront))
        }
        F::RiUnusedQuantity => opt_amount(l.ri.as_ref().and_then(|r| r.unused_quantity)),
        F::RiUnusedRecurring => opt_amount(l.ri.as_ref().and_then(|r| r.unused_recurring_fee)),
        F::RiUpfrontValue => opt_amount(l.ri.as_ref().and_then(|r| r.upfront_value)),
        F::SpTotalCommitment => opt_amount(l.sp.as_ref().and_then(|x| x.total_commitment)),
        F::SpArn => l.sp.as_ref().map_or(V::Null, |x| s(&x.arn)),
        F::SpRate => l.sp.as_ref().and_then(|x| x.rate).map_or(V::Null, V::Rate),
        F::SpUsedCommitment => opt_amount(l.sp.as_ref().and_then(|x| x.used_commitment)),
        F::SpEffectiveCost => opt_amount(l.sp.as_ref().and_then(|x| x.effective_cost)),
        F::SpAmortUpfront => opt_amount(l.sp.as_ref().and_then(|x| x.amortized_upfront_for_period)),
        F::SpRecurring => opt_amount(
            l.sp.as_ref()
                .and_then(|x| x.recurring_commitment_for_period),
        ),
        F::SpStartTime => l.sp.as_ref().map_or(V::Null, |x| s(&x.start_time)),
        F::SpEndTime => l.sp.as_ref().map_or(V::Null, |x| s(&x.end_time)),
        F::SpOfferingType => {
            if l.sp.is_some() {
                V::Str("ComputeSavingsPlans")
            } else {
                V::Null
            }
        }
        F::SpPaymentOption => {
            if l.sp.is_some() {
                V::Str("No Upfront")
            } else {
                V::Null
            }
        }
        F::SpPurchaseTerm => {
            if l.sp.is_some() {
                V::Str("1yr")
            } else {
                V::Null
            }
        }
        F::Tag(i) => l.tags.0[i].map_or(V::Null, V::Str),
        F::CostCategory => V::Str(business_unit(&ctx.accounts[l.account].name)),
    }
}

/// Product attributes of the CUR 2.0 `product` map (attributes without a static column).
pub(crate) fn product_map(l: &Line) -> Vec<(&'static str, &str)> {
    let mut v = Vec::with_capacity(6);
    if !l.product_name.is_empty() {
        v.push(("product_name", l.product_name));
        v.push(("servicename", l.product_name));
    }
    if let Some(r) = l.region {
        v.push(("region", REGIONS[r].code));
    }
    let (_, vcpu, mem) = instance_shape(l.instance_type);
    if !vcpu.is_empty() {
        v.push(("operating_system", "Linux"));
        v.push(("tenancy", "Shared"));
        v.push(("vcpu", vcpu));
        v.push(("memory", mem));
    }
    v
}

use Kind::{Double as D, Map as M, Str as S, Ts as T};

/// Legacy CUR columns in file order: the sample export's naming and order, with
/// `lineItem/ResourceId` (resource ids enabled), RI/SP columns, then tags and cost categories.
pub(crate) static LEGACY: &[(&str, F)] = &[
    ("identity/LineItemId", F::LineItemId),
    ("identity/TimeInterval", F::TimeInterval),
    ("bill/InvoiceId", F::InvoiceId),
    ("bill/InvoicingEntity", F::InvoicingEntity),
    ("bill/BillingEntity", F::BillingEntity),
    ("bill/BillType", F::BillType),
    ("bill/PayerAccountId", F::Payer),
    ("bill/BillingPeriodStartDate", F::PeriodStart),
    ("bill/BillingPeriodEndDate", F::PeriodEnd),
    ("lineItem/UsageAccountId", F::UsageAccount),
    ("lineItem/LineItemType", F::LineItemType),
    ("lineItem/UsageStartDate", F::UsageStart),
    ("lineItem/UsageEndDate", F::UsageEnd),
    ("lineItem/ProductCode", F::ProductCode),
    ("lineItem/UsageType", F::UsageType),
    ("lineItem/Operation", F::Operation),
    ("lineItem/AvailabilityZone", F::Az),
    ("lineItem/ResourceId", F::ResourceId),
    ("lineItem/UsageAmount", F::UsageAmount),
    ("lineItem/NormalizationFactor", F::Blank),
    ("lineItem/NormalizedUsageAmount", F::Blank),
    ("lineItem/CurrencyCode", F::Currency),
    ("lineItem/UnblendedRate", F::UnblendedRate),
    ("lineItem/UnblendedCost", F::UnblendedCost),
    ("lineItem/BlendedRate", F::BlendedRate),
    ("lineItem/BlendedCost", F::BlendedCost),
    ("lineItem/LineItemDescription", F::Description),
    ("lineItem/TaxType", F::TaxType),
    ("lineItem/LegalEntity", F::LegalEntity),
    ("product/ProductName", F::ProductName),
    ("product/instanceFamily", F::InstanceFamily),
    ("product/instanceType", F::InstanceType),
    ("product/location", F::Location),
    ("product/locationType", F::LocationType),
    ("product/memory", F::Memory),
    ("product/operatingSystem", F::Os),
    ("product/productFamily", F::ProductFamily),
    ("product/region", F::RegionCode),
    ("product/regionCode", F::RegionCode),
    ("product/servicecode", F::ServiceCode),
    ("product/servicename", F::ServiceName),
    ("product/sku", F::Sku),
    ("product/tenancy", F::Tenancy),
    ("product/usagetype", F::UsageType),
    ("product/vcpu", F::Vcpu),
    ("pricing/RateCode", F::Blank),
    ("pricing/RateId", F::Blank),
    ("pricing/currency", F::PricingCurrency),
    ("pricing/publicOnDemandCost", F::OdCost),
    ("pricing/publicOnDemandRate", F::OdRate),
    ("pricing/term", F::Term),
    ("pricing/unit", F::PricingUnit),
    (
        "reservation/AmortizedUpfrontCostForUsage",
        F::RiAmortUpfrontForUsage,
    ),
    (
        "reservation/AmortizedUpfrontFeeForBillingPeriod",
        F::RiAmortUpfrontForPeriod,
    ),
    ("reservation/EffectiveCost", F::RiEffectiveCost),
    ("reservation/EndTime", F::RiEndTime),
    ("reservation/ModificationStatus", F::Blank),
    ("reservation/NumberOfReservations", F::RiNumber),
    ("reservation/RecurringFeeForUsage", F::RiRecurringForUsage),
    ("reservation/ReservationARN", F::RiArn),
    ("reservation/StartTime", F::RiStartTime),
    ("reservation/SubscriptionId", F::RiSubscriptionId),
    ("reservation/TotalReservedUnits", F::RiTotalUnits),
    (
        "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
        F::RiUnusedAmortUpfront,
    ),
    ("reservation/UnusedQuantity", F::RiUnusedQuantity),
    ("reservation/UnusedRecurringFee", F::RiUnusedRecurring),
    ("reservation/UpfrontValue", F::RiUpfrontValue),
    ("savingsPlan/TotalCommitmentToDate", F::SpTotalCommitment),
    ("savingsPlan/SavingsPlanARN", F::SpArn),
    ("savingsPlan/SavingsPlanRate", F::SpRate),
    ("savingsPlan/UsedCommitment", F::SpUsedCommitment),
    ("savingsPlan/SavingsPlanEffectiveCost", F::SpEffectiveCost),
    (
        "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
        F::SpAmortUpfront,
    ),
    (
        "savingsPlan/RecurringCommitmentForBillingPeriod",
        F::SpRecurring,
    ),
    ("savingsPlan/StartTime", F::SpStartTime),
    ("savingsPlan/EndTime", F::SpEndTime),
    ("savingsPlan/OfferingType", F::SpOfferingType),
    ("savingsPlan/PaymentOption", F::SpPaymentOption),
    ("savingsPlan/PurchaseTerm", F::SpPurchaseTerm),
    ("resourceTags/user:app", F::Tag(0)),
    ("resourceTags/user:cost-center", F::Tag(1)),
    ("resourceTags/user:env", F::Tag(2)),
    ("resourceTags/user:team", F::Tag(3)),
    ("costCategory/business_unit", F::CostCategory),
];

/// CUR 2.0 columns: the fixed schema of the `COST_AND_USAGE_REPORT` table, in the
/// alphabetical order Data Exports writes `SELECT *` exports.
pub(crate) static CUR2: &[(&str, Kind, F)] = &[
    ("bill_bill_type", S, F::BillType),
    ("bill_billing_entity", S, F::BillingEntity),
    ("bill_billing_period_end_date", T, F::PeriodEnd),
    ("bill_billing_period_start_date", T, F::PeriodStart),
    ("bill_invoice_id", S, F::InvoiceId),
    ("bill_invoicing_entity", S, F::InvoicingEntity),
    ("bill_payer_account_id", S, F::Payer),
    ("bill_payer_account_name", S, F::PayerName),
    ("cost_category", M, F::CostCategory),
    ("discount", Kind::MapDouble, F::Blank),
    ("discount_bundled_discount", D, F::Blank),
    ("discount_total_discount", D, F::Blank),
    ("identity_line_item_id", S, F::LineItemId),
    ("identity_time_interval", S, F::TimeInterval),
    ("line_item_availability_zone", S, F::Az),
    ("line_item_blended_cost", D, F::BlendedCost),
    ("line_item_blended_rate", S, F::BlendedRate),
    ("line_item_currency_code", S, F::Currency),
    ("line_item_legal_entity", S, F::LegalEntity),
    ("line_item_line_item_description", S, F::Description),
    ("line_item_line_item_type", S, F::LineItemType),
    ("line_item_net_unblended_cost", D, F::Blank),
    ("line_item_net_unblended_rate", S, F::Blank),
    ("line_item_normalization_factor", D, F::Blank),
    ("line_item_normalized_usage_amount", D, F::Blank),
    ("line_item_operation", S, F::Operation),
    ("line_item_product_code", S, F::ProductCode),
    ("line_item_resource_id", S, F::ResourceId),
    ("line_item_tax_type", S, F::TaxType),
    ("line_item_unblended_cost", D, F::UnblendedCost),
    ("line_item_unblended_rate", S, F::UnblendedRate),
    ("line_item_usage_account_id", S, F::UsageAccount),
    ("line_item_usage_account_name", S, F::UsageAccountName),
    ("line_item_usage_amount", D, F::UsageAmount),
    ("line_item_usage_end_date", T, F::UsageEnd),
    ("line_item_usage_start_date", T, F::UsageStart),
    ("line_item_usage_type", S, F::UsageType),
    ("pricing_currency", S, F::PricingCurrency),
    ("pricing_lease_contract_length", S, F::LeaseLength),
    ("pricing_offering_class", S, F::OfferingClass),
    ("pricing_public_on_demand_cost", D, F::OdCost),
    ("pricing_public_on_demand_rate", S, F::OdRate),
    ("pricing_purchase_option", S, F::PurchaseOption),
    ("pricing_rate_code", S, F::Blank),
    ("pricing_rate_id", S, F::Blank),
    ("pricing_term", S, F::Term),
    ("pricing_unit", S, F::PricingUnit),
    ("product", M, F::ProductMap),
    ("product_comment", S, F::Blank),
    ("product_fee_code", S, F::Blank),
    ("product_fee_description", S, F::Blank),
    ("product_from_location", S, F::Blank),
    ("product_from_location_type", S, F::Blank),
    ("product_from_region_code", S, F::Blank),
    ("product_instance_family", S, F::InstanceFamily),
    ("product_instance_type", S, F::InstanceType),
    ("product_instancesku", S, F::Blank),
    ("product_location", S, F::Location),
    ("product_location_type", S, F::LocationType),
    ("product_operation", S, F::Operation),
    ("product_pricing_unit", S, F::PricingUnit),
    ("product_product_family", S, F::ProductFamily),
    ("product_region_code", S, F::RegionCode),
    ("product_servicecode", S, F::ServiceCode),
    ("product_sku", S, F::Sku),
    ("product_to_location", S, F::Blank),
    ("product_to_location_type", S, F::Blank),
    ("product_to_region_code", S, F::Blank),
    ("product_usagetype", S, F::UsageType),
    (
        "reservation_amortized_upfront_cost_for_usage",
        D,
        F::RiAmortUpfrontForUsage,
    ),
    (
        "reservation_amortized_upfront_fee_for_billing_period",
        D,
        F::RiAmortUpfrontForPeriod,
    ),
    ("reservation_availability_zone", S, F::Blank),
    ("reservation_effective_cost", D, F::RiEffectiveCost),
    ("reservation_end_time", S, F::RiEndTime),
    ("reservation_modification_status", S, F::Blank),
    (
        "reservation_net_amortized_upfront_cost_for_usage",
        D,
        F::Blank,
    ),
    (
        "reservation_net_amortized_upfront_fee_for_billing_period",
        D,
        F::Blank,
    ),
    ("reservation_net_effective_cost", D, F::Blank),
    ("reservation_net_recurring_fee_for_usage", D, F::Blank),
    (
        "reservation_net_unused_amortized_upfront_fee_for_billing_period",
        D,
        F::Blank,
    ),
    ("reservation_net_unused_recurring_fee", D, F::Blank),
    ("reservation_net_upfront_value", D, F::Blank),
    ("reservation_normalized_units_per_reservation", S, F::Blank),
    ("reservation_number_of_reservations", S, F::RiNumber),
    (
        "reservation_recurring_fee_for_usage",
        D,
        F::RiRecurringForUsage,
    ),
    ("reservation_reservation_a_r_n", S, F::RiArn),
    ("reservation_start_time", S, F::RiStartTime),
    ("reservation_subscription_id", S, F::RiSubscriptionId),
    ("reservation_total_reserved_normalized_units", S, F::Blank),
    ("reservation_total_reserved_units", S, F::RiTotalUnits),
    ("reservation_units_per_reservation", S, F::Blank),
    (
        "reservation_unused_amortized_upfront_fee_for_billing_period",
        D,
        F::RiUnusedAmortUpfront,
    ),
    ("reservation_unused_normalized_unit_quantity", D, F::Blank),
    ("reservation_unused_quantity", D, F::RiUnusedQuantity),
    ("reservation_unused_recurring_fee", D, F::RiUnusedRecurring),
    ("reservation_upfront_value", D, F::RiUpfrontValue),
    ("resource_tags", M, F::TagMap),
    (
        "savings_plan_amortized_upfront_commitment_for_billing_period",
        D,
        F::SpAmortUpfront,
    ),
    ("savings_plan_end_time", S, F::SpEndTime),
    ("savings_plan_instance_type_family", S, F::Blank),
    (
        "savings_plan_net_amortized_upfront_commitment_for_billing_period",
        D,
        F::Blank,
    ),
    (
        "savings_plan_net_recurring_commitment_for_billing_period",
        D,
        F::Blank,
    ),
    ("savings_plan_net_savings_plan_effective_cost", D, F::Blank),
    ("savings_plan_offering_type", S, F::SpOfferingType),
    ("savings_plan_payment_option", S, F::SpPaymentOption),
    ("savings_plan_purchase_term", S, F::SpPurchaseTerm),
    (
        "savings_plan_recurring_commitment_for_billing_period",
        D,
        F::SpRecurring,
    ),
    ("savings_plan_region", S, F::Blank),
    ("savings_plan_savings_plan_a_r_n", S, F::SpArn),
    (
        "savings_plan_savings_plan_effective_cost",
        D,
        F::SpEffectiveCost,
    ),
    ("savings_plan_savings_plan_rate", D, F::SpRate),
    ("savings_plan_start_time", S, F::SpStartTime),
    (
        "savings_plan_total_commitment_to_date",
        D,
        F::SpTotalCommitment,
    ),
    ("savings_plan_used_commitment", D, F::SpUsedCommitment),
    ("split_line_item_actual_usage", D, F::Blank),
    ("split_line_item_net_split_cost", D, F::Blank),
    ("split_line_item_net_unused_cost", D, F::Blank),
    ("split_line_item_parent_resource_id", S, F::Blank),
    ("split_line_item_public_on_demand_split_cost", D, F::Blank),
    ("split_line_item_public_on_demand_unused_cost", D, F::Blank),
    ("split_line_item_reserved_usage", D, F::Blank),
    ("split_line_item_split_cost", D, F::Blank),
    ("split_line_item_split_usage", D, F::Blank),
    ("split_line_item_split_usage_ratio", D, F::Blank),
    ("split_line_item_unused_cost", D, F::Blank),
];

/// CUR 2.0 `resource_tags` keys: `user_` + the tag key with non-alphanumerics as `_`.
pub(crate) const CUR2_TAG_KEYS: [&str; 4] =
    ["user_app", "user_cost_center", "user_env", "user_team"];

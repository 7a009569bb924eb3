//! The normalised cost row: FOCUS 1.2 Cost and Usage columns plus `x_` extras, as an Arrow schema.
//!
//! Every billing reader (crate `skyledger-ingest`) yields record batches with exactly
//! [`cost_row_schema`]; the cost store writes and queries them. Column names are the FOCUS
//! 1.2 `ColumnId`s (spec: `data/focus-mappings/focus-cost-and-usage-columns.csv`, rows with
//! `In_v1_2 = Y`) followed by `x_` extension columns the CloudSpend API needs.
//!
//! Types:
//! - money (costs and unit prices): `Decimal128(38, 24)` ([`MONEY_SCALE`]). 24 fractional digits
//!   keep every digit of the fixtures (the Azure amortized sample has costs such as
//!   `0.000000007292255759239199`), leaving 14 integer digits (up to 10^14 per value or sum).
//! - quantities: `Decimal128(38, 18)` ([`QUANTITY_SCALE`]); 20 integer digits (byte counts).
//! - date/time: `Timestamp(Microsecond, "UTC")`.
//! - `Tags`: `Map<Utf8, Utf8>` with Arrow's default field names (`entries`, `keys`, `values`),
//!   so `MapBuilder::new(None, StringBuilder::new(), StringBuilder::new())` builds it.
//! - JSON columns (`SkuPriceDetails`): `Utf8` holding the JSON text.
//!
//! Columns listed in [`NON_NULL_COLUMNS`] are never null; every other column may be null.

use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

/// Decimal precision of every money and quantity column.
pub const DECIMAL_PRECISION: u8 = 38;
/// Fractional digits kept for money (costs, unit prices).
pub const MONEY_SCALE: i8 = 24;
/// Fractional digits kept for quantities (consumed, pricing, commitment quantities).
pub const QUANTITY_SCALE: i8 = 18;
/// Time zone of every timestamp column.
pub const TIMESTAMP_TZ: &str = "UTC";

// ---- FOCUS 1.2 columns -------------------------------------------------------------------

pub const AVAILABILITY_ZONE: &str = "AvailabilityZone";
pub const BILLED_COST: &str = "BilledCost";
pub const BILLING_ACCOUNT_ID: &str = "BillingAccountId";
pub const BILLING_ACCOUNT_NAME: &str = "BillingAccountName";
pub const BILLING_ACCOUNT_TYPE: &str = "BillingAccountType";
pub const BILLING_CURRENCY: &str = "BillingCurrency";
pub const BILLING_PERIOD_END: &str = "BillingPeriodEnd";
pub const BILLING_PERIOD_START: &str = "BillingPeriodStart";
pub const CAPACITY_RESERVATION_ID: &str = "CapacityReservationId";
pub const CAPACITY_RESERVATION_STATUS: &str = "CapacityReservationStatus";
pub const CHARGE_CATEGORY: &str = "ChargeCategory";
pub const CHARGE_CLASS: &str = "ChargeClass";
pub const CHARGE_DESCRIPTION: &str = "ChargeDescription";
pub const CHARGE_FREQUENCY: &str = "ChargeFrequency";
pub const CHARGE_PERIOD_END: &str = "ChargePeriodEnd";
pub const CHARGE_PERIOD_START: &str = "ChargePeriodStart";
pub const COMMITMENT_DISCOUNT_CATEGORY: &str = "CommitmentDiscountCategory";
pub const COMMITMENT_DISCOUNT_ID: &str = "CommitmentDiscountId";
pub const COMMITMENT_DISCOUNT_NAME: &str = "CommitmentDiscountName";
pub const COMMITMENT_DISCOUNT_QUANTITY: &str = "CommitmentDiscountQuantity";
pub const COMMITMENT_DISCOUNT_STATUS: &str = "CommitmentDiscountStatus";
pub const COMMITMENT_DISCOUNT_TYPE: &str = "CommitmentDiscountType";
pub const COMMITMENT_DISCOUNT_UNIT: &str = "CommitmentDiscountUnit";
pub const CONSUMED_QUANTITY: &str = "ConsumedQuantity";
pub const CONSUMED_UNIT: &str = "ConsumedUnit";
pub const CONTRACTED_COST: &str = "ContractedCost";
pub const CONTRACTED_UNIT_PRICE: &str = "ContractedUnitPrice";
pub const EFFECTIVE_COST: &str = "EffectiveCost";
pub const INVOICE_ID: &str = "InvoiceId";
pub const INVOICE_ISSUER_NAME: &str = "InvoiceIssuerName";
pub const LIST_COST: &str = "ListCost";
pub const LIST_UNIT_PRICE: &str = "ListUnitPrice";
pub const PRICING_CATEGORY: &str = "PricingCategory";
pub const PRICING_CURRENCY: &str = "PricingCurrency";
pub const PRICING_CURRENCY_CONTRACTED_UNIT_PRICE: &str = "PricingCurrencyContractedUnitPrice";
pub const PRICING_CURRENCY_EFFECTIVE_COST: &str = "PricingCurrencyEffectiveCost";
pub const PRICING_CURRENCY_LIST_UNIT_PRICE: &str = "PricingCurrencyListUnitPrice";
pub const PRICING_QUANTITY: &str = "PricingQuantity";
pub const PRICING_UNIT: &str = "PricingUnit";
pub const PROVIDER_NAME: &str = "ProviderName";
pub const PUBLISHER_NAME: &str = "PublisherName";
pub const REGION_ID: &str = "RegionId";
pub const REGION_NAME: &str = "RegionName";
pub const RESOURCE_ID: &str = "ResourceId";
pub const RESOURCE_NAME: &str = "ResourceName";
pub const RESOURCE_TYPE: &str = "ResourceType";
pub const SERVICE_CATEGORY: &str = "ServiceCategory";
pub const SERVICE_NAME: &str = "ServiceName";
pub const SERVICE_SUBCATEGORY: &str = "ServiceSubcategory";
pub const SKU_ID: &str = "SkuId";
pub const SKU_METER: &str = "SkuMeter";
pub const SKU_PRICE_DETAILS: &str = "SkuPriceDetails";
pub const SKU_PRICE_ID: &str = "SkuPriceId";
pub const SUB_ACCOUNT_ID: &str = "SubAccountId";
pub const SUB_ACCOUNT_NAME: &str = "SubAccountName";
pub const SUB_ACCOUNT_TYPE: &str = "SubAccountType";
pub const TAGS: &str = "Tags";

// ---- x_ extensions ------------------------------------------------------------------------

/// The Skyledger cost account (17-digit id as text) the row belongs to. Null when the reader
/// does not know it; the cost store fills it when it writes the period.
pub const X_COST_ACCOUNT_ID: &str = "x_CostAccountId";
/// Cloud code as in the API (spec overview §7): 0 AWS, 1 Azure, 2 GCP, 3 OCI ([`CloudType`]).
/// Null for a FOCUS row whose `ProviderName` is none of these.
pub const X_CLOUD_TYPE: &str = "x_CloudType";
/// Which reader produced the row: [`SourceFormat::as_str`] (`focus`, `aws_cur`, …).
pub const X_SOURCE_FORMAT: &str = "x_SourceFormat";
/// Source file name (as given to the reader; for a multi-file delivery the member file).
pub const X_SOURCE_FILE: &str = "x_SourceFile";
/// 1-based line of the record in the (decompressed) source file; for Parquet the 0-based row
/// index within the file; for JSON lines the line number.
pub const X_SOURCE_LINE: &str = "x_SourceLine";
/// AWS blended cost (`lineItem/BlendedCost`). For other providers equal to `BilledCost`.
pub const X_BLENDED_COST: &str = "x_BlendedCost";
/// AWS unblended cost (`lineItem/UnblendedCost`). For other providers equal to `BilledCost`.
pub const X_UNBLENDED_COST: &str = "x_UnblendedCost";
/// Amortized cost: upfront and recurring commitment fees spread over the usage they cover.
/// Equal to `EffectiveCost` for every provider (AWS: reservation / savings-plan effective cost).
pub const X_AMORTIZED_COST: &str = "x_AmortizedCost";
/// Recurring cost: `x_UnblendedCost` of every row whose `ChargeFrequency` is not `One-Time`,
/// and 0 for one-time rows (upfront commitment purchases, one-off fees, refunds and credits
/// billed once). It answers "what do we pay every period" (AWS cost type 3 = Recurring).
pub const X_RECURRING_COST: &str = "x_RecurringCost";
/// The provider's own line/charge type, unmapped (AWS `lineItem/LineItemType`, Azure
/// `ChargeType`, GCP `cost_type`, OCI `lineItem/isCorrection`-derived, FOCUS `ChargeCategory`).
pub const X_LINE_ITEM_TYPE: &str = "x_LineItemType";
/// The provider's service code (AWS `lineItem/ProductCode`, Azure `MeterCategory`, GCP
/// `service.id`, OCI `product/service`).
pub const X_SERVICE_CODE: &str = "x_ServiceCode";
/// AWS `lineItem/UsageType`, Azure `MeterSubCategory`, GCP `sku.description`, OCI
/// `product/resource`.
pub const X_USAGE_TYPE: &str = "x_UsageType";
/// AWS `lineItem/Operation`; Azure `MeterName`.
pub const X_OPERATION: &str = "x_Operation";
/// AWS `product/instanceType`; Azure `AdditionalInfo.ServiceType`/VM size when present.
pub const X_INSTANCE_TYPE: &str = "x_InstanceType";
/// AWS `product/productFamily`, Azure `ServiceFamily`.
pub const X_PRODUCT_FAMILY: &str = "x_ProductFamily";
/// Azure resource group; GCP project id; otherwise null.
pub const X_RESOURCE_GROUP: &str = "x_ResourceGroup";
/// Credits on the row (GCP `credits[].amount` summed; negative). `BilledCost` already includes
/// them; this column only makes them visible. Null when the source has no such breakdown.
pub const X_CREDITS: &str = "x_Credits";

/// Columns that are never null in a batch of [`cost_row_schema`].
pub const NON_NULL_COLUMNS: &[&str] = &[
    BILLED_COST,
    BILLING_ACCOUNT_ID,
    BILLING_CURRENCY,
    BILLING_PERIOD_END,
    BILLING_PERIOD_START,
    CHARGE_CATEGORY,
    CHARGE_PERIOD_END,
    CHARGE_PERIOD_START,
    EFFECTIVE_COST,
    PROVIDER_NAME,
    X_SOURCE_FORMAT,
    X_SOURCE_FILE,
    X_SOURCE_LINE,
    X_BLENDED_COST,
    X_UNBLENDED_COST,
    X_AMORTIZED_COST,
    X_RECURRING_COST,
];

/// The kind of value a column holds; [`column_kind`] gives it by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// `Utf8`.
    Text,
    /// `Decimal128(38, MONEY_SCALE)`.
    Money,
    /// `Decimal128(38, QUANTITY_SCALE)`.
    Quantity,
    /// `Timestamp(Microsecond, "UTC")`.
    Timestamp,
    /// `Map<Utf8, Utf8>`.
    TagMap,
    /// `Int8`.
    Int8,
    /// `UInt64`.
    UInt64,
}

use ColumnKind::*;

/// Every column of the normalised row, in schema order, with its kind.
pub const COLUMNS: &[(&str, ColumnKind)] = &[
    (AVAILABILITY_ZONE, Text),
    (BILLED_COST, Money),
    (BILLING_ACCOUNT_ID, Text),
    (BILLING_ACCOUNT_NAME, Text),
    (BILLING_ACCOUNT_TYPE, Text),
    (BILLING_CURRENCY, Text),
    (BILLING_PERIOD_END, Timestamp),
    (BILLING_PERIOD_START, Timestamp),
    (CAPACITY_RESERVATION_ID, Text),
    (CAPACITY_RESERVATION_STATUS, Text),
    (CHARGE_CATEGORY, Text),
    (CHARGE_CLASS, Text),
    (CHARGE_DESCRIPTION, Text),
    (CHARGE_FREQUENCY, Text),
    (CHARGE_PERIOD_END, Timestamp),
    (CHARGE_PERIOD_START, Timestamp),
    (COMMITMENT_DISCOUNT_CATEGORY, Text),
    (COMMITMENT_DISCOUNT_ID, Text),
    (COMMITMENT_DISCOUNT_NAME, Text),
    (COMMITMENT_DISCOUNT_QUANTITY, Quantity),
    (COMMITMENT_DISCOUNT_STATUS, Text),
    (COMMITMENT_DISCOUNT_TYPE, Text),
    (COMMITMENT_DISCOUNT_UNIT, Text),
    (CONSUMED_QUANTITY, Quantity),
    (CONSUMED_UNIT, Text),
    (CONTRACTED_COST, Money),
    (CONTRACTED_UNIT_PRICE, Money),
    (EFFECTIVE_COST, Money),
    (INVOICE_ID, Text),
    (INVOICE_ISSUER_NAME, Text),
    (LIST_COST, Money),
    (LIST_UNIT_PRICE, Money),
    (PRICING_CATEGORY, Text),
    (PRICING_CURRENCY, Text),
    (PRICING_CURRENCY_CONTRACTED_UNIT_PRICE, Money),
    (PRICING_CURRENCY_EFFECTIVE_COST, Money),
    (PRICING_CURRENCY_LIST_UNIT_PRICE, Money),
    (PRICING_QUANTITY, Quantity),
    (PRICING_UNIT, Text),
    (PROVIDER_NAME, Text),
    (PUBLISHER_NAME, Text),
    (REGION_ID, Text),
    (REGION_NAME, Text),
    (RESOURCE_ID, Text),
    (RESOURCE_NAME, Text),
    (RESOURCE_TYPE, Text),
    (SERVICE_CATEGORY, Text),
    (SERVICE_NAME, Text),
    (SERVICE_SUBCATEGORY, Text),
    (SKU_ID, Text),
    (SKU_METER, Text),
    (SKU_PRICE_DETAILS, Text),
    (SKU_PRICE_ID, Text),
    (SUB_ACCOUNT_ID, Text),
    (SUB_ACCOUNT_NAME, Text),
    (SUB_ACCOUNT_TYPE, Text),
    (TAGS, TagMap),
    (X_COST_ACCOUNT_ID, Text),
    (X_CLOUD_TYPE, Int8),
    (X_SOURCE_FORMAT, Text),
    (X_SOURCE_FILE, Text),
    (X_SOURCE_LINE, UInt64),
    (X_BLENDED_COST, Money),
    (X_UNBLENDED_COST, Money),
    (X_AMORTIZED_COST, Money),
    (X_RECURRING_COST, Money),
    (X_LINE_ITEM_TYPE, Text),
    (X_SERVICE_CODE, Text),
    (X_USAGE_TYPE, Text),
    (X_OPERATION, Text),
    (X_INSTANCE_TYPE, Text),
    (X_PRODUCT_FAMILY, Text),
    (X_RESOURCE_GROUP, Text),
    (X_CREDITS, Money),
];

/// The kind of the named column, or `None` if the schema has no such column.
pub fn column_kind(name: &str) -> Option<ColumnKind> {
    COLUMNS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// Arrow type of a money column.
pub fn money_type() -> DataType {
    DataType::Decimal128(DECIMAL_PRECISION, MONEY_SCALE)
}

/// Arrow type of a quantity column.
pub fn quantity_type() -> DataType {
    DataType::Decimal128(DECIMAL_PRECISION, QUANTITY_SCALE)
}

/// Arrow type of a timestamp column.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(TIMESTAMP_TZ.into()))
}

/// Arrow type of the `Tags` column: `Map<Utf8 (non-null), Utf8 (nullable)>`, unsorted, with
/// the entry names `entries` / `keys` / `values` that Arrow's `MapBuilder` uses by default.
pub fn tags_type() -> DataType {
    let entries = Field::new(
        "entries",
        DataType::Struct(Fields::from(vec![
            Field::new("keys", DataType::Utf8, false),
            Field::new("values", DataType::Utf8, true),
        ])),
        false,
    );
    DataType::Map(Arc::new(entries), false)
}

impl ColumnKind {
    /// The Arrow type of a column of this kind.
    pub fn data_type(self) -> DataType {
        match self {
            Text => DataType::Utf8,
            Money => money_type(),
            Quantity => quantity_type(),
            Timestamp => timestamp_type(),
            TagMap => tags_type(),
            Int8 => DataType::Int8,
            UInt64 => DataType::UInt64,
        }
    }
}

/// The normalised cost row schema (built once, shared).
pub fn cost_row_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let fields: Vec<Field> = COLUMNS
                .iter()
                .map(|(name, kind)| {
                    Field::new(*name, kind.data_type(), !NON_NULL_COLUMNS.contains(name))
                })
                .collect();
            Arc::new(Schema::new(fields))
        })
        .clone()
}

/// Index of a column in [`cost_row_schema`]; `None` for an unknown name.
pub fn column_index(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|(n, _)| *n == name)
}

/// Cloud codes of the API (spec overview §7: 0 AWS, 1 Azure, 2 GCP; OCI is ours: 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloudType {
    Aws = 0,
    Azure = 1,
    Gcp = 2,
    /// Not in the CloudSpend spec; Skyledger's own code.
    Oci = 3,
}

impl CloudType {
    /// The numeric code stored in `x_CloudType`.
    pub fn code(self) -> i8 {
        self as i8
    }

    /// The cloud's short name: `AWS`, `Azure`, `GCP`, `OCI`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Aws => "AWS",
            Self::Azure => "Azure",
            Self::Gcp => "GCP",
            Self::Oci => "OCI",
        }
    }

    /// Parse a stored code.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Aws),
            1 => Some(Self::Azure),
            2 => Some(Self::Gcp),
            3 => Some(Self::Oci),
            _ => None,
        }
    }

    /// Classify a FOCUS `ProviderName` ("AWS", "Microsoft", "Google Cloud", "Oracle", …).
    pub fn from_provider_name(name: &str) -> Option<Self> {
        let n = name.trim().to_ascii_lowercase();
        if n == "aws" || n.starts_with("amazon") {
            Some(Self::Aws)
        } else if n.starts_with("microsoft") || n.starts_with("azure") {
            Some(Self::Azure)
        } else if n.starts_with("google") || n == "gcp" {
            Some(Self::Gcp)
        } else if n.starts_with("oracle") || n == "oci" {
            Some(Self::Oci)
        } else {
            None
        }
    }
}

/// The API's cost calculation types (spec overview §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CostType {
    /// 0: AWS blended.
    Blended,
    /// 1: AWS unblended.
    Unblended,
    /// 2: AWS amortized (reservation and savings-plan effective cost).
    Amortized,
    /// 3: AWS recurring (see [`X_RECURRING_COST`]).
    Recurring,
    /// 20: actual (billed) cost, Azure and GCP.
    Actual,
}

impl CostType {
    /// Parse an API `cost_type` code.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Blended),
            1 => Some(Self::Unblended),
            2 => Some(Self::Amortized),
            3 => Some(Self::Recurring),
            20 => Some(Self::Actual),
            _ => None,
        }
    }

    /// The API code.
    pub fn code(self) -> i64 {
        match self {
            Self::Blended => 0,
            Self::Unblended => 1,
            Self::Amortized => 2,
            Self::Recurring => 3,
            Self::Actual => 20,
        }
    }

    /// The money column to sum for this cost type. Every row fills all of them, so any
    /// cost type can be asked of any provider (for non-AWS rows blended = unblended = billed).
    pub fn column(self) -> &'static str {
        match self {
            Self::Blended => X_BLENDED_COST,
            Self::Unblended => X_UNBLENDED_COST,
            Self::Amortized => X_AMORTIZED_COST,
            Self::Recurring => X_RECURRING_COST,
            Self::Actual => BILLED_COST,
        }
    }

    /// All cost types.
    pub const ALL: [CostType; 5] = [
        Self::Blended,
        Self::Unblended,
        Self::Amortized,
        Self::Recurring,
        Self::Actual,
    ];
}

/// The column to sum for an API `cost_type` code; `None` for an unknown code.
pub fn cost_column_for_code(code: i64) -> Option<&'static str> {
    CostType::from_code(code).map(CostType::column)
}

/// The billing format a row came from (`x_SourceFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Focus,
    AwsCur,
    AwsCur2,
    Azure,
    Gcp,
    Oci,
}

impl SourceFormat {
    /// The value stored in `x_SourceFormat` (and accepted by `--format`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Focus => "focus",
            Self::AwsCur => "aws_cur",
            Self::AwsCur2 => "aws_cur2",
            Self::Azure => "azure",
            Self::Gcp => "gcp",
            Self::Oci => "oci",
        }
    }

    /// All formats, in the order they are listed to users.
    pub const ALL: [SourceFormat; 6] = [
        Self::Focus,
        Self::AwsCur,
        Self::AwsCur2,
        Self::Azure,
        Self::Gcp,
        Self::Oci,
    ];

    /// Parse a `--format` value (the [`as_str`](Self::as_str) names).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_has_every_focus_1_2_column_once() {
        let schema = cost_row_schema();
        // The FOCUS 1.2 Cost and Usage columns (In_v1_2 = Y in focus-cost-and-usage-columns.csv).
        let focus_1_2 = [
            "AvailabilityZone",
            "BilledCost",
            "BillingAccountId",
            "BillingAccountName",
            "BillingAccountType",
            "BillingCurrency",
            "BillingPeriodEnd",
            "BillingPeriodStart",
            "CapacityReservationId",
            "CapacityReservationStatus",
            "ChargeCategory",
            "ChargeClass",
            "ChargeDescription",
            "ChargeFrequency",
            "ChargePeriodEnd",
            "ChargePeriodStart",
            "CommitmentDiscountCategory",
            "CommitmentDiscountId",
            "CommitmentDiscountName",
            "CommitmentDiscountQuantity",
            "CommitmentDiscountStatus",
            "CommitmentDiscountType",
            "CommitmentDiscountUnit",
            "ConsumedQuantity",
            "ConsumedUnit",
            "ContractedCost",
            "ContractedUnitPrice",
            "EffectiveCost",
            "InvoiceId",
            "InvoiceIssuerName",
            "ListCost",
            "ListUnitPrice",
            "PricingCategory",
            "PricingCurrency",
            "PricingCurrencyContractedUnitPrice",
            "PricingCurrencyEffectiveCost",
            "PricingCurrencyListUnitPrice",
            "PricingQuantity",
            "PricingUnit",
            "ProviderName",
            "PublisherName",
            "RegionId",
            "RegionName",
            "ResourceId",
            "ResourceName",
            "ResourceType",
            "ServiceCategory",
            "ServiceName",
            "ServiceSubcategory",
            "SkuId",
            "SkuMeter",
            "SkuPriceDetails",
            "SkuPriceId",
            "SubAccountId",
            "SubAccountName",
            "SubAccountType",
            "Tags",
        ];
        for c in focus_1_2 {
            assert!(schema.field_with_name(c).is_ok(), "missing {c}");
        }
        let focus_count = schema
            .fields()
            .iter()
            .filter(|f| !f.name().starts_with("x_"))
            .count();
        assert_eq!(focus_count, focus_1_2.len());
        let mut names: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COLUMNS.len());
    }

    #[test]
    fn money_keeps_the_finest_fixture_digit() {
        // 0.000000007292255759239199 (Azure amortized sample) has 24 fractional digits.
        assert_eq!(
            cost_row_schema()
                .field_with_name(BILLED_COST)
                .unwrap()
                .data_type(),
            &DataType::Decimal128(38, 24)
        );
        assert_eq!(column_kind(CONSUMED_QUANTITY), Some(Quantity));
        assert!(
            !cost_row_schema()
                .field_with_name(BILLED_COST)
                .unwrap()
                .is_nullable()
        );
        assert!(
            cost_row_schema()
                .field_with_name(TAGS)
                .unwrap()
                .is_nullable()
        );
    }

    #[test]
    fn cost_type_codes_map_to_columns() {
        assert_eq!(cost_column_for_code(0), Some(X_BLENDED_COST));
        assert_eq!(cost_column_for_code(1), Some(X_UNBLENDED_COST));
        assert_eq!(cost_column_for_code(2), Some(X_AMORTIZED_COST));
        assert_eq!(cost_column_for_code(3), Some(X_RECURRING_COST));
        assert_eq!(cost_column_for_code(20), Some(BILLED_COST));
        assert_eq!(cost_column_for_code(7), None);
        for t in CostType::ALL {
            assert_eq!(CostType::from_code(t.code()), Some(t));
            assert!(column_index(t.column()).is_some());
        }
    }

    #[test]
    fn provider_names_classify() {
        assert_eq!(CloudType::from_provider_name("AWS"), Some(CloudType::Aws));
        assert_eq!(
            CloudType::from_provider_name("Microsoft"),
            Some(CloudType::Azure)
        );
        assert_eq!(
            CloudType::from_provider_name("Google Cloud"),
            Some(CloudType::Gcp)
        );
        assert_eq!(
            CloudType::from_provider_name("Oracle"),
            Some(CloudType::Oci)
        );
        assert_eq!(CloudType::from_provider_name("Snowflake"), None);
        assert_eq!(SourceFormat::parse("aws_cur2"), Some(SourceFormat::AwsCur2));
    }
}

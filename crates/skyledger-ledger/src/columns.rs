//! Names of the normalised cost row columns the store reads (FOCUS 1.2 plus `x_` extras).

pub const BILLED_COST: &str = "BilledCost";
pub const EFFECTIVE_COST: &str = "EffectiveCost";
pub const LIST_COST: &str = "ListCost";
pub const CONTRACTED_COST: &str = "ContractedCost";
pub const BLENDED_COST: &str = "x_BlendedCost";
pub const CHARGE_PERIOD_START: &str = "ChargePeriodStart";
pub const BILLING_PERIOD_START: &str = "BillingPeriodStart";
pub const BILLING_ACCOUNT_ID: &str = "BillingAccountId";
pub const SUB_ACCOUNT_ID: &str = "SubAccountId";
pub const SERVICE_NAME: &str = "ServiceName";
pub const REGION_ID: &str = "RegionId";
pub const RESOURCE_ID: &str = "ResourceId";
pub const CHARGE_CATEGORY: &str = "ChargeCategory";
pub const BILLING_CURRENCY: &str = "BillingCurrency";
pub const TAGS: &str = "Tags";
pub const COST_ACCOUNT_ID: &str = "x_CostAccountId";
pub const USAGE_TYPE: &str = "x_UsageType";
pub const INSTANCE_TYPE: &str = "x_InstanceType";
/// Rollup only: number of line items summed into the rollup row.
pub const ROW_COUNT: &str = "x_RowCount";

/// Money columns summed in rollups (those present in the store's schema).
pub const MONEY: [&str; 5] = [
    BILLED_COST,
    EFFECTIVE_COST,
    LIST_COST,
    CONTRACTED_COST,
    BLENDED_COST,
];

/// Columns the daily rollup keeps, besides the day (ChargePeriodStart truncated to the UTC day).
pub const ROLLUP_DIMENSIONS: [&str; 7] = [
    COST_ACCOUNT_ID,
    BILLING_ACCOUNT_ID,
    SUB_ACCOUNT_ID,
    SERVICE_NAME,
    REGION_ID,
    CHARGE_CATEGORY,
    BILLING_CURRENCY,
];

//! Column names the store reads (from `skyledger_types::cost_row`) and the rollup's own.

pub use skyledger_types::cost_row::{
    BILLED_COST, BILLING_ACCOUNT_ID, BILLING_CURRENCY, BILLING_PERIOD_START, CHARGE_CATEGORY,
    CHARGE_PERIOD_START, EFFECTIVE_COST, REGION_ID, RESOURCE_ID, SERVICE_NAME, SUB_ACCOUNT_ID,
    TAGS, X_COST_ACCOUNT_ID as COST_ACCOUNT_ID, X_INSTANCE_TYPE as INSTANCE_TYPE,
    X_SOURCE_LINE as SOURCE_LINE, X_USAGE_TYPE as USAGE_TYPE,
};
use skyledger_types::cost_row::{
    BILLING_PERIOD_END, CHARGE_PERIOD_END, CostType, LIST_COST, X_OPERATION, X_RESOURCE_GROUP,
};

/// Columns the query filters name (`query::filter`), and the period bounds: the only ones
/// whose row-group minimum and maximum can prune a read, so the only ones written with
/// statistics (comparing every 16-byte decimal and long text for nothing cost ingest time).
pub const PRUNING: [&str; 14] = [
    CHARGE_PERIOD_START,
    CHARGE_PERIOD_END,
    BILLING_PERIOD_START,
    BILLING_PERIOD_END,
    COST_ACCOUNT_ID,
    BILLING_ACCOUNT_ID,
    SUB_ACCOUNT_ID,
    SERVICE_NAME,
    REGION_ID,
    RESOURCE_ID,
    CHARGE_CATEGORY,
    USAGE_TYPE,
    X_OPERATION,
    X_RESOURCE_GROUP,
];

/// Rollup only: number of line items summed into the rollup row.
pub const ROW_COUNT: &str = "x_RowCount";

/// Money columns summed in rollups (those present in the store's schema): every cost type's
/// column, plus FOCUS EffectiveCost and ListCost.
pub fn money() -> Vec<&'static str> {
    let mut m: Vec<&'static str> = CostType::ALL.iter().map(|c| c.column()).collect();
    for extra in [EFFECTIVE_COST, LIST_COST] {
        if !m.contains(&extra) {
            m.push(extra);
        }
    }
    m
}

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

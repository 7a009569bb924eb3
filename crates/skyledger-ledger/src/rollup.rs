//! Daily rollups: per period, line items summed by UTC day and the main dimensions.
//!
//! A rollup has the line items' column names (ChargePeriodStart holds the day), so the same
//! query plan runs on either; queries without tag, resource, usage-type or instance-type
//! terms read the rollup instead of the line items.

use std::sync::Arc;

use datafusion::arrow::compute;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::functions::datetime::expr_fn::date_trunc;
use datafusion::functions_aggregate::expr_fn::{count, sum};
use datafusion::logical_expr::{cast, lit};
use datafusion::prelude::ident;

use crate::columns as c;
use crate::error::Result;

/// The rollup schema derived from the line-item schema: day, the rollup dimensions and money
/// columns it has, and the line-item count. All nullable.
pub(crate) fn schema(items: &Schema) -> SchemaRef {
    let mut fields = vec![];
    let mut push = |name: &str, ty: Option<DataType>| {
        if let Ok(f) = items.field_with_name(name) {
            fields.push(Field::new(name, ty.unwrap_or(f.data_type().clone()), true));
        }
    };
    push(c::CHARGE_PERIOD_START, None);
    for d in c::ROLLUP_DIMENSIONS {
        push(d, None);
    }
    for m in c::money() {
        let widened = match items.field_with_name(m).map(|f| f.data_type().clone()) {
            Ok(DataType::Decimal128(_, s)) => Some(DataType::Decimal128(38, s)),
            _ => None,
        };
        push(m, widened);
    }
    fields.push(Field::new(c::ROW_COUNT, DataType::Int64, true));
    Arc::new(Schema::new(fields))
}

/// The aggregation of `items` into rollup rows (columns in `rollup` order).
pub(crate) fn plan(items: DataFrame, rollup: &Schema) -> Result<DataFrame> {
    let mut groups = vec![];
    let mut aggs = vec![];
    for f in rollup.fields() {
        let name = f.name().as_str();
        if name == c::CHARGE_PERIOD_START {
            // Truncate the naive UTC value (no per-value zone conversion); `conform` casts back.
            let utc = cast(
                ident(name),
                DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Microsecond, None),
            );
            groups.push(date_trunc(lit("day"), utc).alias(name));
        } else if name == c::ROW_COUNT {
            aggs.push(count(lit(1)).alias(name));
        } else if c::money().contains(&name) {
            aggs.push(sum(ident(name)).alias(name));
        } else {
            groups.push(ident(name));
        }
    }
    Ok(items.aggregate(groups, aggs)?)
}

/// Casts an aggregated batch to the rollup schema.
pub(crate) fn conform(batch: &RecordBatch, rollup: &SchemaRef) -> Result<RecordBatch> {
    let columns = rollup
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(f, col)| compute::cast(col, f.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(Arc::clone(rollup), columns)?)
}

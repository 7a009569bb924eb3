//! Daily rollups: per period, line items summed by UTC day and the main dimensions.
//!
//! A rollup has the line items' column names (ChargePeriodStart holds the day), so the same
//! query plan runs on either; queries without tag, resource, usage-type or instance-type
//! terms read the rollup instead of the line items.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Array, Int64Array};
use datafusion::arrow::compute;
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Field, Schema, SchemaRef, TimeUnit, TimestampMicrosecondType,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::row::{RowConverter, Rows, SortField};
// hashbrown with foldhash: group keys are ~100 bytes and looked up for every line item, where
// std's SipHash took ~550 instructions a key.
use datafusion::common::HashMap;

use crate::columns as c;
use crate::error::{LedgerError, Result};

const DAY_US: i64 = 86_400_000_000;

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

/// Sums of one period's line items by UTC day and the rollup dimensions, folded in batch by
/// batch while the line items are encoded (so the rollup never re-reads them). SQL `SUM`
/// semantics: nulls are skipped, a group with only nulls sums to null.
pub(crate) struct DailySums {
    schema: SchemaRef,
    day: &'static str,
    /// Line-item column index of each rollup dimension, in rollup order.
    dims: Vec<usize>,
    /// Line-item column index of each money column, in rollup order.
    money: Vec<usize>,
    /// Rollup column types of the day and the dimensions (the group key).
    key_types: Vec<DataType>,
    converter: RowConverter,
    /// Group key (row-format bytes) → group number.
    groups: HashMap<Box<[u8]>, usize>,
    keys: Rows,
    /// `groups × money` sums, row-major; `None` until a non-null value is added.
    sums: Vec<Option<i128>>,
    counts: Vec<i64>,
}

impl DailySums {
    /// Sums for line items of `items` into rows of `rollup` (from [`schema`]).
    pub(crate) fn new(items: &Schema, rollup: &SchemaRef) -> Result<Self> {
        let index = |name: &str| {
            items.index_of(name).map_err(|_| LedgerError::InvalidInput {
                batch: 0,
                reason: format!("the store schema lacks {name:?}"),
            })
        };
        let (mut dims, mut money, mut key_types) = (vec![], vec![], vec![]);
        for f in rollup.fields() {
            let name = f.name().as_str();
            if name == c::ROW_COUNT {
                continue;
            }
            if name == c::CHARGE_PERIOD_START {
                key_types.insert(0, f.data_type().clone());
            } else if c::money().contains(&name) {
                if !matches!(f.data_type(), DataType::Decimal128(_, _)) {
                    return Err(LedgerError::InvalidInput {
                        batch: 0,
                        reason: format!(
                            "rollups sum Decimal128 money columns; {name:?} is {}",
                            f.data_type()
                        ),
                    });
                }
                money.push(index(name)?);
            } else {
                dims.push(index(name)?);
                key_types.push(f.data_type().clone());
            }
        }
        let converter = RowConverter::new(
            key_types
                .iter()
                .map(|t| SortField::new(t.clone()))
                .collect(),
        )?;
        let keys = converter.empty_rows(1024, 64 * 1024);
        Ok(Self {
            schema: Arc::clone(rollup),
            day: c::CHARGE_PERIOD_START,
            dims,
            money,
            key_types,
            converter,
            groups: HashMap::new(),
            keys,
            sums: Vec::new(),
            counts: Vec::new(),
        })
    }

    /// Adds a batch of line items (of the `items` schema given to [`new`](Self::new)).
    pub(crate) fn add(&mut self, batch: &RecordBatch) -> Result<()> {
        let starts = crate::writer::micros(batch, self.day)?;
        let days = starts.unary::<_, TimestampMicrosecondType>(|t| t.div_euclid(DAY_US) * DAY_US);
        let day: ArrayRef = match &self.key_types[0] {
            DataType::Timestamp(TimeUnit::Microsecond, tz) => {
                Arc::new(days.with_timezone_opt(tz.clone()))
            }
            other => compute::cast(&days, other)?,
        };
        let mut key_columns = Vec::with_capacity(1 + self.dims.len());
        key_columns.push(day);
        key_columns.extend(self.dims.iter().map(|&i| Arc::clone(batch.column(i))));
        let rows = self.converter.convert_columns(&key_columns)?;
        let money: Vec<&Decimal128Array> = self
            .money
            .iter()
            .map(|&i| {
                batch
                    .column(i)
                    .as_primitive_opt::<Decimal128Type>()
                    .ok_or_else(|| LedgerError::InvalidInput {
                        batch: 0,
                        reason: format!("{:?} is not Decimal128", batch.schema().field(i).name()),
                    })
            })
            .collect::<Result<_>>()?;
        let m = money.len();
        let mut last: Option<(usize, usize)> = None;
        for r in 0..batch.num_rows() {
            let row = rows.row(r);
            // Consecutive line items often share a group; compare with the previous row first.
            let g = match last {
                Some((prev, g)) if rows.row(prev) == row => g,
                _ => match self.groups.get(row.as_ref()) {
                    Some(&g) => g,
                    None => {
                        let g = self.counts.len();
                        self.groups.insert(row.as_ref().into(), g);
                        self.keys.push(row);
                        self.counts.push(0);
                        self.sums.resize(self.sums.len() + m, None);
                        g
                    }
                },
            };
            last = Some((r, g));
            self.counts[g] += 1;
            for (j, a) in money.iter().enumerate() {
                if a.is_valid(r) {
                    let s = &mut self.sums[g * m + j];
                    *s = Some(s.unwrap_or(0).checked_add(a.value(r)).ok_or_else(|| {
                        LedgerError::InvalidInput {
                            batch: 0,
                            reason: "a daily rollup sum overflows Decimal128".into(),
                        }
                    })?);
                }
            }
        }
        Ok(())
    }

    /// The rollup rows (in no particular order).
    pub(crate) fn finish(self) -> Result<RecordBatch> {
        let mut keys = self.converter.convert_rows(self.keys.iter())?.into_iter();
        let m = self.money.len();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        let mut money_no = 0;
        for f in self.schema.fields() {
            let name = f.name().as_str();
            if name == c::ROW_COUNT {
                columns.push(Arc::new(Int64Array::from(self.counts.clone())));
            } else if let DataType::Decimal128(p, s) = f.data_type()
                && c::money().contains(&name)
            {
                let j = money_no;
                money_no += 1;
                let sums: Decimal128Array = (0..self.counts.len())
                    .map(|g| self.sums[g * m + j])
                    .collect();
                columns.push(Arc::new(sums.with_precision_and_scale(*p, *s)?));
            } else {
                columns.push(keys.next().ok_or_else(|| {
                    LedgerError::Internal("rollup key columns out of step".into())
                })?);
            }
        }
        Ok(RecordBatch::try_new(Arc::clone(&self.schema), columns)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{StringArray, TimestampMicrosecondArray};
    use datafusion::arrow::datatypes::Int64Type;

    #[test]
    fn sums_group_by_day_and_dimensions_with_sql_null_rules() {
        let money = DataType::Decimal128(38, 24);
        let items = Arc::new(Schema::new(vec![
            Field::new(
                c::CHARGE_PERIOD_START,
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                false,
            ),
            Field::new(c::SERVICE_NAME, DataType::Utf8, true),
            Field::new(c::BILLED_COST, money.clone(), false),
            Field::new(skyledger_types::cost_row::LIST_COST, money, true),
        ]));
        let rollup = schema(&items);
        let mut sums = DailySums::new(&items, &rollup).unwrap();
        let day = DAY_US;
        let dec = |v: Vec<Option<i128>>| -> ArrayRef {
            Arc::new(
                Decimal128Array::from(v)
                    .with_precision_and_scale(38, 24)
                    .unwrap(),
            )
        };
        // Day 0 (midnight and noon) for service A, day 1 for A, day 1 for no service.
        let batch = RecordBatch::try_new(
            Arc::clone(&items),
            vec![
                Arc::new(
                    TimestampMicrosecondArray::from(vec![0, day / 2, day, day + 1])
                        .with_timezone("UTC"),
                ),
                Arc::new(StringArray::from(vec![
                    Some("A"),
                    Some("A"),
                    Some("A"),
                    None,
                ])),
                dec(vec![Some(1), Some(2), Some(5), Some(7)]),
                dec(vec![None, None, Some(3), None]),
            ],
        )
        .unwrap();
        sums.add(&batch).unwrap();
        sums.add(&batch.slice(0, 1)).unwrap();
        let out = sums.finish().unwrap();
        assert_eq!(out.schema(), rollup);
        let days = out.column(0).as_primitive::<TimestampMicrosecondType>();
        let service = out.column(1).as_string::<i32>();
        let billed = out.column(2).as_primitive::<Decimal128Type>();
        let list = out.column(3).as_primitive::<Decimal128Type>();
        let count = out.column(4).as_primitive::<Int64Type>();
        let mut got: Vec<_> = (0..out.num_rows())
            .map(|i| {
                (
                    days.value(i),
                    service.is_valid(i).then(|| service.value(i).to_string()),
                    billed.value(i),
                    list.is_valid(i).then(|| list.value(i)),
                    count.value(i),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                (0, Some("A".into()), 1 + 2 + 1, None, 3),
                (day, None, 7, None, 1),
                (day, Some("A".into()), 5, Some(3), 1),
            ]
        );
    }
}

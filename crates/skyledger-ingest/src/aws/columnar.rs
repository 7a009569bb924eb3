//! [`AwsMapper::map_row`] for a whole Parquet batch at once (CUR 2.0 / Data Exports): the same
//! rules, column by column. Rules that depend on text (line item type, purchase option, product
//! code) run once per distinct value of the source's dictionary.

use skyledger_types::cost_row::{CloudType, MONEY_SCALE, QUANTITY_SCALE};

use super::{AwsMapper, plain_copies, service_category};
use crate::columnar::{
    Decimals, MappedColumns, SourceColumns, TagColumn, Text, coalesce, constant, from_codes,
    opt_decimals, opt_text, strings,
};
use crate::decimal::checked_sum;
use crate::row::c;
use crate::time::{month_start, next_month_start};

/// `lineItem/LineItemType` values the rules tell apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    Usage,
    Tax,
    Fee,
    RiFee,
    SpUpfrontFee,
    SpRecurringFee,
    Credit,
    Refund,
    SpCoveredUsage,
    SpNegation,
    DiscountedUsage,
}

impl Item {
    fn of(s: Option<&str>) -> Self {
        match s.unwrap_or("") {
            "Tax" => Item::Tax,
            "Fee" => Item::Fee,
            "RIFee" => Item::RiFee,
            "SavingsPlanUpfrontFee" => Item::SpUpfrontFee,
            "SavingsPlanRecurringFee" => Item::SpRecurringFee,
            "Credit" => Item::Credit,
            "Refund" => Item::Refund,
            "SavingsPlanCoveredUsage" => Item::SpCoveredUsage,
            "SavingsPlanNegation" => Item::SpNegation,
            "DiscountedUsage" => Item::DiscountedUsage,
            _ => Item::Usage,
        }
    }
}

/// `ChargeCategory` codes into [`CATEGORIES`].
const CATEGORIES: [Option<&str>; 5] = [
    Some("Usage"),
    Some("Tax"),
    Some("Purchase"),
    Some("Credit"),
    Some("Adjustment"),
];
/// `ChargeFrequency` codes into [`FREQUENCIES`]; 1 is one-time.
const FREQUENCIES: [Option<&str>; 3] = [Some("Usage-Based"), Some("One-Time"), Some("Recurring")];
const ONE_TIME: u8 = 1;

fn category(item: Item) -> u8 {
    match item {
        Item::Tax => 1,
        Item::Fee | Item::RiFee | Item::SpUpfrontFee | Item::SpRecurringFee => 2,
        Item::Credit => 3,
        Item::Refund => 4,
        _ => 0,
    }
}

fn frequency(item: Item, bill_type: Option<&str>) -> u8 {
    match item {
        Item::RiFee | Item::SpRecurringFee => 2,
        Item::Fee | Item::SpUpfrontFee | Item::Credit | Item::Refund => ONE_TIME,
        Item::Tax if matches!(bill_type, Some("Purchase" | "Refund")) => ONE_TIME,
        Item::Tax => 2,
        _ => 0,
    }
}

/// The text of a row of an optional column.
fn get<'a>(t: &Option<Text<'a>>, row: usize) -> Option<&'a str> {
    t.as_ref().and_then(|t| t.get(row))
}

/// Codes of an optional column (`f(None)` for every row when the file lacks it).
fn codes<'a, T: Copy>(
    t: &Option<Text<'a>>,
    rows: usize,
    mut f: impl FnMut(Option<&'a str>) -> T,
) -> Vec<T> {
    match t {
        Some(t) => t.codes(rows, f),
        None => vec![f(None); rows],
    }
}

impl AwsMapper {
    /// See [`Mapper::map_columns`](crate::source::Mapper::map_columns).
    pub(super) fn columns(&self, src: &dyn SourceColumns) -> Option<MappedColumns> {
        let k = &self.k;
        let rows = src.rows();
        let mut out = MappedColumns::new(rows);
        let text = |col| opt_text(src, col);
        let money = |col| opt_decimals(src, col, MONEY_SCALE as u32);

        out.text(c::PROVIDER_NAME, constant("AWS", rows));
        let ids = [
            (c::BILLING_ACCOUNT_ID, k.payer),
            (c::SUB_ACCOUNT_ID, k.usage_account),
            (c::BILLING_CURRENCY, k.currency),
        ];
        for (o, s) in ids.into_iter().chain(plain_copies(k)) {
            out.copy_text(o, text(s)?)?;
        }
        for (o, first, second) in [
            (c::INVOICE_ISSUER_NAME, k.invoicing_entity, k.legal_entity),
            // Marketplace rows: bill/BillingEntity = "AWS Marketplace", the seller in LegalEntity.
            (c::PUBLISHER_NAME, k.legal_entity, k.billing_entity),
            (c::REGION_ID, k.region_code, k.region),
            (c::SKU_PRICE_ID, k.rate_code, k.rate_id),
        ] {
            if let Some(a) = coalesce(rows, text(first)?, text(second)?) {
                out.text(o, a);
            }
        }

        // Timestamps: typed and complete, or the row path reads them.
        let charge_start = src.micros(k.start?)?;
        let bp_start = match k.bp_start {
            Some(col) => src.micros(col)?,
            None => charge_start.iter().map(|&t| month_start(t)).collect(),
        };
        let bp_end = match k.bp_end {
            Some(col) => src.micros(col)?,
            None => bp_start.iter().map(|&t| next_month_start(t)).collect(),
        };
        let charge_end = match k.end {
            Some(col) => src.micros(col)?,
            // A provider giving only a usage day: the charge period is that day.
            None => charge_start.iter().map(|&t| t + 86_400_000_000).collect(),
        };
        out.micros(c::BILLING_PERIOD_START, bp_start);
        out.micros(c::BILLING_PERIOD_END, bp_end);
        out.micros(c::CHARGE_PERIOD_START, charge_start);
        out.micros(c::CHARGE_PERIOD_END, charge_end);

        // Line item types: category, class, frequency, commitment status, effective cost.
        let items = codes(&text(k.item_type)?, rows, Item::of);
        let bill_types = codes(&text(k.bill_type)?, rows, |s| match s {
            Some("Purchase") => 1u8,
            Some("Refund") => 2,
            _ => 0,
        });
        let freq: Vec<u8> = items
            .iter()
            .zip(&bill_types)
            .map(|(&i, &b)| {
                let bill = [None, Some("Purchase"), Some("Refund")][b as usize];
                frequency(i, bill)
            })
            .collect();
        let cats: Vec<u8> = items.iter().map(|&i| category(i)).collect();
        out.text(c::CHARGE_CATEGORY, from_codes(&cats, &CATEGORIES));
        if items.contains(&Item::Refund) {
            let class: Vec<u8> = items.iter().map(|&i| u8::from(i == Item::Refund)).collect();
            out.text(
                c::CHARGE_CLASS,
                from_codes(&class, &[None, Some("Correction")]),
            );
        }
        out.text(c::CHARGE_FREQUENCY, from_codes(&freq, &FREQUENCIES));
        let used: Vec<u8> = items
            .iter()
            .map(|&i| u8::from(matches!(i, Item::SpCoveredUsage | Item::DiscountedUsage)))
            .collect();
        if used.contains(&1) {
            out.text(
                c::COMMITMENT_DISCOUNT_STATUS,
                from_codes(&used, &[None, Some("Used")]),
            );
        }

        let unblended = money(k.unblended)?;
        let net = money(k.net_unblended)?;
        let blended_src = money(k.blended)?;
        let unblended_v: Vec<i128> = (0..rows).map(|r| unblended.or_zero(r)).collect();
        let pick = |d: &Decimals, r: usize| {
            if d.is_valid(r) {
                d.values[r]
            } else {
                unblended_v[r]
            }
        };
        let billed: Vec<i128> = (0..rows).map(|r| pick(&net, r)).collect();
        let blended: Vec<i128> = (0..rows).map(|r| pick(&blended_src, r)).collect();
        // spec mapping: focus_converters aws-cur.csv EffectiveCost.
        let any = |want: &[Item]| items.iter().any(|i| want.contains(i));
        let lazy = |col, want: &[Item]| {
            if any(want) {
                money(col)
            } else {
                Some(Decimals::null(rows))
            }
        };
        let sp_effective = lazy(k.sp_effective, &[Item::SpCoveredUsage])?;
        let sp_total = lazy(k.sp_total_commitment, &[Item::SpRecurringFee])?;
        let sp_used = lazy(k.sp_used_commitment, &[Item::SpRecurringFee])?;
        let ri_effective = lazy(k.ri_effective, &[Item::DiscountedUsage])?;
        let ri_unused_upfront = lazy(k.ri_unused_upfront, &[Item::RiFee])?;
        let ri_unused_recurring = lazy(k.ri_unused_recurring, &[Item::RiFee])?;
        let ri_arn = text(k.ri_arn)?;
        // A sum past 38 digits declines the batch: the row mapper reports it at its line.
        let effective: Vec<i128> = (0..rows)
            .map(|r| match items[r] {
                Item::SpCoveredUsage => Some(sp_effective.or_zero(r)),
                Item::SpRecurringFee => checked_sum(sp_total.or_zero(r), -sp_used.or_zero(r)),
                Item::SpNegation | Item::SpUpfrontFee => Some(0),
                Item::DiscountedUsage => Some(ri_effective.or_zero(r)),
                Item::RiFee => {
                    checked_sum(ri_unused_upfront.or_zero(r), ri_unused_recurring.or_zero(r))
                }
                Item::Fee if get(&ri_arn, r).is_some() => Some(0),
                _ => Some(billed[r]),
            })
            .collect::<Option<_>>()?;
        let recurring: Vec<i128> = (0..rows)
            .map(|r| {
                if freq[r] == ONE_TIME {
                    0
                } else {
                    unblended_v[r]
                }
            })
            .collect();
        let whole = |v: Vec<i128>| Decimals {
            values: v,
            nulls: None,
        };
        out.decimals(c::BILLED_COST, whole(billed), MONEY_SCALE)?;
        out.decimals(c::X_BLENDED_COST, whole(blended), MONEY_SCALE)?;
        out.decimals(c::X_RECURRING_COST, whole(recurring), MONEY_SCALE)?;
        let effective = out.decimals(c::EFFECTIVE_COST, whole(effective), MONEY_SCALE)?;
        out.set(c::X_AMORTIZED_COST, effective);
        let unblended = out.decimals(c::X_UNBLENDED_COST, whole(unblended_v), MONEY_SCALE)?;
        out.set(c::CONTRACTED_COST, unblended);
        for (o, s) in [
            (c::CONTRACTED_UNIT_PRICE, k.unblended_rate),
            (c::LIST_COST, k.public_cost),
            (c::LIST_UNIT_PRICE, k.public_rate),
        ] {
            if s.is_some() {
                out.decimals(o, money(s)?, MONEY_SCALE)?;
            }
        }
        if k.usage_amount.is_some() {
            let q = opt_decimals(src, k.usage_amount, QUANTITY_SCALE as u32)?;
            let q = out.decimals(c::CONSUMED_QUANTITY, q, QUANTITY_SCALE)?;
            out.set(c::PRICING_QUANTITY, q);
        }

        // Product: a flattened column wins over the `product` map, the last non-empty map
        // entry over earlier ones; the service name falls back to the product code.
        let code = text(k.product_code)?;
        let (flat_name, flat_type, flat_family) = (
            text(k.product_name)?,
            text(k.instance_type)?,
            text(k.product_family)?,
        );
        let product = match self.product_map {
            Some(col) => Some(src.entries(col)?),
            None => None,
        };
        let mut names = Vec::with_capacity(rows);
        let mut types = Vec::with_capacity(rows);
        let mut families = Vec::with_capacity(rows);
        for r in 0..rows {
            let (mut name, mut itype, mut family) =
                (get(&flat_name, r), get(&flat_type, r), get(&flat_family, r));
            if let Some(p) = &product {
                let (mut m_name, mut m_type, mut m_family) = (None, None, None);
                for (key, v) in p.row(r) {
                    if v.is_empty() {
                        continue;
                    }
                    match key {
                        "product_name" => m_name = Some(v),
                        "instance_type" => m_type = Some(v),
                        "product_family" => m_family = Some(v),
                        _ => {}
                    }
                }
                name = name.or(m_name);
                itype = itype.or(m_type);
                family = family.or(m_family);
            }
            names.push(name.or(get(&code, r)));
            types.push(itype);
            families.push(family);
        }
        out.text(c::SERVICE_NAME, strings(rows, |r| names[r]));
        out.text(c::X_INSTANCE_TYPE, strings(rows, |r| types[r]));
        out.text(c::X_PRODUCT_FAMILY, strings(rows, |r| families[r]));
        let categories = codes(&code, rows, |s| service_category(s.unwrap_or("")));
        out.text(c::SERVICE_CATEGORY, strings(rows, |r| Some(categories[r])));

        if let Some(rid) = text(k.resource_id)? {
            // Line items of one resource come in runs: the name is cut once per run.
            let mut last: Option<(&str, &str)> = None;
            let names = strings(rows, |r| {
                let id = rid.get(r)?;
                match last {
                    Some((l, name)) if l == id => Some(name),
                    _ => {
                        // After the last `:` or `/` (both ASCII, so a char boundary follows).
                        let name = match id.bytes().rposition(|b| b == b':' || b == b'/') {
                            Some(i) => &id[i + 1..],
                            None => id,
                        };
                        last = Some((id, name));
                        Some(name)
                    }
                }
            });
            out.text(c::RESOURCE_NAME, names);
        }

        let purchase = codes(&text(k.purchase_option)?, rows, |s| match s {
            Some("Spot Instances") => 1u8,
            Some("Reserved Instances") => 2,
            Some("On-Demand") => 3,
            _ => 0,
        });
        let term = codes(&text(k.term)?, rows, |s| match s {
            Some("Spot") => 1u8,
            Some("Reserved") => 2,
            Some("OnDemand") => 3,
            _ => 0,
        });
        let pricing: Vec<u8> = purchase
            .iter()
            .zip(&term)
            .map(|(&p, &t)| (1..=3).find(|&want| p == want || t == want).unwrap_or(0))
            .collect();
        out.text(
            c::PRICING_CATEGORY,
            from_codes(
                &pricing,
                &[None, Some("Dynamic"), Some("Committed"), Some("Standard")],
            ),
        );

        let sp_arn = text(k.sp_arn)?;
        if sp_arn.is_some() || ri_arn.is_some() {
            let kind: Vec<u8> = (0..rows)
                .map(|r| {
                    if get(&sp_arn, r).is_some() {
                        1
                    } else if get(&ri_arn, r).is_some() {
                        2
                    } else {
                        0
                    }
                })
                .collect();
            out.text(
                c::COMMITMENT_DISCOUNT_ID,
                strings(rows, |r| get(&sp_arn, r).or(get(&ri_arn, r))),
            );
            out.text(
                c::COMMITMENT_DISCOUNT_CATEGORY,
                from_codes(&kind, &[None, Some("Spend"), Some("Usage")]),
            );
            out.text(
                c::COMMITMENT_DISCOUNT_TYPE,
                from_codes(
                    &kind,
                    &[None, Some("Savings Plan"), Some("Reserved Instance")],
                ),
            );
        }

        let tag_cols = self
            .tag_cols
            .iter()
            .map(|(i, key)| Some((src.text(*i)?, key.as_str())))
            .collect::<Option<Vec<_>>>()?;
        let tag_map = match self.tag_map {
            Some(col) => Some(src.entries(col)?),
            None => None,
        };
        let whole_tags = match &tag_map {
            Some(m) if tag_cols.is_empty() => m.whole_tags(rows, "user_"),
            _ => None,
        };
        if let Some(tags) = whole_tags {
            out.set(c::TAGS, tags);
        } else if !tag_cols.is_empty() || tag_map.is_some() {
            let mut tags = TagColumn::new(rows);
            for r in 0..rows {
                for (t, key) in &tag_cols {
                    if let Some(v) = t.get(r) {
                        tags.tag(key, v);
                    }
                }
                if let Some(m) = &tag_map {
                    for (key, v) in m.row(r) {
                        tags.tag(key.strip_prefix("user_").unwrap_or(key), v);
                    }
                }
                tags.end_row();
            }
            out.set(c::TAGS, tags.finish());
        }

        out.int8_constant(c::X_CLOUD_TYPE, CloudType::Aws.code());
        out.text(c::X_SOURCE_FORMAT, constant(self.format.as_str(), rows));
        Some(out)
    }
}

//! FOCUS 1.0–1.2 files (CSV or Parquet, including AWS and Azure FOCUS exports) read by column name.

use skyledger_types::cost_row::{COLUMNS, ColumnKind, SourceFormat};

use crate::ReadOptions;
use crate::header::Header;
use crate::row::{CellError, RowStage, c, col};
use crate::source::{Fields, Mapper};

/// Older FOCUS names of columns renamed since (1.0-preview/0.5 → 1.2).
const ALIASES: &[(&str, &str)] = &[
    ("ProviderName", "Provider"),
    ("PublisherName", "Publisher"),
    ("InvoiceIssuerName", "InvoiceIssuer"),
    ("ChargeCategory", "ChargeType"),
];

/// Columns a FOCUS file must have (or get from [`ReadOptions::column_defaults`]).
const REQUIRED: &[&str] = &[
    "BilledCost",
    "BillingAccountId",
    "BillingCurrency",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ProviderName",
];

/// Columns the reader fills itself.
const OWN: &[usize] = &[
    c::X_SOURCE_FILE,
    c::X_SOURCE_LINE,
    c::X_SOURCE_FORMAT,
    c::X_CLOUD_TYPE,
];

pub struct FocusMapper {
    /// (schema column, source column, kind)
    cols: Vec<(usize, usize, ColumnKind)>,
    /// (schema column, constant text) for absent columns with a default.
    defaults: Vec<(usize, ColumnKind, String)>,
    names: Vec<String>,
}

impl FocusMapper {
    pub fn new(h: &mut Header, opts: &ReadOptions) -> Result<Self, String> {
        let mut cols = Vec::new();
        let mut defaults = Vec::new();
        for (name, kind) in COLUMNS {
            let i = col(name);
            if OWN.contains(&i) {
                continue;
            }
            let mut cands = vec![*name];
            cands.extend(ALIASES.iter().filter(|(n, _)| n == name).map(|(_, a)| *a));
            match h.find(&cands) {
                Some(src) => cols.push((i, src, *kind)),
                None => {
                    if let Some((_, v)) = opts
                        .column_defaults
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    {
                        defaults.push((i, *kind, v.clone()));
                    } else if REQUIRED.contains(name) {
                        return Err((*name).to_string());
                    }
                }
            }
        }
        Ok(Self {
            cols,
            defaults,
            names: h.names().to_vec(),
        })
    }
}

fn set(
    st: &mut RowStage,
    i: usize,
    kind: ColumnKind,
    name: &str,
    v: Option<&str>,
) -> Result<(), CellError> {
    match kind {
        ColumnKind::Text => st.opt_text(i, v),
        ColumnKind::Money => match v.map(spreadsheet_number) {
            Some(Some(clean)) => st.money(i, name, Some(&clean))?,
            _ => st.money(i, name, v)?,
        },
        ColumnKind::Quantity => st.quantity(i, name, v)?,
        ColumnKind::Timestamp => st.ts(i, name, v)?,
        ColumnKind::TagMap => {
            if let Some(v) = v {
                st.tags_json(name, v)?;
            }
        }
        ColumnKind::Int8 | ColumnKind::UInt64 => {}
    }
    Ok(())
}

impl Mapper for FocusMapper {
    fn format(&self) -> SourceFormat {
        SourceFormat::Focus
    }

    fn map_row(&mut self, row: &dyn Fields, st: &mut RowStage) -> Result<(), CellError> {
        for &(i, src, kind) in &self.cols {
            if kind == ColumnKind::TagMap {
                // Parquet FOCUS files carry Tags as a map; CSV files as JSON text.
                let mut any = false;
                row.map_entries(src, &mut |k, v| {
                    any = true;
                    st.tag(k, v);
                });
                if any {
                    continue;
                }
            }
            set(st, i, kind, &self.names[src], row.get(src))?;
        }
        for (i, kind, v) in &self.defaults {
            set(st, *i, *kind, "default", Some(v))?;
        }
        Ok(())
    }
}

/// `"$10,000.00 "` → `10000.00`: money as spreadsheets format it (the FOCUS spec's SaaS
/// examples). Only a leading `$`/`€`/`£` and comma thousands groups of three are removed;
/// anything else is left for the strict parser to reject.
fn spreadsheet_number(s: &str) -> Option<String> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let t = t.strip_prefix(['$', '€', '£'])?;
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let groups: Vec<&str> = int.split(',').collect();
    let ok = groups.len() == 1
        || (groups[0].len() <= 3
            && groups
                .iter()
                .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
            && groups.iter().skip(1).all(|g| g.len() == 3));
    if !ok {
        return None;
    }
    let mut out = String::with_capacity(t.len());
    if neg {
        out.push('-');
    }
    out.extend(groups);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_money_is_cleaned_only_when_unambiguous() {
        assert_eq!(
            spreadsheet_number("$10,000.00 ").as_deref(),
            Some("10000.00")
        );
        assert_eq!(spreadsheet_number("-$1,000").as_deref(), Some("-1000"));
        assert_eq!(spreadsheet_number("10,000.00"), None);
        assert_eq!(spreadsheet_number("$10,00.00"), None);
    }
}

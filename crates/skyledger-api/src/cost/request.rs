//! The request fields shared by the cost endpoints (spec overview §6.2, "Cost query body"):
//! `start_date`, `end_date`, `period`, `cost_type`, `cost_tags`, `accounts`, and the grouping
//! variants' `group_by_type`, `property`, `group_by_tags`, `resource_ids`, `page`.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use skyledger_ledger::{CostType, Granularity};

use crate::envelope::ApiError;

/// An id the spec sends as a string or a number (`"33240000000059001"`, `73`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdText(pub String);

impl<'de> Deserialize<'de> for IdText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(i64),
        }
        match Raw::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected an id (a string or an integer)"))?
        {
            Raw::Text(s) => Ok(IdText(s)),
            Raw::Number(n) => Ok(IdText(n.to_string())),
        }
    }
}

/// A tag reference: `{"v": variation, "id": "tag id"}`, or a bare tag id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TagRef {
    pub id: String,
    pub variation: Option<i64>,
}

impl<'de> Deserialize<'de> for TagRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Object { id: IdText, v: Option<i64> },
            Id(IdText),
        }
        match Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected a tag reference: {\"v\": <variation>, \"id\": \"<tag id>\"} or a tag id",
            )
        })? {
            Raw::Object { id, v } => Ok(TagRef {
                id: id.0,
                variation: v,
            }),
            Raw::Id(id) => Ok(TagRef {
                id: id.0,
                variation: None,
            }),
        }
    }
}

/// One entry of `accounts`: a cost account and (optionally) some of its billing accounts.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AccountRef {
    pub cost_account_id: IdText,
    #[serde(default)]
    pub billing_account_ids: Vec<IdText>,
}

/// The cost query body. Every field is optional here; each endpoint says what it needs.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct CostRequest {
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub period: Option<i64>,
    pub cost_type: Option<i64>,
    #[serde(default)]
    pub cost_tags: Vec<TagRef>,
    #[serde(default)]
    pub accounts: Vec<AccountRef>,
    /// GET endpoints name one cost account this way (`JSONString={"cost_account_id":…}`).
    pub cost_account_id: Option<IdText>,
    pub group_by_type: Option<String>,
    pub property: Option<TagRef>,
    #[serde(default)]
    pub group_by_tags: Vec<TagRef>,
    #[serde(default)]
    pub resource_ids: Vec<IdText>,
    pub resource_id: Option<IdText>,
    pub page: Option<i64>,
    pub service_name: Option<String>,
}

/// `auto_bu` (whether a business unit is a solution report): `true`/`false` as text (a plain
/// query parameter) or a JSON boolean; None when absent, 400 otherwise.
pub(crate) fn auto_bu(value: &Option<serde_json::Value>) -> Result<Option<bool>, ApiError> {
    use serde_json::Value;
    match value {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(a)) if a == "true" || a == "false" => Ok(Some(a == "true")),
        Some(other) => Err(ApiError::BadRequest(format!(
            "invalid field auto_bu: {other}; expected true or false"
        ))),
    }
}

/// A date field in `YYYY-MM-DD`, or 400 naming the field.
pub(crate) fn date(field: &str, value: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        ApiError::BadRequest(format!(
            "invalid field {field}: expected a date as YYYY-MM-DD, got {value:?}"
        ))
    })
}

/// The cost type code (DESIGN §3): 0 blended, 1 unblended, 2 amortized, 3 recurring, 20
/// actual (billed). Absent: 20.
pub(crate) fn cost_type(code: Option<i64>) -> Result<CostType, ApiError> {
    match code {
        None | Some(20) => Ok(CostType::Actual),
        Some(0) => Ok(CostType::Blended),
        Some(1) => Ok(CostType::Unblended),
        Some(2) => Ok(CostType::Amortized),
        Some(3) => Ok(CostType::Recurring),
        Some(other) => Err(ApiError::BadRequest(format!(
            "invalid field cost_type: {other} is not a cost type (0 blended, 1 unblended, \
             2 amortized, 3 recurring, 20 actual)"
        ))),
    }
}

/// The time bucket `period` asks for (docs/api-decisions.md A2): 1 daily, 2 weekly, 3 or -1
/// monthly; 0 or absent chooses by the range: daily up to 62 days, monthly beyond.
pub(crate) fn granularity(
    period: Option<i64>,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Granularity, ApiError> {
    match period {
        None | Some(0) => Ok(if (end - start).num_days() < 62 {
            Granularity::Day
        } else {
            Granularity::Month
        }),
        Some(1) => Ok(Granularity::Day),
        Some(2) => Ok(Granularity::Week),
        Some(3) | Some(-1) => Ok(Granularity::Month),
        Some(other) => Err(ApiError::BadRequest(format!(
            "invalid field period: {other} is not a period (0 automatic, 1 daily, 2 weekly, \
             3 or -1 monthly)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_tag_refs_accept_the_spec_spellings() {
        let r: CostRequest = serde_json::from_value(serde_json::json!({
            "accounts": [{"cost_account_id": 12, "billing_account_ids": ["34"]}],
            "cost_tags": [{"v": 0, "id": "33240000000061639"}, "33240000000061640"],
        }))
        .unwrap();
        assert_eq!(r.accounts[0].cost_account_id.0, "12");
        assert_eq!(r.cost_tags[0].variation, Some(0));
        assert_eq!(r.cost_tags[1].id, "33240000000061640");
        let bad = serde_json::from_value::<CostRequest>(serde_json::json!({"cost_tags": [true]}));
        assert!(bad.is_err());
    }

    #[test]
    fn periods_and_cost_types() {
        let d = |s| date("start_date", s).unwrap();
        assert_eq!(
            granularity(Some(0), d("2025-01-01"), d("2025-01-31")).unwrap(),
            Granularity::Day
        );
        assert_eq!(
            granularity(None, d("2025-01-01"), d("2025-12-31")).unwrap(),
            Granularity::Month
        );
        assert!(granularity(Some(9), d("2025-01-01"), d("2025-01-02")).is_err());
        assert_eq!(cost_type(Some(2)).unwrap(), CostType::Amortized);
        let err = cost_type(Some(7)).unwrap_err().to_string();
        assert!(err.contains("cost_type"), "{err}");
        let err = date("end_date", "24/08/2019").unwrap_err().to_string();
        assert!(err.contains("end_date"), "{err}");
    }
}

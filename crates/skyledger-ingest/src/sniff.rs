//! Format detection from a file's column names (CSV header or Parquet schema).

use crate::Format;
use crate::header::Header;

/// Which format a header belongs to; the error says what was looked for.
pub fn sniff(h: &Header) -> Result<Format, String> {
    // Order matters: AWS FOCUS exports also carry x_ columns, Azure FOCUS exports x_ too,
    // but the FOCUS names decide.
    if h.has("BilledCost") && h.has("ChargePeriodStart") {
        return Ok(Format::Focus);
    }
    if h.has("lineItem/UnblendedCost") || h.has("lineItem/LineItemType") {
        return Ok(Format::AwsCur);
    }
    if h.has("line_item_unblended_cost") || h.has("line_item_line_item_type") {
        return Ok(Format::AwsCur2);
    }
    if h.has("cost/myCost") || h.has("lineItem/intervalUsageStart") {
        return Ok(Format::Oci);
    }
    if h.has("billing_account_id")
        && h.has("cost")
        && (h.has("usage_start_time") || h.has("invoice.month"))
    {
        return Ok(Format::Gcp);
    }
    let azure_cost = [
        "CostInBillingCurrency",
        "PreTaxCost",
        "Cost",
        "costInBillingCurrency",
    ];
    let azure_key = [
        "MeterCategory",
        "SubscriptionId",
        "SubscriptionGuid",
        "MeterId",
        "ConsumedService",
    ];
    if azure_cost.iter().any(|c| h.has(c)) && azure_key.iter().any(|c| h.has(c)) {
        return Ok(Format::Azure);
    }
    let shown: Vec<&str> = h.names().iter().take(8).map(String::as_str).collect();
    Err(format!(
        "no known billing columns among {} columns (first: {})",
        h.names().len(),
        shown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Header {
        Header::new(names.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn each_provider_header_is_recognised() {
        assert_eq!(
            sniff(&h(&["BilledCost", "ChargePeriodStart"])),
            Ok(Format::Focus)
        );
        assert_eq!(
            sniff(&h(&["identity/LineItemId", "lineItem/UnblendedCost"])),
            Ok(Format::AwsCur)
        );
        assert_eq!(
            sniff(&h(&["line_item_unblended_cost", "resource_tags"])),
            Ok(Format::AwsCur2)
        );
        assert_eq!(
            sniff(&h(&["lineItem/intervalUsageStart", "cost/myCost"])),
            Ok(Format::Oci)
        );
        assert_eq!(
            sniff(&h(&["billing_account_id", "cost", "usage_start_time"])),
            Ok(Format::Gcp)
        );
        assert_eq!(
            sniff(&h(&["\u{feff}SubscriptionGuid", "PreTaxCost"])),
            Ok(Format::Azure)
        );
        assert_eq!(
            sniff(&h(&[
                "Abonnement-GUID (SubscriptionGuid)",
                "PreTaxCost (PreTaxCost)"
            ])),
            Ok(Format::Azure)
        );
    }

    #[test]
    fn an_unknown_header_names_its_columns() {
        let e = sniff(&h(&["a", "b"])).unwrap_err();
        assert!(e.contains("2 columns") && e.contains("a, b"), "{e}");
    }
}

//! The route table against the spec's endpoint list: nothing missing, nothing extra.

use std::collections::BTreeSet;

use skyledger_api::inventory;

fn spec_rows(tsv: &str) -> BTreeSet<(String, String, String)> {
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (
                cols[2].to_string(),
                cols[3].to_string(),
                format!("CloudSpend.Internal.{}", cols[4]),
            )
        })
        .collect()
}

fn table_rows() -> BTreeSet<(String, String, String)> {
    inventory()
        .into_iter()
        .map(|r| (r.method, r.path.to_string(), r.scope.to_string()))
        .collect()
}

#[test]
fn route_table_equals_the_spec_copy_in_the_repo() {
    let spec = spec_rows(include_str!("../fixtures/endpoints.tsv"));
    let table = table_rows();
    assert_eq!(inventory().len(), 289, "289 rows, no duplicates");
    let missing: Vec<_> = spec.difference(&table).collect();
    let extra: Vec<_> = table.difference(&spec).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nextra: {extra:#?}"
    );
}

#[test]
fn route_table_equals_the_shared_spec_when_present() {
    let Some(dir) = crate::shared_spec() else {
        eprintln!("SKIP: ../shared/spec is not present; compared with the repo's copy only");
        return;
    };
    let tsv = std::fs::read_to_string(dir.join("endpoints.tsv")).unwrap();
    assert_eq!(spec_rows(&tsv), table_rows());
}

#[test]
fn every_path_parameter_has_a_known_kind() {
    for route in inventory() {
        for segment in route.path.split('/').filter(|s| s.starts_with('{')) {
            assert!(segment.ends_with('}'), "{}", route.path);
        }
    }
}

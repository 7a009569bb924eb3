//! The CloudSpend HTTP API: route table, envelope and error mapping, auth extractors.

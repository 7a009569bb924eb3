//! Integration tests of skyledger-insight on real public series.

mod nab_fixture;
mod shared_nab;

//! The `skyledger` command line.
fn main() {}

//! Integration tests of the billing readers against real provider samples and hand-made fixtures.

mod behaviour;
mod columnar;
mod golden;
mod snapshots;
mod util;

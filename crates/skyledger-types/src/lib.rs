//! Shared vocabulary without IO: ids, cloud types, cost types, date ranges, the normalised cost row schema.

pub mod cost_row;
pub mod operation;

pub use operation::{Operation, Scopes};

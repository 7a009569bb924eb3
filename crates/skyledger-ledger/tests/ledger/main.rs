//! Integration tests of the cost store: atomic replacement, queries, kill -9, S3.

mod common;
mod kill;
mod queries;
mod s3;
mod store;

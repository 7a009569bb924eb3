//! The id generator: 17-digit numeric string ids, as the spec's (`"33240000000059001"`).
//!
//! Ids are handed out from blocks reserved in the database (`id_blocks`), so they never repeat
//! across restarts or across nodes sharing one PostgreSQL.

use std::fmt;
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::{Meta, Result};

/// Every id is `BASE + n`; with n < 10^13 it keeps 17 digits.
const BASE: i64 = 33_240_000_000_000_000;
/// How many ids one round trip to the database reserves.
const BLOCK: i64 = 64;

/// A 17-digit numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(i64);

impl Id {
    pub fn value(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Clone, Default)]
pub(crate) struct IdAllocator {
    block: Arc<Mutex<(i64, i64)>>,
}

impl IdAllocator {
    pub(crate) async fn next(&self, meta: &Meta) -> Result<Id> {
        let mut block = self.block.lock().await;
        if block.0 >= block.1 {
            let end: i64 = sqlx::query_scalar(
                "UPDATE id_blocks SET next_value = next_value + $1 WHERE name = 'global' RETURNING next_value",
            )
            .bind(BLOCK)
            .fetch_one(meta.pool())
            .await?;
            *block = (end - BLOCK, end);
        }
        let n = block.0;
        block.0 += 1;
        Ok(Id(BASE + n))
    }
}

//! Counters of DynamoDB calls and items read, for cost figures and benchmarks.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct StoreStats {
    calls: Mutex<BTreeMap<&'static str, u64>>,
    items_read: AtomicU64,
    /// What DynamoDB itself reported for index reads: items it examined (`ScannedCount`)
    /// and read capacity consumed (in thousandths of a unit).
    scanned: AtomicU64,
    read_milli_units: AtomicU64,
}

impl StoreStats {
    pub fn call(&self, op: &'static str) {
        *self
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(op)
            .or_default() += 1;
    }

    pub fn read(&self, items: usize) {
        self.items_read.fetch_add(items as u64, Ordering::Relaxed);
    }

    /// DynamoDB's own account of a query: `ScannedCount` and `ConsumedCapacity`.
    pub fn scanned(
        &self,
        scanned_count: i32,
        consumed: Option<&aws_sdk_dynamodb::types::ConsumedCapacity>,
    ) {
        self.scanned
            .fetch_add(u64::try_from(scanned_count).unwrap_or(0), Ordering::Relaxed);
        if let Some(units) = consumed.and_then(|c| c.capacity_units()) {
            self.read_milli_units
                .fetch_add((units * 1000.0).round() as u64, Ordering::Relaxed);
        }
    }

    /// Items DynamoDB examined for the queries that report it (sparse index reads).
    pub fn items_scanned(&self) -> u64 {
        self.scanned.load(Ordering::Relaxed)
    }

    /// Read capacity units DynamoDB reported consumed by those queries.
    pub fn read_units(&self) -> f64 {
        self.read_milli_units.load(Ordering::Relaxed) as f64 / 1000.0
    }

    /// Calls per operation since start.
    pub fn calls(&self) -> BTreeMap<&'static str, u64> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn total_calls(&self) -> u64 {
        self.calls().values().sum()
    }

    pub fn items_read(&self) -> u64 {
        self.items_read.load(Ordering::Relaxed)
    }
}

//! Index costs and sort support (optimizer.md §8.4), shared by the index
//! rules and the estimator.

use crate::catalog::Catalog;
use crate::plan::estimate::Estimate;
use crate::plan::{IndexScan, Plan, SortElement};

/// Rows and cost of one lookup pass of an IndexNode.
pub fn scan_estimate(_plan: &Plan, catalog: &Catalog, scan: &IndexScan) -> Estimate {
    let count = catalog.collection(&scan.collection).map_or(0, |c| c.count);
    Estimate {
        items: count,
        cost: count as f64,
    }
}

/// The merge-sort elements a gather needs above a sorted index scan.
pub fn sort_elements(_scan: &IndexScan, _catalog: &Catalog) -> Vec<SortElement> {
    Vec::new()
}

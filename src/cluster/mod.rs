//! Placement: where each node runs (`Site`), and whether a query can run
//! as OneShard, with the reasons when it cannot.

mod one_shard;
mod sites;

pub use one_shard::one_shard_refusals;
pub use sites::{sites, Site};

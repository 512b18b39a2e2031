//! Placement: where each node runs (`Site`), and whether a query can run
//! as OneShard, with the reasons when it cannot.

mod distribute_input;
mod one_shard;
mod shard_hash;
mod sites;

pub use distribute_input::add_distribute_inputs;
pub use one_shard::one_shard_refusals;
pub use shard_hash::responsible_shard;
pub use sites::{sites, Site};

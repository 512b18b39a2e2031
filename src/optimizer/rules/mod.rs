//! One file per optimizer rule. Each opens with what it does and when it
//! does not fire; `super::RULES` decides the order.

mod async_prefetch;
mod cluster_one_shard;
mod distribute_filtercalc_to_cluster;
mod distribute_sort_to_cluster;
mod move_calculations_up;
mod move_filters_into_enumerate;
mod move_filters_up;
mod parallelize_gather;
mod remove_unnecessary_remote_scatter;
mod scatter_in_cluster;
mod sort_limit;

pub use async_prefetch::AsyncPrefetch;
pub use cluster_one_shard::ClusterOneShard;
pub use distribute_filtercalc_to_cluster::DistributeFilterCalcToCluster;
pub use distribute_sort_to_cluster::DistributeSortToCluster;
pub use move_calculations_up::MoveCalculationsUp;
pub use move_filters_into_enumerate::MoveFiltersIntoEnumerate;
pub use move_filters_up::MoveFiltersUp;
pub use parallelize_gather::ParallelizeGather;
pub use remove_unnecessary_remote_scatter::RemoveUnnecessaryRemoteScatter;
pub use scatter_in_cluster::ScatterInCluster;
pub use sort_limit::SortLimit;

#[cfg(test)]
pub(crate) mod testing;

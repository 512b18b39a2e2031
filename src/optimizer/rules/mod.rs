//! One file per optimizer rule. Each opens with what it does and when it
//! does not fire; `super::RULES` decides the order.

mod async_prefetch;
mod batch_materialize_documents;
mod cluster_one_shard;
mod distribute_filtercalc_to_cluster;
mod distribute_in_cluster;
mod distribute_sort_to_cluster;
mod interchange_adjacent_enumerations;
mod materialize_into_separate_variable;
mod move_calculations_up;
mod move_filters_into_enumerate;
mod move_filters_up;
mod optimize_projections;
mod parallelize_gather;
mod push_down_late_materialization;
mod push_limit_into_index;
mod reduce_extraction_to_projection;
mod remove_data_modification_out_variables;
mod remove_filter_covered_by_index;
mod remove_redundant_calculations;
mod remove_redundant_sorts;
mod remove_satellite_joins;
mod remove_unnecessary_calculations;
mod remove_unnecessary_remote_scatter;
mod scatter_in_cluster;
mod sort_limit;
mod specialize_collect;
mod splice_subqueries;
mod undistribute_remove_after_enum_coll;
mod use_index_for_collect;
mod use_index_for_sort;
mod use_indexes;

pub use async_prefetch::AsyncPrefetch;
pub use batch_materialize_documents::BatchMaterializeDocuments;
pub use cluster_one_shard::ClusterOneShard;
pub use distribute_filtercalc_to_cluster::DistributeFilterCalcToCluster;
pub use distribute_in_cluster::DistributeInCluster;
pub use distribute_sort_to_cluster::DistributeSortToCluster;
pub use interchange_adjacent_enumerations::InterchangeAdjacentEnumerations;
pub use materialize_into_separate_variable::MaterializeIntoSeparateVariable;
pub use move_calculations_up::MoveCalculationsUp;
pub use move_filters_into_enumerate::MoveFiltersIntoEnumerate;
pub use move_filters_up::MoveFiltersUp;
pub use optimize_projections::OptimizeProjections;
pub use parallelize_gather::ParallelizeGather;
pub use push_down_late_materialization::PushDownLateMaterialization;
pub use push_limit_into_index::PushLimitIntoIndex;
pub use reduce_extraction_to_projection::ReduceExtractionToProjection;
pub use remove_data_modification_out_variables::RemoveDataModificationOutVariables;
pub use remove_filter_covered_by_index::RemoveFilterCoveredByIndex;
pub use remove_redundant_calculations::RemoveRedundantCalculations;
pub use remove_redundant_sorts::RemoveRedundantSorts;
pub use remove_satellite_joins::RemoveSatelliteJoins;
pub use remove_unnecessary_calculations::RemoveUnnecessaryCalculations;
pub use remove_unnecessary_remote_scatter::RemoveUnnecessaryRemoteScatter;
pub use scatter_in_cluster::ScatterInCluster;
pub use sort_limit::SortLimit;
pub use specialize_collect::SpecializeCollect;
pub use splice_subqueries::SpliceSubqueries;
pub use undistribute_remove_after_enum_coll::UndistributeRemoveAfterEnumColl;
pub use use_index_for_collect::UseIndexForCollect;
pub use use_index_for_sort::UseIndexForSort;
pub use use_indexes::UseIndexes;

#[cfg(test)]
pub(crate) mod testing;

//! The ArangoDB version whose planner and explainer aqlplan reproduces.
//!
//! Every version-dependent behaviour is one method here, named after what
//! changed, so supporting the next version is one edit in one place.

use crate::error::{Error, Result};
use std::fmt;

/// A 3.x version. `3.12` without a patch level means a current 3.12 patch
/// release (the one the 3.12 documentation cache was produced with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
    pub patch: u8,
}

/// The 3.12 patch release that "3.12" stands for.
const CURRENT_3_12_PATCH: u8 = 10;

impl Version {
    pub const fn new(major: u8, minor: u8, patch: u8) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// The oldest version aqlplan reproduces.
    pub const OLDEST: Version = Version::new(3, 4, 0);
    /// The newest version aqlplan reproduces, and the default.
    pub const NEWEST: Version = Version::new(3, 12, CURRENT_3_12_PATCH);

    /// Parses `3.6`, `3.12`, `3.12.0`, `3.12.4`.
    pub fn parse(text: &str) -> Result<Version> {
        let bad = || {
            Error::BadOption(format!(
                "unsupported compat version '{text}': expected 3.4 … 3.12 (optionally with a patch level, e.g. 3.12.0)"
            ))
        };
        let mut parts = text.trim().split('.');
        let mut next = || -> Result<Option<u8>> {
            parts
                .next()
                .map(|p| p.parse::<u8>().map_err(|_| bad()))
                .transpose()
        };
        let major = next()?.ok_or_else(bad)?;
        let minor = next()?.ok_or_else(bad)?;
        let explicit_patch = next()?;
        if next()?.is_some() {
            return Err(bad());
        }
        let patch = match explicit_patch {
            Some(p) => p,
            None if (major, minor) == (3, 12) => CURRENT_3_12_PATCH,
            None => 0,
        };
        let v = Version::new(major, minor, patch);
        if v < Version::OLDEST || (major, minor) > (3, 12) {
            return Err(bad());
        }
        Ok(v)
    }

    fn at_least(self, minor: u8, patch: u8) -> bool {
        (self.minor, self.patch) >= (minor, patch)
    }

    // ---- planner -------------------------------------------------------

    /// Up to 3.11 a planner temporary consumed two values of the variable
    /// counter (one for its name, one for its id): `#1`, `#3`, `#5`.
    /// 3.12 names temporaries after their id: `#1`, `#2`, `#3`.
    pub fn temporaries_use_two_counter_values(self) -> bool {
        !self.at_least(12, 0)
    }

    /// Before 3.10 `move-filters-into-enumerate` ran late, after
    /// `sort-limit` and `restrict-to-single-shard`.
    pub fn early_pruning_runs_late(self) -> bool {
        !self.at_least(10, 0)
    }

    /// Before 3.7 `remove-satellite-joins` ran after
    /// `remove-unnecessary-remote-scatter` (3.4's rule list shows it last);
    /// 3.7 moved it next to `scatter-satellite-graphs`. INFERRED boundary.
    pub fn satellite_joins_removed_after_remote_scatter(self) -> bool {
        !self.at_least(7, 0)
    }

    /// From 3.5 `reduce-extraction-to-projection` counts the attributes a
    /// later loop's index condition reads as projections (3.4 treated the
    /// document as used whole). INFERRED from the 3.4 SmartJoins page and
    /// the 3.5 release notes' join plans.
    pub fn projections_see_index_conditions(self) -> bool {
        self.at_least(5, 0)
    }

    /// From 3.10 `sort-limit` also puts a LIMIT right after the sort
    /// (moving it, or adding one on the DB-Server side of a Remote).
    pub fn sort_limit_places_limit(self) -> bool {
        self.at_least(10, 0)
    }

    /// 3.6 and 3.7 let a query switch `splice-subqueries` off; from 3.8
    /// every subquery is spliced (the rule is registered without
    /// `CanBeDisabled`, OptimizerRulesFeature.cpp).
    pub fn splice_subqueries_can_be_disabled(self) -> bool {
        !self.at_least(8, 0)
    }

    /// 3.6 spliced no subquery containing a LIMIT or a
    /// `COLLECT WITH COUNT INTO` (3.6 release notes); 3.7 splices them too.
    pub fn splices_subqueries_with_limit_or_count(self) -> bool {
        self.at_least(7, 0)
    }

    /// From 3.12.1 a subquery in a branch of the ternary operator runs
    /// only when its branch is taken (3.12 release notes: 3.12.0 ran both).
    pub fn ternary_branch_subqueries_run_only_when_taken(self) -> bool {
        self.at_least(12, 1)
    }

    /// From 3.6 the plan builder decides FILTERs on compile-time constants
    /// (`FILTER true` is dropped, `FILTER false` becomes a NoResultsNode) and
    /// `remove-unnecessary-filters` only removes always-true filters. Before,
    /// every FILTER got a calculation and the rule also turned always-false
    /// filters into NoResultsNodes (OptimizerRules.cpp, ExecutionPlan.cpp).
    pub fn plan_builder_decides_constant_filters(self) -> bool {
        self.at_least(6, 0)
    }

    /// The `async-prefetch` rule and the `Par` column exist from 3.12.0.
    pub fn has_async_prefetch(self) -> bool {
        self.at_least(12, 0)
    }

    /// Before 3.5 the primary index answered only `==` and `IN`; from 3.5
    /// it also answers ranges on `_key`.
    pub fn primary_index_answers_ranges(self) -> bool {
        self.at_least(5, 0)
    }

    /// Before 3.7 the sorted-index matcher divided the estimate of a
    /// range-only condition by its range factor (2, or 7.5 for two
    /// bounds) too; from 3.7 only when some field also has an equality
    /// (SortedIndexAttributeMatcher.cpp).
    pub fn range_only_conditions_reduce_estimates(self) -> bool {
        !self.at_least(7, 0)
    }

    /// Before 3.5 an index of an empty collection was still estimated by
    /// the matcher's factors instead of answering 0 items.
    pub fn empty_indexes_are_estimated(self) -> bool {
        !self.at_least(5, 0)
    }

    /// From 3.9 `distribute-sort-to-cluster` moves a SORT below the
    /// deterministic calculations that do not feed it.
    pub fn sort_moves_below_unrelated_calculations(self) -> bool {
        self.at_least(9, 0)
    }

    /// OneShard (`cluster-one-shard`) exists from 3.6.
    pub fn has_one_shard(self) -> bool {
        self.at_least(6, 0)
    }

    /// From 3.12.3 a sorted COLLECT reuses a SORT above it that covers all
    /// group keys (in any direction) instead of inserting its own SortNode.
    pub fn sorted_collect_reuses_covering_sort(self) -> bool {
        self.at_least(12, 3)
    }

    /// From 3.12.1 the projections a MaterializeNode fetches get their own
    /// variables (`LET #5 = #4.a`); 3.12.0 read them from the document.
    pub fn materialized_projections_get_variables(self) -> bool {
        self.at_least(12, 1)
    }

    /// From 3.12.9 an IndexNode over several different indexes (an OR
    /// answered by one index per branch) gets projections too.
    pub fn multi_index_scans_use_projections(self) -> bool {
        self.at_least(12, 9)
    }

    /// From 3.12.4 `use-index-for-sort` also uses an index that delivers
    /// only the first sort keys: the SORT then sorts within groups.
    pub fn sort_uses_index_prefix(self) -> bool {
        self.at_least(12, 4)
    }

    // ---- explain text --------------------------------------------------

    /// From 3.12.1 a late-materialized IndexNode counts as answering from
    /// the index (`index only`); 3.12.0 still said `index scan + document
    /// lookup` next to `/* with late materialization */`.
    pub fn late_materialized_scan_is_index_only(self) -> bool {
        self.at_least(12, 1)
    }

    /// 3.12.10 prints `results cachable:` (sic) instead of `cacheable:`.
    pub fn header_says_results_cachable(self) -> bool {
        self.at_least(12, 10)
    }

    /// 3.12 adds the `Par` column (async prefetch mark).
    pub fn plan_has_par_column(self) -> bool {
        self.at_least(12, 0)
    }

    /// Late 3.12 prints `* ROOT ` + bind-parameter variables (plan cache).
    pub fn singleton_lists_bind_variables(self) -> bool {
        self.at_least(12, 4)
    }

    /// 3.9+ explainers annotate element-less gathers with `unsorted`.
    pub fn gather_says_unsorted(self) -> bool {
        self.at_least(9, 0)
    }

    /// From 3.10 an IndexNode whose early-pruning filter reads only index
    /// attributes names them: ` (filter projections: `a`)`.
    pub fn index_scans_have_filter_projections(self) -> bool {
        self.at_least(10, 0)
    }

    /// 3.10+ write ` (projections: …)` instead of `, projections: …`.
    pub fn projections_in_parentheses(self) -> bool {
        self.at_least(10, 0)
    }

    /// 3.9+ leave a space before a collection scan's closing `*/` (room for
    /// `; read own writes`): `/* full collection scan  */`.
    pub fn scan_comment_has_space_before_close(self) -> bool {
        self.at_least(9, 0)
    }

    /// What a non-covering index scan says about fetching documents:
    /// nothing before 3.9, ` + document lookup` in the first 3.9 releases
    /// (the 3.9 documentation's generated examples), from 3.9.3
    /// `, index scan + document lookup`.
    pub fn document_lookup_note(self) -> &'static str {
        if !self.at_least(9, 0) {
            ""
        } else if !self.at_least(9, 3) {
            " + document lookup"
        } else {
            ", index scan + document lookup"
        }
    }

    /// A DistributeNode's input is prepared by a `MAKE_DISTRIBUTE_INPUT…`
    /// calculation added at finalization. INFERRED boundary: the same
    /// rework that made the explainer print `DISTRIBUTE var` (3.9); the
    /// 3.5 documentation shows no such calculation, 3.11 does.
    pub fn distribute_input_is_calculated(self) -> bool {
        self.at_least(9, 0)
    }

    /// 3.12 passes `projectOnlyId` to `MAKE_DISTRIBUTE_INPUT_WITH_KEY_CREATION`
    /// (the 3.11 documentation's flags object has no such member).
    pub fn distribute_input_has_project_only_id(self) -> bool {
        self.at_least(12, 0)
    }

    /// 3.9+ print `DISTRIBUTE var` (older: `DISTRIBUTE  /* create keys … */`).
    pub fn distribute_prints_variable(self) -> bool {
        self.at_least(9, 0)
    }

    /// Older explainers printed a SubqueryEndNode back at the level of its
    /// SubqueryStartNode (the 3.6 documentation shows this); newer ones
    /// print it one step left of the subquery body only without a result.
    pub fn subquery_end_prints_at_start_level(self) -> bool {
        !self.at_least(9, 0)
    }

    /// From ≈3.6 an IndexNode comment always ends in ` ` + `   ` (room for
    /// LET/FILTER/LIMIT and annotations); ≈3.5 printed nothing after `*/`.
    pub fn index_comment_has_trailer(self) -> bool {
        self.at_least(6, 0)
    }

    /// Whether the optimizer treats subqueries like calculations (moving
    /// them up) and folds filters inside subqueries into their scans. The
    /// 3.6 documentation shows neither; 3.8 made subqueries first-class
    /// (spliced everywhere). INFERRED boundary.
    pub fn optimizes_inside_subqueries(self) -> bool {
        self.at_least(8, 0)
    }

    /// 3.12.10 upper-cases array quantifiers (`ANY ==`).
    pub fn quantifiers_upper_case(self) -> bool {
        self.at_least(12, 10)
    }

    /// 3.12 lays the applied rules out in three columns.
    pub fn rules_in_three_columns(self) -> bool {
        self.at_least(12, 0)
    }

    /// The `Cache` column of the indexes table exists from 3.10.
    pub fn indexes_have_cache_column(self) -> bool {
        self.at_least(10, 0)
    }

    /// The `Stored values` column of the indexes table (later 3.10.x+).
    pub fn indexes_have_stored_values_column(self) -> bool {
        self.at_least(10, 0)
    }

    /// The `Name` column of the indexes table (3.5+).
    pub fn indexes_have_name_column(self) -> bool {
        self.at_least(5, 0)
    }

    /// The `Cacheable` column of the functions table (3.5+).
    pub fn functions_have_cacheable_column(self) -> bool {
        self.at_least(5, 0)
    }
}

impl Default for Version {
    fn default() -> Version {
        Version::NEWEST
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl std::str::FromStr for Version {
    type Err = Error;
    fn from_str(s: &str) -> Result<Version> {
        Version::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documented_versions() {
        assert_eq!(Version::parse("3.6").unwrap(), Version::new(3, 6, 0));
        assert_eq!(Version::parse("3.12").unwrap(), Version::NEWEST);
        assert_eq!(Version::parse("3.12.0").unwrap(), Version::new(3, 12, 0));
        assert!(Version::parse("3.3").is_err());
        assert!(Version::parse("4.0").is_err());
        assert!(Version::parse("three").is_err());
        assert!(Version::parse("3.12.1.1").is_err());
    }

    #[test]
    fn splice_subqueries_became_mandatory_in_3_8() {
        assert!(Version::new(3, 7, 0).splice_subqueries_can_be_disabled());
        assert!(!Version::new(3, 8, 0).splice_subqueries_can_be_disabled());
    }

    #[test]
    fn temporaries_changed_in_3_12() {
        assert!(Version::parse("3.11")
            .unwrap()
            .temporaries_use_two_counter_values());
        assert!(!Version::parse("3.12.0")
            .unwrap()
            .temporaries_use_two_counter_values());
    }
}

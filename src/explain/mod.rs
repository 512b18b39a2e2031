//! Renderers of a planned query: the explain text, ArangoDB's JSON, and a
//! Graphviz picture.

pub mod dot;
pub mod expr;
pub mod json;
mod json_writer;
pub mod text;
pub mod trace;

use crate::cluster::Site;
use crate::compat::Version;
use crate::plan::estimate::Estimates;
use crate::plan::{Expr, NodeRef, Plan};
use crate::planner::Explanation;
use std::borrow::Cow;
use std::collections::HashMap;

/// A plan's estimates and node sites: the explanation's own for its chosen
/// plan (computed once when it was planned), computed here for the others
/// (trace steps, `allPlans`).
pub(crate) struct PlanFacts<'p> {
    pub estimates: Cow<'p, Estimates>,
    /// Empty on a single server.
    pub sites: Cow<'p, HashMap<NodeRef, Site>>,
}

impl<'p> PlanFacts<'p> {
    pub(crate) fn of(x: &'p Explanation, plan: &Plan) -> PlanFacts<'p> {
        if std::ptr::eq(plan, &x.plan) {
            return PlanFacts {
                estimates: Cow::Borrowed(&x.estimates),
                sites: Cow::Borrowed(&x.sites),
            };
        }
        let sites = if x.is_cluster() {
            crate::cluster::sites(plan)
        } else {
            HashMap::new()
        };
        PlanFacts {
            estimates: Cow::Owned(crate::plan::estimate::estimate(plan, x.catalog, x.compat)),
            sites: Cow::Owned(sites),
        }
    }
}

/// The server's word for how a CalculationNode evaluates its expression
/// (`json`, `attribute`, `v8`, `simple`), shared by the text and JSON.
pub(crate) fn expression_type(expr: &Expr, compat: Version) -> &'static str {
    if expr.is_constant() {
        "json"
    } else if expr.attribute_path().is_some() {
        "attribute"
    } else if (expr.uses_v8() || reads_collection(expr)) && !compat.has_async_prefetch() {
        "v8"
    } else {
        "simple"
    }
}

/// Before 3.12 a collection used as a value (`coll[* LIMIT 1]`) was only
/// evaluated by V8 (the 3.4 – 3.11 documentation prints `v8 expression`).
fn reads_collection(expr: &Expr) -> bool {
    let mut found = false;
    expr.walk(&mut |e| found |= matches!(e, Expr::Collection(_)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_value_was_a_v8_expression_before_3_12() {
        let e = Expr::Collection("coll".into());
        assert_eq!(expression_type(&e, Version::new(3, 11, 0)), "v8");
        assert_eq!(expression_type(&e, Version::NEWEST), "simple");
    }
}

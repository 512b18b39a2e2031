//! Index matching and costs (optimizer.md §8.4), shared by `use-indexes`,
//! `use-index-for-sort` and the estimator.
//!
//! A filter condition is split into its AND-ed parts; a part can use an
//! index when it compares an attribute of the loop variable with a value
//! that does not depend on the loop variable. Sorted indexes are matched
//! field by field, each further field only after an equality on the
//! previous one.

use crate::catalog::{Catalog, Collection, Index};
use crate::compat::Version;
use crate::plan::estimate::Estimate;
use crate::plan::expr::{Expr, Logic, VarId};
use crate::plan::{IndexRef, IndexScan, Plan, SortElement};
use crate::syntax::BinaryOp;
use crate::value::Value;

/// The index properties cost estimation reads; the primary and edge
/// indexes are synthesized.
#[derive(Debug, Clone)]
pub struct IndexView<'a> {
    pub reference: IndexRef,
    pub kind: &'a str,
    pub fields: Vec<&'a str>,
    pub unique: bool,
    pub sparse: bool,
    pub selectivity: Option<f64>,
    pub stored_values: usize,
    /// The stored-value attributes (dotted paths).
    pub stored: Vec<&'a str>,
}

impl IndexView<'_> {
    pub fn is_sorted(&self) -> bool {
        matches!(self.kind, "persistent" | "skiplist" | "primary" | "hash")
    }
}

/// Every index of a collection, primary first, in ArangoDB's order.
pub fn indexes_of(collection: &Collection) -> Vec<IndexView<'_>> {
    let mut out = vec![IndexView {
        reference: IndexRef::Primary,
        kind: "primary",
        fields: vec!["_key"],
        unique: true,
        sparse: false,
        selectivity: Some(1.0),
        stored_values: 0,
        stored: Vec::new(),
    }];
    if collection.kind == crate::catalog::CollectionType::Edge {
        out.push(IndexView {
            reference: IndexRef::Edge,
            kind: "edge",
            fields: vec!["_from", "_to"],
            unique: false,
            sparse: false,
            selectivity: None,
            stored_values: 0,
            stored: Vec::new(),
        });
    }
    out.extend(
        collection
            .indexes
            .iter()
            .enumerate()
            .map(|(i, ix): (usize, &Index)| IndexView {
                reference: IndexRef::Secondary(i),
                kind: ix.kind.as_str(),
                fields: ix.fields.iter().map(String::as_str).collect(),
                unique: ix.unique,
                sparse: ix.sparse.unwrap_or(false),
                selectivity: ix.selectivity,
                stored_values: ix.stored_values.len(),
                stored: ix.stored_values.iter().map(String::as_str).collect(),
            }),
    );
    out
}

pub fn index_view<'a>(collection: &'a Collection, r: IndexRef) -> Option<IndexView<'a>> {
    indexes_of(collection)
        .into_iter()
        .find(|v| v.reference == r)
}

/// The AND-ed parts of a condition.
pub fn conjuncts(e: &Expr) -> Vec<Expr> {
    conjunct_refs(e).into_iter().cloned().collect()
}

/// [`conjuncts`] without copying them.
fn conjunct_refs(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match x {
            Expr::Binary(BinaryOp::And, l, r) => {
                stack.push(r);
                stack.push(l);
            }
            Expr::Nary(Logic::And, members) => stack.extend(members.iter().rev()),
            other => out.push(other),
        }
    }
    out
}

/// `var.a.b OP value` (either side), for an indexable operator: the path,
/// the operator as seen from the attribute side, and the value side.
pub fn attribute_access(part: &Expr, var: VarId) -> Option<(Vec<String>, BinaryOp, &Expr)> {
    let Expr::Binary(op, l, r) = part else {
        return None;
    };
    let indexable = matches!(
        op,
        BinaryOp::Eq
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::Ne
    );
    if !indexable {
        return None;
    }
    let side = |a: &Expr| {
        a.attribute_path()
            .filter(|(v, _)| *v == var)
            .map(|(_, p)| p.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    };
    if let Some(path) = side(l) {
        if !r.uses_variable(var) {
            return Some((path, *op, r));
        }
    }
    if *op != BinaryOp::In {
        if let Some(path) = side(r) {
            if !l.uses_variable(var) {
                let flipped = match op {
                    BinaryOp::Lt => BinaryOp::Gt,
                    BinaryOp::Le => BinaryOp::Ge,
                    BinaryOp::Gt => BinaryOp::Lt,
                    BinaryOp::Ge => BinaryOp::Le,
                    other => *other,
                };
                return Some((path, flipped, l));
            }
        }
    }
    None
}

/// What an index can do for a condition.
#[derive(Debug, Clone)]
pub struct FilterCosts {
    pub supported: bool,
    pub items: u64,
    pub cost: f64,
    /// Indices of the condition parts the index answers.
    pub covered_parts: Vec<usize>,
}

/// Number of array members of an IN operand, for the lookup count.
fn array_members(e: &Expr) -> usize {
    match e {
        Expr::Array(items) => items.len(),
        Expr::Value(Value::Array(items)) => items.len(),
        _ => 10,
    }
}

/// ArangoDB's filter-cost estimate of one index for AND-ed `parts`.
pub fn filter_costs(
    index: &IndexView,
    all: &[IndexView],
    parts: &[Expr],
    var: VarId,
    items_in_index: u64,
    compat: Version,
) -> FilterCosts {
    let fields = &index.fields;
    // found[i]: (part index, operator) matched to index field i
    let mut found: Vec<Vec<(usize, BinaryOp)>> = vec![Vec::new(); fields.len()];
    let mut values: u64 = 0;
    for (pi, part) in parts.iter().enumerate() {
        let Some((path, op, value)) = attribute_access(part, var) else {
            continue;
        };
        if op == BinaryOp::In
            && !matches!(value, Expr::Array(_) | Expr::Value(Value::Array(_)))
            && value.as_value().is_some()
        {
            continue;
        }
        let dotted = path.join(".");
        let position = fields.iter().position(|f| *f == dotted).or_else(|| {
            (index.kind == "primary" && dotted == "_id" && op != BinaryOp::In).then_some(0)
        });
        if let Some(i) = position {
            if index.kind == "primary"
                && !matches!(op, BinaryOp::Eq | BinaryOp::In)
                && !compat.primary_index_answers_ranges()
            {
                continue;
            }
            if op == BinaryOp::Ne {
                continue;
            }
            if op == BinaryOp::In {
                let av = array_members(value);
                if av > 1 {
                    values += av as u64 - 1;
                }
            }
            found[i].push((pi, op));
        }
    }
    let values = values.max(1);
    let analysis = analyze(&found);
    let covered_parts: Vec<usize> = found
        .iter()
        .take(analysis.covered)
        .flatten()
        .map(|(pi, _)| *pi)
        .collect();
    let post_filter = parts.len().saturating_sub(analysis.covered);
    let mut costs = FilterCosts {
        supported: false,
        items: items_in_index.saturating_mul(values),
        cost: (items_in_index.saturating_mul(values)) as f64,
        covered_parts,
    };
    // With RocksDB (the only engine aqlplan models) `hash` is an alias of
    // `persistent`: a sorted index that also answers ranges.
    if analysis.covered > 0 && (!index.sparse || analysis.covered == fields.len()) {
        costs.supported = true;
        let mut items = (items_in_index * values) as f64;
        if items_in_index > 0 || compat.empty_indexes_are_estimated() {
            if index.selectivity.is_some() && analysis.by_equality == fields.len() {
                match index.selectivity {
                    Some(s) if s > 0.0 => items = 1.0 / s * values as f64,
                    _ => items /= analysis.equality_factor,
                }
            } else if analysis.by_equality > 0 {
                let other = best_prefix_selectivity(index, all, &found, parts, var);
                match other {
                    Some(s) => items = 1.0 / s * values as f64,
                    None => items /= analysis.equality_factor,
                }
                items /= analysis.non_equality_factor;
            } else if compat.range_only_conditions_reduce_estimates() {
                items /= analysis.non_equality_factor;
            }
            costs.items = items as u64;
            normalize(&mut costs, index, items_in_index, values);
        }
    }
    costs.cost += costs.items as f64 * post_filter as f64;
    costs
}

struct Analysis {
    covered: usize,
    by_equality: usize,
    equality_factor: f64,
    non_equality_factor: f64,
}

fn analyze(found: &[Vec<(usize, BinaryOp)>]) -> Analysis {
    let mut a = Analysis {
        covered: 0,
        by_equality: 0,
        equality_factor: 1.0,
        non_equality_factor: 1.0,
    };
    let mut next_equality = 20.0;
    let mut last_had_equality = true;
    for ops in found {
        if ops.is_empty() || !last_had_equality {
            break;
        }
        a.covered += 1;
        let equality = ops
            .iter()
            .any(|(_, op)| matches!(op, BinaryOp::Eq | BinaryOp::In));
        if equality {
            a.by_equality += 1;
            a.equality_factor *= next_equality;
            next_equality *= 0.25;
        } else if ops.len() >= 2 {
            a.non_equality_factor *= 7.5;
        } else {
            a.non_equality_factor *= 2.0;
        }
        last_had_equality = equality;
    }
    a
}

/// The best selectivity of another index that is a prefix of `index`
/// fully answered by equality.
fn best_prefix_selectivity(
    index: &IndexView,
    all: &[IndexView],
    found: &[Vec<(usize, BinaryOp)>],
    parts: &[Expr],
    var: VarId,
) -> Option<f64> {
    let mut best: Option<f64> = None;
    for other in all {
        if other.reference == index.reference
            || other.selectivity.is_none()
            || other.fields.len() > index.fields.len()
        {
            continue;
        }
        let prefix = other
            .fields
            .iter()
            .zip(&index.fields)
            .take_while(|(a, b)| a == b)
            .count();
        if prefix != other.fields.len() || prefix > found.len() {
            continue;
        }
        let all_equal = (0..prefix).all(|i| {
            found[i]
                .iter()
                .any(|(_, op)| matches!(op, BinaryOp::Eq | BinaryOp::In))
        });
        let _ = (parts, var);
        if all_equal {
            if let Some(s) = other.selectivity.filter(|s| *s > 0.0) {
                if best.is_none_or(|b| s > b) {
                    best = Some(s);
                }
            }
        }
    }
    best
}

fn normalize(costs: &mut FilterCosts, index: &IndexView, items_in_index: u64, invocations: u64) {
    let fields = (index.fields.len() + index.stored_values).max(1) as f64;
    costs.items = costs.items.max(1);
    costs.cost = ((items_in_index as f64).log2() * invocations as f64).max(1.0);
    costs.cost += costs.items as f64 * 0.05;
    costs.cost -= (fields - 1.0) * 0.02;
    if index.unique || index.kind == "primary" {
        costs.cost *= 0.995 - 0.05 * (fields - 1.0);
    }
    if matches!(index.kind, "primary" | "edge") {
        costs.cost *= 0.9;
    }
    costs.cost = costs.cost.max(0.0);
}

/// Rows and cost of one lookup pass of an IndexNode.
pub fn scan_estimate(catalog: &Catalog, scan: &IndexScan, compat: Version) -> Estimate {
    let Some(collection) = catalog.collection(&scan.collection) else {
        return Estimate {
            items: 0,
            cost: 0.0,
        };
    };
    let all = indexes_of(collection);
    let branches: Vec<Vec<Expr>> = match &scan.condition {
        Some(Expr::Nary(Logic::Or, members)) => members.iter().map(conjuncts).collect(),
        Some(other) => vec![conjuncts(other)],
        None => vec![Vec::new()],
    };
    let mut total = Estimate {
        items: 0,
        cost: 0.0,
    };
    for (i, r) in scan.indexes.iter().enumerate() {
        let Some(view) = all.iter().find(|v| v.reference == *r) else {
            continue;
        };
        let parts = branches.get(i).cloned().unwrap_or_default();
        let costs = if parts.is_empty() {
            // A full index scan (for sorting).
            FilterCosts {
                supported: true,
                items: collection.count,
                cost: collection.count as f64,
                covered_parts: Vec::new(),
            }
        } else {
            filter_costs(view, &all, &parts, scan.out, collection.count, compat)
        };
        total.items += costs.items;
        total.cost += costs.cost;
    }
    total
}

/// Rows and cost of one scan of a JoinNode, per row coming in: a full
/// index scan without a condition, else the index's filter costs.
pub fn join_info_estimate(
    catalog: &Catalog,
    info: &crate::plan::JoinInfo,
    compat: Version,
) -> Estimate {
    let Some(collection) = catalog.collection(&info.collection) else {
        return Estimate {
            items: 0,
            cost: 0.0,
        };
    };
    let parts = match &info.condition {
        Some(Expr::Nary(Logic::Or, branches)) => {
            branches.first().map(conjuncts).unwrap_or_default()
        }
        Some(other) => conjuncts(other),
        None => Vec::new(),
    };
    let all = indexes_of(collection);
    match all.iter().find(|v| v.reference == info.index) {
        Some(view) if !parts.is_empty() => {
            let costs = filter_costs(view, &all, &parts, info.out, collection.count, compat);
            Estimate {
                items: costs.items,
                cost: costs.cost,
            }
        }
        _ => Estimate {
            items: collection.count,
            cost: collection.count as f64,
        },
    }
}

/// The merge-sort elements a gather needs above a sorted index scan.
pub fn sort_elements(scan: &IndexScan, catalog: &Catalog) -> Vec<SortElement> {
    let Some(collection) = catalog.collection(&scan.collection) else {
        return Vec::new();
    };
    let Some(view) = scan
        .indexes
        .first()
        .and_then(|r| index_view(collection, *r))
    else {
        return Vec::new();
    };
    view.fields
        .iter()
        .map(|f| SortElement {
            var: scan.out,
            ascending: scan.ascending,
            path: f.split('.').map(str::to_string).collect(),
        })
        .collect()
}

/// A FILTER below a collection access whose condition a calculation
/// computes: (filter node, calculation node, condition).
pub struct FilterBelow {
    pub filter: crate::plan::NodeRef,
    pub calculation: crate::plan::NodeRef,
    pub condition: Expr,
}

/// The filters that constrain the rows of enumeration `n`: walking down
/// its pipeline until something ends the loop's scope (LIMIT, COLLECT,
/// RETURN, a subquery boundary).
pub fn filters_below(plan: &Plan, n: crate::plan::NodeRef) -> Vec<FilterBelow> {
    filter_conditions_below(plan, n)
        .into_iter()
        .map(|(filter, calculation, condition)| FilterBelow {
            filter,
            calculation,
            condition: condition.clone(),
        })
        .collect()
}

/// [`filters_below`] without copying the conditions: (filter, its
/// calculation, the condition).
fn filter_conditions_below(
    plan: &Plan,
    n: crate::plan::NodeRef,
) -> Vec<(crate::plan::NodeRef, crate::plan::NodeRef, &Expr)> {
    use crate::plan::NodeKind;
    let mut calcs: Vec<(VarId, crate::plan::NodeRef)> = Vec::new();
    let mut out = Vec::new();
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Calculation { out: var, .. } => calcs.push((*var, c)),
            NodeKind::Filter { input } => {
                // A variable has one calculation, usually the latest.
                if let Some(&(_, calc)) = calcs.iter().rev().find(|(v, _)| v == input) {
                    if let NodeKind::Calculation { expr, .. } = plan.kind(calc) {
                        out.push((c, calc, expr));
                    }
                }
            }
            NodeKind::Sort { .. }
            | NodeKind::EnumerateCollection(_)
            | NodeKind::Index(_)
            | NodeKind::EnumerateList { .. }
            | NodeKind::Subquery { .. } => {}
            _ => break,
        }
        cur = plan.parent(c);
    }
    out
}

/// The variables an enumeration `n` may use in its index condition: those
/// defined above it, including the pipelines enclosing a subquery. A
/// join condition on a variable of a later (inner) loop is not usable.
pub fn variables_valid_at(plan: &Plan, n: crate::plan::NodeRef) -> Vec<VarId> {
    let mut out = Vec::new();
    let mut cur = plan.dependency(n);
    // Each subquery level is entered once; nesting is bounded by the plan.
    let mut levels = plan.node_count();
    while let Some(c) = cur {
        out.extend(plan.kind(c).variables_set());
        cur = plan.dependency(c);
        if cur.is_none() && levels > 0 {
            levels -= 1;
            cur = plan
                .subquery_node_of(plan.pipeline_bottom(c))
                .and_then(|sq| plan.dependency(sq));
        }
    }
    out
}

/// The AND-ed parts of the filters below `n` an index on `n` may answer:
/// every variable they read other than `n`'s own is defined above `n`.
pub fn usable_parts(plan: &Plan, n: crate::plan::NodeRef, var: VarId) -> Vec<Expr> {
    let conditions = filter_conditions_below(plan, n);
    if conditions.is_empty() {
        return Vec::new();
    }
    let mut valid = variables_valid_at(plan, n);
    valid.sort_unstable();
    conditions
        .into_iter()
        .flat_map(|(_, _, condition)| conjunct_refs(condition))
        .filter(|p| {
            p.variables()
                .iter()
                .all(|v| *v == var || valid.binary_search(v).is_ok())
        })
        .cloned()
        .collect()
}

/// `a IN [3, 1, 3]` looks up `[1, 3]`: an index condition's constant IN
/// list is sorted and without duplicates.
pub fn sorted_in_values(part: Expr) -> Expr {
    let Expr::Binary(BinaryOp::In, lhs, rhs) = part else {
        return part;
    };
    let values: Option<Vec<Value>> = match rhs.as_ref() {
        Expr::Value(Value::Array(items)) => Some(items.clone()),
        Expr::Array(items) => items.iter().map(|i| i.as_value().cloned()).collect(),
        _ => None,
    };
    let Some(mut values) = values else {
        return Expr::Binary(BinaryOp::In, lhs, rhs);
    };
    values.sort_by(|a, b| a.compare(b));
    values.dedup_by(|a, b| a.compare(b) == std::cmp::Ordering::Equal);
    let rhs = match rhs.as_ref() {
        Expr::Array(_) => Expr::Array(values.into_iter().map(Expr::Value).collect()),
        _ => Expr::Value(Value::Array(values)),
    };
    Expr::Binary(BinaryOp::In, lhs, Box::new(rhs))
}

/// ArangoDB's order of operators within one index field.
pub fn sort_weight(part: &Expr) -> u8 {
    match part {
        Expr::Binary(BinaryOp::Eq, ..) => 1,
        Expr::Binary(BinaryOp::In, ..) => 2,
        Expr::Binary(BinaryOp::Gt, ..) => 3,
        Expr::Binary(BinaryOp::Ge, ..) => 4,
        Expr::Binary(BinaryOp::Lt, ..) => 5,
        Expr::Binary(BinaryOp::Le, ..) => 6,
        _ => 7,
    }
}

/// Attribute paths through which an expression reads `var`; None when it
/// reads the whole value somewhere.
pub fn attribute_uses(e: &Expr, var: VarId, out: &mut Vec<Vec<String>>) -> bool {
    // The paths already listed, for the duplicate check: a scan of `out`
    // while it is short, a set once it grows (a scan per path would be
    // quadratic in wide object literals).
    let mut seen = Seen(None);
    collect_attribute_uses(e, var, out, &mut seen)
}

/// Which paths `out` of [`attribute_uses`] holds, once it is long.
struct Seen(Option<std::collections::HashSet<Vec<String>>>);

/// Paths listed before a set of them pays off.
const SCANNED_PATHS: usize = 16;

impl Seen {
    /// Adds `path` to `out` unless it is there.
    fn add(&mut self, out: &mut Vec<Vec<String>>, path: Vec<String>) {
        if self.0.is_none() && out.len() < SCANNED_PATHS {
            if !out.contains(&path) {
                out.push(path);
            }
            return;
        }
        let set = self.0.get_or_insert_with(|| out.iter().cloned().collect());
        if set.insert(path.clone()) {
            out.push(path);
        }
    }
}

fn collect_attribute_uses(
    e: &Expr,
    var: VarId,
    out: &mut Vec<Vec<String>>,
    seen: &mut Seen,
) -> bool {
    if let Some((v, path)) = e.attribute_path() {
        if v == var {
            seen.add(out, path.iter().map(|s| s.to_string()).collect());
            return true;
        }
    }
    match e {
        Expr::Reference(v) => *v != var,
        other => !other.any_child(|c| !collect_attribute_uses(c, var, out, seen)),
    }
}

/// The attributes an IndexNode's early-pruning filter reads from the index
/// instead of the document (`filterProjections`, 3.10+): all paths the
/// filter reads of the loop variable, when the node's (single) index holds
/// every one of them as a field or stored value; sorted. Empty otherwise.
/// INFERRED from the documented plans (query-optimization.md, 3.12 notes).
pub fn filter_projections(catalog: &Catalog, scan: &IndexScan) -> Vec<Vec<String>> {
    let (Some(filter), [index]) = (&scan.filter, scan.indexes.as_slice()) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    if !attribute_uses(filter, scan.out, &mut paths) || paths.is_empty() {
        return Vec::new();
    }
    let Some(view) = catalog
        .collection(&scan.collection)
        .and_then(|c| index_view(c, *index))
    else {
        return Vec::new();
    };
    let stored: Vec<&str> = catalog
        .collection(&scan.collection)
        .and_then(|c| match index {
            IndexRef::Secondary(k) => c.indexes.get(*k),
            _ => None,
        })
        .map(|ix| ix.stored_values.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let held = |path: &Vec<String>| {
        let dotted = path.join(".");
        view.fields
            .iter()
            .chain(&stored)
            .any(|f| dotted == *f || dotted.starts_with(&format!("{f}.")))
    };
    if !paths.iter().all(held) {
        return Vec::new();
    }
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::filter_projections;
    use crate::optimizer::rules::testing::TestPlan;
    use crate::plan::NodeKind;

    const CATALOG: &str = r#"{"role": "single", "collections": [{"name": "c", "count": 1000, "indexes": [
        {"type": "persistent", "fields": ["a", "b"], "name": "ab", "storedValues": ["s"]}]}]}"#;

    fn filter_projections_of(query: &str) -> Vec<Vec<String>> {
        let mut t = TestPlan::new(CATALOG, query, crate::compat::Version::NEWEST);
        t.run_all(&[
            "use-indexes",
            "remove-filter-covered-by-index",
            "move-filters-into-enumerate",
        ]);
        let found = t.plan.nodes().find_map(|n| match t.plan.kind(n) {
            NodeKind::Index(scan) => Some(filter_projections(&t.catalog, scan)),
            _ => None,
        });
        found.expect("an IndexNode")
    }

    #[test]
    fn a_filter_on_index_fields_and_stored_values_reads_the_index() {
        assert_eq!(
            filter_projections_of("FOR d IN c FILTER d.a == 1 FILTER ABS(d.s) != d.b RETURN d"),
            [vec!["b".to_string()], vec!["s".to_string()]]
        );
    }

    #[test]
    fn a_filter_on_other_attributes_or_the_whole_document_does_not() {
        assert!(
            filter_projections_of("FOR d IN c FILTER d.a == 1 FILTER d.z != 2 RETURN d").is_empty()
        );
        assert!(
            filter_projections_of("FOR d IN c FILTER d.a == 1 FILTER d != null RETURN d")
                .is_empty()
        );
    }
}

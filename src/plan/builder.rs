//! Builds the initial execution plan from resolved operations, creating
//! nodes (and planner temporaries) in exactly ArangoDB's order, since node
//! ids and `#N` names are taken from counters in creation order.

use super::expr::{Expr, VarId};
use super::resolve::{self, CollectOp, ForSource, ModifyOp, Op};
use super::*;
use crate::catalog::Catalog;
use crate::compat::Version;
use crate::error::Result;
use crate::syntax;
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// What the planner learned about the query besides the plan itself.
#[derive(Debug, Clone, Default)]
pub struct QueryInfo {
    /// Collections read or written, in first-use order.
    pub collections: Vec<String>,
    /// Collections written.
    pub written: Vec<String>,
}

/// Resolves names and builds the unoptimized plan.
pub fn build(
    query: &syntax::Query,
    catalog: &Catalog,
    bind: &BTreeMap<String, serde_json::Value>,
    compat: Version,
    full_count: bool,
) -> Result<(Plan, QueryInfo)> {
    let resolved = resolve::resolve(query, catalog, bind, compat)?;
    let mut builder = Builder {
        plan: Plan::with_capacity(resolved.vars, node_estimate(&resolved.ops)),
        compat,
        subquery_nodes: HashMap::new(),
    };
    // The operations are consumed: their expressions move into the nodes.
    let root = builder.pipeline(resolved.ops)?;
    builder.plan.set_root(root);
    if full_count {
        let last_limit = builder
            .plan
            .pipeline()
            .into_iter()
            .rev()
            .find(|&n| matches!(builder.plan.kind(n), NodeKind::Limit { .. }));
        if let Some(n) = last_limit {
            if let NodeKind::Limit { full_count, .. } = builder.plan.kind_mut(n) {
                *full_count = true;
            }
        }
    }
    let info = QueryInfo {
        collections: resolved.collections,
        written: resolved.written,
    };
    Ok((builder.plan, info))
}

/// About how many nodes the operations become (a capacity hint: most make
/// one node, plus one for a computed operand).
fn node_estimate(ops: &[Op]) -> usize {
    ops.iter()
        .map(|op| match op {
            Op::Subquery { body, .. } => 1 + node_estimate(body),
            _ => 2,
        })
        .sum::<usize>()
        + 1
}

struct Builder {
    plan: Plan,
    compat: Version,
    /// SubqueryNodes by their (parser temporary) result variable.
    subquery_nodes: HashMap<VarId, NodeRef>,
}

impl Builder {
    /// Builds one (sub)query pipeline and returns its last node.
    fn pipeline(&mut self, ops: Vec<Op>) -> Result<NodeRef> {
        let mut last = self.plan.create(NodeKind::Singleton);
        for op in ops {
            last = self.op(op, last)?;
        }
        Ok(last)
    }

    fn append(&mut self, last: NodeRef, kind: NodeKind) -> NodeRef {
        let n = self.plan.create(kind);
        self.plan.add_dependency(n, last);
        n
    }

    /// `tmpCalc`: a temporary variable, then a CalculationNode computing it.
    fn temporary(&mut self, last: &mut NodeRef, expr: Expr) -> VarId {
        let out = self.plan.vars.create_temporary(self.compat);
        *last = self.append(*last, NodeKind::Calculation { out, expr });
        out
    }

    /// A plain variable reference is used directly; anything else is
    /// computed into a temporary first.
    fn operand(&mut self, last: &mut NodeRef, expr: Expr) -> VarId {
        match expr.reference() {
            Some(v) => v,
            None => self.temporary(last, expr),
        }
    }

    fn op(&mut self, op: Op, last: NodeRef) -> Result<NodeRef> {
        let mut last = last;
        match op {
            Op::For { out, source } => {
                let kind = match source {
                    ForSource::Collection(collection) => {
                        NodeKind::EnumerateCollection(CollectionScan {
                            collection,
                            out,
                            random: false,
                            filter: None,
                            projections: Vec::new(),
                            projection_vars: Vec::new(),
                            produces_result: true,
                            restricted_to: None,
                        })
                    }
                    ForSource::Expr(e) => {
                        let input = self.operand(&mut last, e);
                        NodeKind::EnumerateList {
                            input,
                            out,
                            filter: None,
                            value: None,
                        }
                    }
                };
                last = self.append(last, kind);
            }
            // A condition known from its shape (even a non-deterministic
            // one, `[RAND()]`) needs no FilterNode; before 3.6 such filters
            // are left to `remove-unnecessary-filters`.
            Op::Filter(e) if self.compat.plan_builder_decides_constant_filters() && e.is_true() => {
            }
            Op::Filter(e)
                if self.compat.plan_builder_decides_constant_filters() && e.is_false() =>
            {
                last = self.append(last, NodeKind::NoResults);
            }
            Op::Filter(e) => {
                let input = self.operand(&mut last, e);
                last = self.append(last, NodeKind::Filter { input });
            }
            Op::Let { out, expr } => {
                match expr.reference().and_then(|v| self.subquery_nodes.get(&v)) {
                    // `LET x = (subquery)`: the SubqueryNode produces x itself.
                    Some(&node) => {
                        if let NodeKind::Subquery { out: sq_out, .. } = self.plan.kind_mut(node) {
                            *sq_out = out;
                        }
                    }
                    None => {
                        last = self.append(last, NodeKind::Calculation { out, expr });
                    }
                }
            }
            Op::Subquery {
                out,
                body,
                conditional,
            } => {
                let root = self.pipeline(body)?;
                self.plan.register_subquery_root(root);
                last = self.append(
                    last,
                    NodeKind::Subquery {
                        root,
                        out,
                        conditional,
                    },
                );
                self.subquery_nodes.insert(out, last);
            }
            Op::Sort(elements) => {
                let mut sort = Vec::new();
                for (e, ascending) in elements {
                    // Constant keys (`SORT null`) still get their nodes; the
                    // optimizer removes them (remove-redundant-sorts).
                    let var = self.operand(&mut last, e);
                    sort.push(SortElement {
                        var,
                        ascending,
                        path: Vec::new(),
                    });
                }
                if !sort.is_empty() {
                    last = self.append(
                        last,
                        NodeKind::Sort {
                            elements: sort,
                            limit: 0,
                            grouped: 0,
                        },
                    );
                }
            }
            Op::Limit { offset, count } => {
                last = self.append(
                    last,
                    NodeKind::Limit {
                        offset,
                        limit: count,
                        full_count: false,
                    },
                );
            }
            Op::Return { expr, distinct } => {
                let mut input = self.operand(&mut last, expr);
                if distinct {
                    let out = self.plan.vars.create_temporary(self.compat);
                    last = self.append(
                        last,
                        NodeKind::Collect(Collect {
                            groups: vec![(out, input)],
                            aggregates: Vec::new(),
                            into: None,
                            into_expression: None,
                            keep: None,
                            method: CollectMethod::Distinct,
                            fixed_method: true,
                            disable_index: false,
                            method_option: None,
                        }),
                    );
                    input = out;
                }
                last = self.append(last, NodeKind::Return { input });
            }
            Op::Collect(c) => last = self.collect(c, last),
            Op::Modify(m) => last = self.modification(m, last),
        }
        Ok(last)
    }

    fn collect(&mut self, c: CollectOp, mut last: NodeRef) -> NodeRef {
        let no_groups = c.groups.is_empty();
        let groups = c
            .groups
            .into_iter()
            .map(|(out, e)| (out, self.operand(&mut last, e)))
            .collect();
        let aggregates = c
            .aggregates
            .into_iter()
            .map(|(out, function, arg)| Aggregate {
                out,
                input: arg.map(|a| self.operand(&mut last, a)),
                function,
            })
            .collect::<Vec<_>>();
        let into_expression = c.into_expr.map(|e| self.operand(&mut last, e));
        let method = if no_groups && c.into.is_none() && !aggregates.is_empty() {
            CollectMethod::Count
        } else {
            CollectMethod::Hash
        };
        let count_only = method == CollectMethod::Count
            && aggregates
                .iter()
                .all(|a: &Aggregate| a.function == "LENGTH" && a.input.is_none());
        self.append(
            last,
            NodeKind::Collect(Collect {
                groups,
                aggregates,
                into: c.into,
                into_expression,
                keep: c.keep,
                method: if count_only {
                    CollectMethod::Count
                } else {
                    CollectMethod::Hash
                },
                fixed_method: false,
                disable_index: c.disable_index,
                method_option: c.method_option,
            }),
        )
    }

    fn modification(&mut self, m: ModifyOp, mut last: NodeRef) -> NodeRef {
        let key = m.key.map(|k| self.operand(&mut last, k));
        let input = self.operand(&mut last, m.doc);
        let (insert, update, replace) = match m.upsert {
            Some((insert, update, replace)) => (
                Some(self.operand(&mut last, insert)),
                Some(self.operand(&mut last, update)),
                replace,
            ),
            None => (None, None, false),
        };
        self.append(
            last,
            NodeKind::Modification(Modification {
                kind: m.kind,
                collection: m.collection,
                input,
                key,
                insert,
                update,
                replace,
                out_old: m.out_old,
                out_new: m.out_new,
                produces_results: true,
                options: if matches!(&m.options, Value::Object(o) if o.is_empty()) {
                    Value::Object(Vec::new())
                } else {
                    m.options
                },
                restricted_to: None,
            }),
        )
    }
}

//! Execution nodes: one variant per ArangoDB node type, carrying what the
//! optimizer reads and the explainer prints.

use super::expr::{Expr, VarId};
use petgraph::stable_graph::NodeIndex;

/// An execution node. `id` is ArangoDB's node id: taken from the plan's
/// counter when the node is created and never reused.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: u32,
    pub kind: NodeKind,
    /// Set by the `async-prefetch` rule (3.12's `Par` column).
    pub async_prefetch: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Singleton,
    EnumerateCollection(CollectionScan),
    Index(IndexScan),
    EnumerateList {
        input: VarId,
        /// The element; in object iteration the attribute name.
        out: VarId,
        /// Early-pruning filter (3.12).
        filter: Option<Expr>,
        /// Object iteration (3.12.3, `FOR [key, value] OF obj`): the
        /// attribute value. None: iteration over an array.
        value: Option<VarId>,
    },
    Calculation {
        out: VarId,
        expr: Expr,
    },
    Filter {
        input: VarId,
    },
    Sort {
        elements: Vec<SortElement>,
        /// Set by `sort-limit`: a constrained heap of this many rows.
        limit: u64,
        /// 3.12.4 `use-index-for-sort`: the first this many elements
        /// already arrive in order from an index (grouped sort); 0: none.
        grouped: usize,
    },
    Limit {
        offset: u64,
        limit: u64,
        full_count: bool,
    },
    Return {
        input: VarId,
    },
    Collect(Collect),
    /// 3.12.4+: a COLLECT answered by a distinct or full scan of a
    /// persistent index (`use-index-for-collect`).
    IndexCollect(IndexCollect),
    /// A subquery before splicing: its own pipeline ends in `root`.
    Subquery {
        root: NodeIndex,
        out: VarId,
        /// Runs only when its ternary branch is taken (3.12.1+): nothing
        /// moves out of it.
        conditional: bool,
    },
    SubqueryStart {
        out: VarId,
    },
    SubqueryEnd {
        input: Option<VarId>,
        out: VarId,
    },
    Modification(Modification),
    Materialize(Materialize),
    /// 3.12 `join-index-nodes`: adjacent index scans joined on their
    /// first index fields, merging the sorted index streams.
    Join(Vec<JoinInfo>),
    NoResults,
    Remote,
    Scatter,
    Distribute {
        input: VarId,
        collection: String,
        /// Id of the modification node the rows are distributed to.
        target: u32,
        /// ≤ 3.8 explain text: whether the node creates missing keys.
        create_keys: bool,
    },
    /// `optimize-cluster-single-document-operations`: one document read or
    /// written by the Coordinator directly.
    SingleRemote(SingleRemote),
    /// `optimize-cluster-multiple-document-operations`: a constant array
    /// inserted by the Coordinator in one bulk operation.
    MultipleRemoteModification {
        collection: String,
        /// The array being inserted.
        input: VarId,
        out_old: Option<VarId>,
        out_new: Option<VarId>,
    },
    Gather(Gather),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CollectionScan {
    pub collection: String,
    pub out: VarId,
    pub random: bool,
    /// Early-pruning filter folded in by `move-filters-into-enumerate`.
    pub filter: Option<Expr>,
    pub projections: Vec<Vec<String>>,
    /// 3.12: one output variable per projection (`LET #4 = doc.a`).
    pub projection_vars: Vec<VarId>,
    pub produces_result: bool,
    /// Restricted to one shard by `restrict-to-single-shard`.
    pub restricted_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexScan {
    pub collection: String,
    pub out: VarId,
    /// Positions in the collection's index list; `None` is the primary index.
    pub indexes: Vec<IndexRef>,
    /// The index condition: an n-ary OR of n-ary ANDs, one branch per index.
    pub condition: Option<Expr>,
    pub all_covered_by_one_index: bool,
    pub ascending: bool,
    /// Set by `use-index-for-sort`: the gather above must merge-sort.
    pub needs_gather_sort: bool,
    pub filter: Option<Expr>,
    pub projections: Vec<Vec<String>>,
    pub projection_vars: Vec<VarId>,
    /// The index alone answers the projections (`index only`).
    pub covers_projections: bool,
    pub produces_result: bool,
    pub restricted_to: Option<String>,
    /// Set by `push-limit-into-index` (3.12.2+): the scan stops after this
    /// many rows per lookup value (0: no limit).
    pub limit: u64,
    /// Late materialization (3.12 `batch-materialize-documents`): the scan
    /// produces document ids into this variable and a MaterializeNode
    /// below fetches the documents.
    pub late_doc_id: Option<VarId>,
}

/// One index scan of a JoinNode.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinInfo {
    pub collection: String,
    pub out: VarId,
    pub index: IndexRef,
    /// As an IndexNode's: an n-ary OR with one n-ary AND, or none (a full
    /// index scan).
    pub condition: Option<Expr>,
    pub projections: Vec<Vec<String>>,
    pub projection_vars: Vec<VarId>,
    pub covers_projections: bool,
    pub produces_output: bool,
    /// The scan was late-materialized: it produces document ids here.
    pub late_doc_id: Option<VarId>,
}

/// 3.12: fetches the documents of a late-materialized IndexNode.
#[derive(Debug, Clone, PartialEq)]
pub struct Materialize {
    pub collection: String,
    /// The document ids the IndexNode produced.
    pub doc_id: VarId,
    /// The variable the documents are written to.
    pub out: VarId,
    /// The IndexNode's loop variable (equal to `out` until
    /// `materialize-into-separate-variable`).
    pub old: VarId,
    pub projections: Vec<Vec<String>>,
    pub projection_vars: Vec<VarId>,
}

/// An index used by an IndexNode: the primary index, or a secondary index
/// of the collection by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexRef {
    Primary,
    Edge,
    Secondary(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortElement {
    pub var: VarId,
    pub ascending: bool,
    /// Attribute path below the variable (gather elements from indexes).
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectMethod {
    Hash,
    Sorted,
    Count,
    Distinct,
}

impl CollectMethod {
    pub fn name(self) -> &'static str {
        match self {
            CollectMethod::Hash => "hash",
            CollectMethod::Sorted => "sorted",
            CollectMethod::Count => "count",
            CollectMethod::Distinct => "distinct",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub out: VarId,
    pub input: Option<VarId>,
    /// Upper-case aggregate function name: `MIN`, `LENGTH`, …
    pub function: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Collect {
    pub groups: Vec<(VarId, VarId)>,
    pub aggregates: Vec<Aggregate>,
    pub into: Option<VarId>,
    pub into_expression: Option<VarId>,
    pub keep: Option<Vec<VarId>>,
    pub method: CollectMethod,
    /// The method was fixed by OPTIONS or by the planner itself.
    pub fixed_method: bool,
    /// `OPTIONS { disableIndex: true }`: no `use-index-for-collect`.
    pub disable_index: bool,
    /// `OPTIONS { method: "hash" | "sorted" }`: the user's choice.
    pub method_option: Option<CollectMethod>,
}

/// A COLLECT served by an index scan: each group reads one index field;
/// aggregates read covered attributes of the (no longer produced) loop
/// variable.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexCollect {
    pub collection: String,
    pub index: IndexRef,
    /// The loop variable of the IndexNode this node replaced; only
    /// printed (`FOR doc IN coll`) and read by aggregate expressions.
    pub old_var: VarId,
    /// (output variable, position of the index field).
    pub groups: Vec<(VarId, usize)>,
    pub aggregates: Vec<IndexAggregate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexAggregate {
    pub out: VarId,
    /// Upper-case aggregate function name.
    pub function: String,
    pub expr: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModificationKind {
    Insert,
    Update,
    Replace,
    Remove,
    Upsert,
}

impl ModificationKind {
    pub fn node_type(self) -> &'static str {
        match self {
            ModificationKind::Insert => "InsertNode",
            ModificationKind::Update => "UpdateNode",
            ModificationKind::Replace => "ReplaceNode",
            ModificationKind::Remove => "RemoveNode",
            ModificationKind::Upsert => "UpsertNode",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Modification {
    pub kind: ModificationKind,
    pub collection: String,
    /// The document (INSERT/UPDATE/REPLACE), the key (REMOVE), the search
    /// document (UPSERT).
    pub input: VarId,
    /// `UPDATE key WITH doc`: the key variable.
    pub key: Option<VarId>,
    /// UPSERT's insert and update documents.
    pub insert: Option<VarId>,
    pub update: Option<VarId>,
    /// `UPSERT … REPLACE …` instead of `… UPDATE …`.
    pub replace: bool,
    pub out_old: Option<VarId>,
    pub out_new: Option<VarId>,
    pub produces_results: bool,
    pub options: crate::value::Value,
    pub restricted_to: Option<String>,
}

/// What a SingleRemoteOperationNode does: a primary-index lookup, or one
/// of the modifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SingleRemoteMode {
    Index,
    Modify(ModificationKind),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SingleRemote {
    pub mode: SingleRemoteMode,
    pub collection: String,
    /// The constant document key, when one is known.
    pub key: Option<String>,
    /// The document written (INSERT, UPDATE/REPLACE `WITH` part).
    pub input: Option<VarId>,
    /// The document read (index mode, or the loop variable it replaced).
    pub out: Option<VarId>,
    pub out_old: Option<VarId>,
    pub out_new: Option<VarId>,
    /// It replaced an IndexNode + modification pair.
    pub replace_index_node: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortMode {
    Unset,
    MinElement,
    Heap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parallelism {
    Undefined,
    Serial,
    Parallel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gather {
    pub elements: Vec<SortElement>,
    /// The mode a sorting gather would use (serialized `unset` without elements).
    pub sort_mode: SortMode,
    pub parallelism: Parallelism,
    /// Constrained-sort limit from `sort-limit`.
    pub limit: u64,
}

impl NodeKind {
    /// ArangoDB's node type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            NodeKind::Singleton => "SingletonNode",
            NodeKind::EnumerateCollection(_) => "EnumerateCollectionNode",
            NodeKind::Index(_) => "IndexNode",
            NodeKind::EnumerateList { .. } => "EnumerateListNode",
            NodeKind::Calculation { .. } => "CalculationNode",
            NodeKind::Filter { .. } => "FilterNode",
            NodeKind::Sort { .. } => "SortNode",
            NodeKind::Limit { .. } => "LimitNode",
            NodeKind::Return { .. } => "ReturnNode",
            NodeKind::Collect(_) => "CollectNode",
            NodeKind::IndexCollect(_) => "IndexCollectNode",
            NodeKind::Subquery { .. } => "SubqueryNode",
            NodeKind::SubqueryStart { .. } => "SubqueryStartNode",
            NodeKind::SubqueryEnd { .. } => "SubqueryEndNode",
            NodeKind::Modification(m) => m.kind.node_type(),
            NodeKind::Materialize(_) => "MaterializeNode",
            NodeKind::Join(_) => "JoinNode",
            NodeKind::NoResults => "NoResultsNode",
            NodeKind::Remote => "RemoteNode",
            NodeKind::Scatter => "ScatterNode",
            NodeKind::Distribute { .. } => "DistributeNode",
            NodeKind::SingleRemote(_) => "SingleRemoteOperationNode",
            NodeKind::MultipleRemoteModification { .. } => "MultipleRemoteModificationNode",
            NodeKind::Gather(_) => "GatherNode",
        }
    }

    /// The variables this node defines.
    pub fn variables_set(&self) -> Vec<VarId> {
        match self {
            NodeKind::EnumerateCollection(s) => std::iter::once(s.out)
                .chain(s.projection_vars.iter().copied())
                .collect(),
            NodeKind::Index(s) => std::iter::once(s.out)
                .chain(s.projection_vars.iter().copied())
                .chain(s.late_doc_id)
                .collect(),
            NodeKind::Materialize(m) => std::iter::once(m.out)
                .chain(m.projection_vars.iter().copied())
                .collect(),
            NodeKind::Join(infos) => infos
                .iter()
                .flat_map(|i| {
                    std::iter::once(i.out)
                        .chain(i.projection_vars.iter().copied())
                        .chain(i.late_doc_id)
                })
                .collect(),
            // Object iteration also sets the attribute value.
            NodeKind::EnumerateList { out, value, .. } => {
                std::iter::once(*out).chain(*value).collect()
            }
            NodeKind::Calculation { out, .. }
            | NodeKind::Subquery { out, .. }
            | NodeKind::SubqueryStart { out }
            | NodeKind::SubqueryEnd { out, .. } => vec![*out],
            NodeKind::Collect(c) => c
                .groups
                .iter()
                .map(|g| g.0)
                .chain(c.aggregates.iter().map(|a| a.out))
                .chain(c.into)
                .collect(),
            NodeKind::IndexCollect(c) => c
                .groups
                .iter()
                .map(|g| g.0)
                .chain(c.aggregates.iter().map(|a| a.out))
                .collect(),
            NodeKind::Modification(m) => m.out_old.into_iter().chain(m.out_new).collect(),
            NodeKind::SingleRemote(r) => r
                .out
                .into_iter()
                .chain(r.out_new)
                .chain(r.out_old)
                .collect(),
            NodeKind::MultipleRemoteModification {
                out_old, out_new, ..
            } => out_new.iter().chain(out_old.iter()).copied().collect(),
            _ => Vec::new(),
        }
    }

    /// Calls `f` on every variable this node defines, in the order of
    /// [`Self::variables_set`], without building the list.
    pub fn for_each_variable_set(&self, f: &mut impl FnMut(VarId)) {
        match self {
            NodeKind::EnumerateCollection(s) => {
                f(s.out);
                s.projection_vars.iter().copied().for_each(f);
            }
            NodeKind::Index(s) => {
                f(s.out);
                s.projection_vars.iter().copied().for_each(&mut *f);
                s.late_doc_id.into_iter().for_each(f);
            }
            NodeKind::Materialize(m) => {
                f(m.out);
                m.projection_vars.iter().copied().for_each(f);
            }
            NodeKind::Join(infos) => {
                for i in infos {
                    f(i.out);
                    i.projection_vars.iter().copied().for_each(&mut *f);
                    i.late_doc_id.into_iter().for_each(&mut *f);
                }
            }
            NodeKind::EnumerateList { out, value, .. } => {
                f(*out);
                value.iter().copied().for_each(f);
            }
            NodeKind::Calculation { out, .. }
            | NodeKind::Subquery { out, .. }
            | NodeKind::SubqueryStart { out }
            | NodeKind::SubqueryEnd { out, .. } => f(*out),
            NodeKind::Collect(c) => {
                c.groups.iter().for_each(|g| f(g.0));
                c.aggregates.iter().for_each(|a| f(a.out));
                c.into.into_iter().for_each(f);
            }
            NodeKind::IndexCollect(c) => {
                c.groups.iter().for_each(|g| f(g.0));
                c.aggregates.iter().for_each(|a| f(a.out));
            }
            NodeKind::Modification(m) => m.out_old.into_iter().chain(m.out_new).for_each(f),
            NodeKind::SingleRemote(r) => r
                .out
                .into_iter()
                .chain(r.out_new)
                .chain(r.out_old)
                .for_each(f),
            NodeKind::MultipleRemoteModification {
                out_old, out_new, ..
            } => out_new.iter().chain(out_old.iter()).copied().for_each(f),
            _ => {}
        }
    }

    /// Whether this node defines `var` (as [`Self::variables_set`] would
    /// say, without building the list: walks test this once per node).
    pub fn sets_variable(&self, var: VarId) -> bool {
        let sets = match self {
            // Only the one-variable kinds are spelled out; everything else
            // asks `variables_set`, so the two cannot disagree.
            NodeKind::EnumerateList { out, value, .. } => *out == var || *value == Some(var),
            NodeKind::Calculation { out, .. }
            | NodeKind::Subquery { out, .. }
            | NodeKind::SubqueryStart { out }
            | NodeKind::SubqueryEnd { out, .. } => *out == var,
            other => {
                let mut found = false;
                other.for_each_variable_set(&mut |v| found |= v == var);
                found
            }
        };
        debug_assert_eq!(sets, self.variables_set().contains(&var));
        sets
    }

    /// The variables this node reads (subquery bodies not included).
    pub fn variables_used(&self) -> Vec<VarId> {
        let mut out = match self {
            NodeKind::EnumerateCollection(s) => {
                s.filter.as_ref().map(Expr::variables).unwrap_or_default()
            }
            NodeKind::Index(s) => {
                let mut v = s
                    .condition
                    .as_ref()
                    .map(Expr::variables)
                    .unwrap_or_default();
                v.extend(s.filter.as_ref().map(Expr::variables).unwrap_or_default());
                v
            }
            NodeKind::EnumerateList { input, filter, .. } => {
                let mut v = vec![*input];
                v.extend(filter.as_ref().map(Expr::variables).unwrap_or_default());
                v
            }
            // Join conditions read the joined scans' own variables.
            NodeKind::Join(infos) => infos
                .iter()
                .flat_map(|i| {
                    i.condition
                        .as_ref()
                        .map(Expr::variables)
                        .unwrap_or_default()
                })
                .filter(|v| !infos.iter().any(|i| i.out == *v))
                .collect(),
            NodeKind::Calculation { expr, .. } => expr.variables(),
            NodeKind::Filter { input } | NodeKind::Return { input } => vec![*input],
            NodeKind::Sort { elements, .. } => elements.iter().map(|e| e.var).collect(),
            NodeKind::Gather(g) => g.elements.iter().map(|e| e.var).collect(),
            NodeKind::Collect(c) => c
                .groups
                .iter()
                .map(|g| g.1)
                .chain(c.aggregates.iter().filter_map(|a| a.input))
                .chain(c.into_expression)
                .chain(c.keep.iter().flatten().copied())
                .collect(),
            NodeKind::SubqueryEnd { input, .. } => input.iter().copied().collect(),
            NodeKind::Modification(m) => [Some(m.input), m.key, m.insert, m.update]
                .into_iter()
                .flatten()
                .collect(),
            NodeKind::Distribute { input, .. }
            | NodeKind::MultipleRemoteModification { input, .. } => vec![*input],
            NodeKind::SingleRemote(r) => r.input.into_iter().collect(),
            NodeKind::Materialize(m) => vec![m.doc_id],
            _ => Vec::new(),
        };
        out.dedup();
        out
    }

    /// Calls `f` on every variable this node reads, as
    /// [`Self::variables_used`] lists them but possibly repeated and
    /// without building a list.
    pub fn for_each_variable_used(&self, f: &mut impl FnMut(VarId)) {
        let mut refs = |e: &Expr| {
            e.walk(&mut |x| {
                if let Expr::Reference(v) = x {
                    f(*v)
                }
            })
        };
        match self {
            NodeKind::EnumerateCollection(s) => s.filter.iter().for_each(refs),
            NodeKind::Index(s) => s.condition.iter().chain(s.filter.iter()).for_each(refs),
            NodeKind::EnumerateList { input, filter, .. } => {
                f(*input);
                filter.iter().for_each(|e| {
                    e.walk(&mut |x| {
                        if let Expr::Reference(v) = x {
                            f(*v)
                        }
                    })
                });
            }
            NodeKind::Join(infos) => {
                for e in infos.iter().filter_map(|i| i.condition.as_ref()) {
                    e.walk(&mut |x| match x {
                        Expr::Reference(v) if !infos.iter().any(|i| i.out == *v) => f(*v),
                        _ => {}
                    });
                }
            }
            NodeKind::Calculation { expr, .. } => refs(expr),
            NodeKind::Filter { input }
            | NodeKind::Return { input }
            | NodeKind::Distribute { input, .. }
            | NodeKind::MultipleRemoteModification { input, .. } => f(*input),
            NodeKind::Sort { elements, .. } => elements.iter().for_each(|e| f(e.var)),
            NodeKind::Gather(g) => g.elements.iter().for_each(|e| f(e.var)),
            NodeKind::Collect(c) => {
                c.groups.iter().for_each(|g| f(g.1));
                c.aggregates
                    .iter()
                    .filter_map(|a| a.input)
                    .for_each(&mut *f);
                c.into_expression.into_iter().for_each(&mut *f);
                c.keep.iter().flatten().copied().for_each(f);
            }
            NodeKind::SubqueryEnd { input, .. } => input.iter().copied().for_each(f),
            NodeKind::Modification(m) => [Some(m.input), m.key, m.insert, m.update]
                .into_iter()
                .flatten()
                .for_each(f),
            NodeKind::SingleRemote(r) => r.input.into_iter().for_each(f),
            NodeKind::Materialize(m) => f(m.doc_id),
            _ => {}
        }
    }

    /// Whether this node reads `var` (subquery bodies not included).
    pub fn uses_variable(&self, var: VarId) -> bool {
        let uses = match self {
            NodeKind::Calculation { expr, .. } => expr.uses_variable(var),
            NodeKind::Filter { input } | NodeKind::Return { input } => *input == var,
            other => {
                let mut found = false;
                other.for_each_variable_used(&mut |v| found |= v == var);
                found
            }
        };
        debug_assert_eq!(uses, self.variables_used().contains(&var));
        uses
    }

    /// Replaces uses (not definitions) of a variable.
    pub fn replace_variable(&mut self, from: VarId, to: VarId) {
        let swap = |v: &mut VarId| {
            if *v == from {
                *v = to;
            }
        };
        match self {
            NodeKind::Calculation { expr, .. } => expr.replace_variable(from, to),
            NodeKind::EnumerateCollection(s) => {
                if let Some(f) = &mut s.filter {
                    f.replace_variable(from, to)
                }
            }
            NodeKind::Index(s) => {
                for e in s.condition.iter_mut().chain(s.filter.iter_mut()) {
                    e.replace_variable(from, to);
                }
            }
            NodeKind::Join(infos) => {
                for e in infos.iter_mut().filter_map(|i| i.condition.as_mut()) {
                    e.replace_variable(from, to);
                }
            }
            NodeKind::EnumerateList { input, filter, .. } => {
                swap(input);
                if let Some(f) = filter {
                    f.replace_variable(from, to)
                }
            }
            NodeKind::Filter { input }
            | NodeKind::Return { input }
            | NodeKind::Distribute { input, .. }
            | NodeKind::MultipleRemoteModification { input, .. } => swap(input),
            NodeKind::SingleRemote(r) => r.input.iter_mut().for_each(swap),
            NodeKind::Sort { elements, .. } => elements.iter_mut().for_each(|e| swap(&mut e.var)),
            NodeKind::Gather(g) => g.elements.iter_mut().for_each(|e| swap(&mut e.var)),
            NodeKind::Collect(c) => {
                c.groups.iter_mut().for_each(|g| swap(&mut g.1));
                c.aggregates
                    .iter_mut()
                    .filter_map(|a| a.input.as_mut())
                    .for_each(swap);
                c.into_expression.iter_mut().for_each(swap);
                c.keep.iter_mut().flatten().for_each(swap);
            }
            NodeKind::SubqueryEnd { input, .. } => input.iter_mut().for_each(swap),
            NodeKind::Materialize(m) => swap(&mut m.doc_id),
            NodeKind::Modification(m) => {
                swap(&mut m.input);
                m.key
                    .iter_mut()
                    .chain(m.insert.iter_mut())
                    .chain(m.update.iter_mut())
                    .for_each(swap);
            }
            _ => {}
        }
    }

    /// Enumerations over collections (the nodes scatter-in-cluster wraps).
    pub fn collection(&self) -> Option<&str> {
        match self {
            NodeKind::EnumerateCollection(s) => Some(&s.collection),
            NodeKind::Index(s) => Some(&s.collection),
            NodeKind::IndexCollect(c) => Some(&c.collection),
            NodeKind::Modification(m) => Some(&m.collection),
            NodeKind::Distribute { collection, .. }
            | NodeKind::MultipleRemoteModification { collection, .. } => Some(collection),
            NodeKind::SingleRemote(r) => Some(&r.collection),
            _ => None,
        }
    }

    pub fn is_calculation(&self) -> bool {
        matches!(self, NodeKind::Calculation { .. })
    }
}

//! The body of ArangoDB's `POST /_api/explain` answer: `plan` (or `plans`
//! with `allPlans`), `cacheable`, `warnings`, `stats`, `error`, `code`.
//!
//! Nodes are listed dependencies first (Singleton first, root last), each
//! with ArangoDB's attribute names; expressions are ArangoDB's AST JSON
//! (`type`, `typeID`, `subNodes`, …). Numbers print as ArangoDB's
//! VelocyPack dumper prints them: integral costs without a fraction,
//! others with the shortest round-trip digits.
//!
//! aqlplan's additions are extra members that existing parsers ignore:
//! `site` (`COOR`/`DBS`) on every node of a cluster plan, and the top-level
//! `oneShard` decision with its reasons.

use super::json_value::Json;
use crate::catalog::Catalog;
use crate::cluster::Site;
use crate::compat::Version;
use crate::optimizer::Reason;
use crate::plan::estimate::Estimates;
use crate::plan::expr::{Expansion, Expr, Logic, ObjectMember, Quantifier, VarId};
use crate::plan::{
    Collect, CollectionScan, Gather, IndexCollect, IndexRef, IndexScan, Modification,
    ModificationKind, NodeKind, NodeRef, Parallelism, Plan, SingleRemote, SingleRemoteMode,
    SortElement, SortMode,
};
use crate::planner::Explanation;
use crate::syntax::{BinaryOp, UnaryOp};
use crate::value::Value;
use std::collections::HashMap;

/// Renders the explain answer, pretty-printed, with a trailing newline.
pub fn render(x: &Explanation) -> String {
    let mut out = answer(x).pretty();
    out.push('\n');
    out
}

/// The whole answer as a JSON value.
fn answer(x: &Explanation) -> Json {
    let mut members = Vec::new();
    if x.all_plans {
        let plans = x.plans_by_cost().into_iter().map(|p| plan(x, p)).collect();
        members.push(("plans", Json::Array(plans)));
    } else {
        members.push(("plan", plan(x, &x.plan)));
        members.push(("cacheable", Json::Bool(x.cacheable)));
    }
    members.push(("warnings", Json::Array(Vec::new())));
    members.push(("stats", stats(x)));
    members.push(("error", Json::Bool(false)));
    members.push(("code", Json::Int(200)));
    members.push(("oneShard", one_shard(x)));
    if let Some(t) = &x.trace {
        members.push(("trace", trace(x, t)));
    }
    Json::object(members)
}

/// `--trace`: the initial plan and the plan after each rule that changed it.
fn trace(x: &Explanation, t: &crate::optimizer::Trace) -> Json {
    let steps = t
        .steps
        .iter()
        .map(|s| {
            Json::object(vec![
                ("rule", Json::str(s.rule)),
                ("unchangedBefore", Json::uint(s.unchanged_before)),
                ("plan", plan(x, &s.plan)),
            ])
        })
        .collect();
    Json::object(vec![
        ("initial", plan(x, &t.initial)),
        ("steps", Json::Array(steps)),
        ("unchangedAfter", Json::uint(t.unchanged_after)),
    ])
}

fn stats(x: &Explanation) -> Json {
    Json::object(vec![
        ("rulesExecuted", Json::uint(x.stats.rules_executed)),
        ("rulesSkipped", Json::uint(x.stats.rules_skipped)),
        ("plansCreated", Json::uint(x.stats.plans_created)),
    ])
}

fn one_shard(x: &Explanation) -> Json {
    let reasons = x.one_shard.reasons.iter().map(reason).collect();
    Json::object(vec![
        ("applied", Json::Bool(x.one_shard.applied)),
        ("reasons", Json::Array(reasons)),
    ])
}

fn reason(r: &Reason) -> Json {
    let mut members = vec![
        ("kind", Json::str(r.kind)),
        ("message", Json::str(&r.message)),
    ];
    if let Some((line, column)) = r.position {
        members.push(("line", Json::uint(line)));
        members.push(("column", Json::uint(column)));
    }
    Json::object(members)
}

/// One plan: `nodes`, `rules`, `collections`, `variables`, the root's
/// estimates and `isModificationQuery`.
fn plan(x: &Explanation, plan: &Plan) -> Json {
    let estimates = crate::plan::estimate::estimate(plan, x.catalog, x.compat);
    let sites = if x.is_cluster() {
        crate::cluster::sites(plan)
    } else {
        HashMap::new()
    };
    let w = PlanWriter {
        catalog: x.catalog,
        compat: x.compat,
        plan,
        estimates: &estimates,
        sites: &sites,
    };
    let root = estimates.of(plan.root());
    Json::object(vec![
        ("nodes", w.nodes(plan.root())),
        (
            "rules",
            Json::Array(plan.applied_rules.iter().map(|r| Json::str(r)).collect()),
        ),
        ("collections", collections(x)),
        ("variables", w.variables()),
        ("estimatedCost", Json::Number(root.cost)),
        ("estimatedNrItems", Json::uint(root.items)),
        (
            "isModificationQuery",
            Json::Bool(!x.info.written.is_empty()),
        ),
    ])
}

/// `[{name, type: read|write}]` in first-use order.
fn collections(x: &Explanation) -> Json {
    let list = x
        .info
        .collections
        .iter()
        .map(|c| {
            let access = if x.info.written.contains(c) {
                "write"
            } else {
                "read"
            };
            Json::object(vec![("name", Json::str(c)), ("type", Json::str(access))])
        })
        .collect();
    Json::Array(list)
}

struct PlanWriter<'a> {
    catalog: &'a Catalog,
    compat: Version,
    plan: &'a Plan,
    estimates: &'a Estimates,
    sites: &'a HashMap<NodeRef, Site>,
}

impl PlanWriter<'_> {
    /// The pipeline ending at `bottom`, dependencies first.
    fn nodes(&self, bottom: NodeRef) -> Json {
        let list = self
            .plan
            .pipeline_ending_at(bottom)
            .into_iter()
            .map(|n| self.node(n))
            .collect();
        Json::Array(list)
    }

    fn node(&self, n: NodeRef) -> Json {
        let node = self.plan.node(n);
        let estimate = self.estimates.of(n);
        let dependencies = self
            .plan
            .dependency(n)
            .map(|d| vec![Json::uint(self.plan.id(d))])
            .unwrap_or_default();
        let mut members = vec![
            ("type", Json::str(node.kind.type_name())),
            ("dependencies", Json::Array(dependencies)),
            ("id", Json::uint(node.id)),
            ("estimatedCost", Json::Number(estimate.cost)),
            ("estimatedNrItems", Json::uint(estimate.items)),
        ];
        self.attributes(n, &node.kind, &mut members);
        if node.async_prefetch {
            members.push(("isAsyncPrefetchEnabled", Json::Bool(true)));
        }
        if let Some(site) = self.sites.get(&n) {
            members.push(("site", Json::str(site.label())));
        }
        Json::object(members)
    }

    /// The members ArangoDB adds for the node's type.
    fn attributes(&self, n: NodeRef, kind: &NodeKind, m: &mut Vec<(&'static str, Json)>) {
        match kind {
            NodeKind::Singleton | NodeKind::NoResults => {}
            NodeKind::EnumerateCollection(scan) => self.collection_scan(scan, m),
            NodeKind::Index(scan) => self.index_scan(scan, m),
            NodeKind::EnumerateList {
                input,
                out,
                filter,
                value,
            } => {
                m.push(("inVariable", self.var(*input)));
                match value {
                    Some(v) => {
                        m.push(("mode", Json::String("object".into())));
                        m.push((
                            "outVariable",
                            Json::Array(vec![self.var(*out), self.var(*v)]),
                        ));
                    }
                    None => m.push(("outVariable", self.var(*out))),
                }
                if let Some(f) = filter {
                    m.push(("filter", self.expr(f)));
                }
            }
            NodeKind::Calculation { out, expr } => self.calculation(*out, expr, m),
            NodeKind::Filter { input } => m.push(("inVariable", self.var(*input))),
            NodeKind::Return { input } => {
                m.push(("inVariable", self.var(*input)));
                m.push(("count", Json::Bool(true)));
            }
            NodeKind::Sort {
                elements,
                limit,
                grouped,
            } => {
                m.push(("elements", self.sort_elements(elements)));
                m.push(("stable", Json::Bool(false)));
                m.push(("limit", Json::uint(*limit)));
                if *grouped > 0 {
                    m.push(("numberOfTopGroupedElements", Json::uint(*grouped as u64)));
                }
                let strategy = if *grouped > 0 {
                    "grouped"
                } else if *limit > 0 {
                    "constrained-heap"
                } else {
                    "standard"
                };
                m.push(("strategy", Json::str(strategy)));
            }
            NodeKind::Limit {
                offset,
                limit,
                full_count,
            } => {
                m.push(("offset", Json::uint(*offset)));
                m.push(("limit", Json::uint(*limit)));
                m.push(("fullCount", Json::Bool(*full_count)));
            }
            NodeKind::Collect(c) => self.collect(c, m),
            NodeKind::IndexCollect(c) => self.index_collect(c, m),
            NodeKind::Join(infos) => {
                let list = infos
                    .iter()
                    .map(|i| {
                        let mut members = vec![
                            ("collection", Json::str(&i.collection)),
                            ("producesOutput", Json::Bool(i.produces_output)),
                            ("outVariable", self.var(i.out)),
                        ];
                        let condition = i
                            .condition
                            .as_ref()
                            .map_or_else(|| Json::object(Vec::new()), |c| self.expr(c));
                        members.push(("condition", condition));
                        members.push(("projections", projection_list(&i.projections)));
                        members.push(("indexCoversProjections", Json::Bool(i.covers_projections)));
                        if let Some(index) = self.index(&i.collection, i.index) {
                            members.push(("index", index));
                        }
                        Json::object(members)
                    })
                    .collect();
                m.push(("indexInfos", Json::Array(list)));
            }
            NodeKind::Materialize(mat) => {
                self.collection_members(&mat.collection, m);
                m.push(("inNmDocId", self.var(mat.doc_id)));
                m.push(("outVariable", self.var(mat.out)));
                m.push(("oldDocVariable", self.var(mat.old)));
                m.push(("projections", projection_list(&mat.projections)));
            }
            NodeKind::Subquery { root, out, .. } => {
                let nodes = Json::object(vec![("nodes", self.nodes(*root))]);
                m.push(("subquery", nodes));
                m.push(("outVariable", self.var(*out)));
                let constant =
                    self.plan.is_deterministic(n) && self.plan.variables_needed(n).is_empty();
                m.push(("isConst", Json::Bool(constant)));
            }
            NodeKind::SubqueryStart { out } => m.push(("subqueryOutVariable", self.var(*out))),
            NodeKind::SubqueryEnd { input, out } => {
                if let Some(v) = input {
                    m.push(("inVariable", self.var(*v)));
                }
                m.push(("outVariable", self.var(*out)));
                m.push(("isModificationSubquery", Json::Bool(false)));
            }
            NodeKind::Modification(modification) => self.modification(modification, m),
            // Servers and query ids are only known once engines are set up.
            NodeKind::Remote => {
                m.push(("distributeId", Json::str("")));
                m.push(("isResponsibleForInitializeCursor", Json::Bool(true)));
                m.push(("server", Json::str("")));
                m.push(("queryId", Json::str("")));
            }
            NodeKind::Scatter => m.push(("clients", Json::Array(Vec::new()))),
            NodeKind::Distribute {
                input,
                collection,
                target,
                ..
            } => {
                m.push(("database", Json::str(&self.catalog.database_name)));
                m.push(("collection", Json::str(collection)));
                m.push(("variable", self.var(*input)));
                m.push(("targetNodeId", Json::Number((*target).into())));
            }
            NodeKind::SingleRemote(r) => self.single_remote(r, m),
            NodeKind::MultipleRemoteModification {
                collection,
                input,
                out_old,
                out_new,
            } => {
                self.collection_members(collection, m);
                m.push(("inVariable", self.var(*input)));
                if let Some(v) = out_old {
                    m.push(("outVariableOld", self.var(*v)));
                }
                if let Some(v) = out_new {
                    m.push(("outVariableNew", self.var(*v)));
                }
            }
            NodeKind::Gather(g) => self.gather(g, m),
        }
    }

    /// Members every collection-accessing node has.
    fn collection_members(&self, collection: &str, m: &mut Vec<(&'static str, Json)>) {
        let satellite = self
            .catalog
            .collection(collection)
            .is_some_and(|c| c.is_satellite());
        m.push(("database", Json::str(&self.catalog.database_name)));
        m.push(("collection", Json::str(collection)));
        m.push(("satellite", Json::Bool(satellite)));
        m.push(("isSatellite", Json::Bool(satellite)));
        m.push(("isSatelliteOf", Json::Null));
    }

    /// Members of nodes that produce documents (scans and index lookups),
    /// the early-pruning filter among them.
    fn document_members(
        &self,
        out: VarId,
        projections: &[Vec<String>],
        filter: Option<&Expr>,
        filter_projections: &[Vec<String>],
        produces_result: bool,
        m: &mut Vec<(&'static str, Json)>,
    ) {
        m.push(("outVariable", self.var(out)));
        m.push(("projections", projection_list(projections)));
        if let Some(f) = filter {
            m.push(("filter", self.expr(f)));
        }
        m.push(("filterProjections", projection_list(filter_projections)));
        m.push(("count", Json::Bool(false)));
        m.push(("producesResult", Json::Bool(produces_result)));
        m.push(("readOwnWrites", Json::Bool(false)));
        m.push(("useCache", Json::Bool(true)));
        m.push(("maxProjections", Json::Int(5)));
    }

    fn collection_scan(&self, scan: &CollectionScan, m: &mut Vec<(&'static str, Json)>) {
        m.push(("random", Json::Bool(scan.random)));
        m.push((
            "indexHint",
            Json::object(vec![
                ("forced", Json::Bool(false)),
                ("lookahead", Json::Int(1)),
                ("type", Json::str("none")),
            ]),
        ));
        self.document_members(
            scan.out,
            &scan.projections,
            scan.filter.as_ref(),
            &[],
            scan.produces_result,
            m,
        );
        self.collection_members(&scan.collection, m);
        if let Some(shard) = &scan.restricted_to {
            m.push(("restrictedTo", Json::str(shard)));
        }
    }

    /// IndexCollectNode: its index, the replaced loop variable, groups by
    /// index field and aggregates.
    fn index_collect(&self, c: &IndexCollect, m: &mut Vec<(&'static str, Json)>) {
        self.collection_members(&c.collection, m);
        if let Some(index) = self.index(&c.collection, c.index) {
            m.push(("index", index));
        }
        m.push(("oldIndexVariable", self.var(c.old_var)));
        let fields: Vec<String> = self
            .catalog
            .collection(&c.collection)
            .and_then(|coll| crate::optimizer::index_selection::index_view(coll, c.index))
            .map(|v| v.fields.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default();
        let groups = c
            .groups
            .iter()
            .map(|(out, field)| {
                let attribute = fields
                    .get(*field)
                    .map(|f| f.split('.').map(Json::str).collect())
                    .unwrap_or_default();
                Json::object(vec![
                    ("indexField", Json::uint(*field as u64)),
                    ("outVariable", self.var(*out)),
                    ("attribute", Json::Array(attribute)),
                ])
            })
            .collect();
        m.push(("groups", Json::Array(groups)));
        let aggregations = c
            .aggregates
            .iter()
            .map(|a| {
                Json::object(vec![
                    ("type", Json::str(&a.function)),
                    ("outVariable", self.var(a.out)),
                    ("expression", self.expr(&a.expr)),
                ])
            })
            .collect();
        m.push(("aggregations", Json::Array(aggregations)));
    }

    fn index_scan(&self, scan: &IndexScan, m: &mut Vec<(&'static str, Json)>) {
        let filter_projections = if self.compat.index_scans_have_filter_projections() {
            crate::optimizer::index_selection::filter_projections(self.catalog, scan)
        } else {
            Vec::new()
        };
        self.document_members(
            scan.out,
            &scan.projections,
            scan.filter.as_ref(),
            &filter_projections,
            scan.produces_result,
            m,
        );
        self.collection_members(&scan.collection, m);
        if let Some(shard) = &scan.restricted_to {
            m.push(("restrictedTo", Json::str(shard)));
        }
        m.push(("needsGatherNodeSort", Json::Bool(scan.needs_gather_sort)));
        m.push((
            "indexCoversProjections",
            Json::Bool(scan.covers_projections),
        ));
        let indexes = scan
            .indexes
            .iter()
            .filter_map(|i| self.index(&scan.collection, *i))
            .collect();
        m.push(("indexes", Json::Array(indexes)));
        let condition = scan
            .condition
            .as_ref()
            .map_or_else(|| Json::object(Vec::new()), |c| self.expr(c));
        m.push(("condition", condition));
        m.push((
            "allCoveredByOneIndex",
            Json::Bool(scan.all_covered_by_one_index),
        ));
        m.push(("sorted", Json::Bool(true)));
        m.push(("ascending", Json::Bool(scan.ascending)));
        m.push(("reverse", Json::Bool(!scan.ascending)));
        m.push(("evalFCalls", Json::Bool(true)));
        m.push(("waitForSync", Json::Bool(false)));
        m.push(("limit", Json::Int(0)));
        m.push(("lookahead", Json::Int(1)));
    }

    /// An index as ArangoDB describes it. The catalog has no index ids, so
    /// ids are positions: `0` the primary index, `1` the edge index, and
    /// secondary indexes from `2` on in catalog order.
    fn index(&self, collection: &str, index: IndexRef) -> Option<Json> {
        let fields = |list: &[&str]| Json::Array(list.iter().map(|f| Json::str(f)).collect());
        let json = match index {
            IndexRef::Primary => Json::object(vec![
                ("id", Json::str("0")),
                ("type", Json::str("primary")),
                ("name", Json::str("primary")),
                ("fields", fields(&["_key"])),
                ("selectivityEstimate", Json::Int(1)),
                ("unique", Json::Bool(true)),
                ("sparse", Json::Bool(false)),
            ]),
            IndexRef::Edge => Json::object(vec![
                ("id", Json::str("1")),
                ("type", Json::str("edge")),
                ("name", Json::str("edge")),
                ("fields", fields(&["_from", "_to"])),
                ("unique", Json::Bool(false)),
                ("sparse", Json::Bool(false)),
            ]),
            IndexRef::Secondary(k) => {
                let ix = self.catalog.collection(collection)?.indexes.get(k)?;
                let mut members = vec![
                    ("id", Json::String((k + 2).to_string())),
                    ("type", Json::str(&ix.kind)),
                    ("name", Json::str(&ix.name)),
                    (
                        "fields",
                        Json::Array(ix.fields.iter().map(|f| Json::str(f)).collect()),
                    ),
                ];
                // A unique index's selectivity is 1 without being measured.
                match ix.selectivity {
                    Some(s) => members.push(("selectivityEstimate", Json::Number(s))),
                    None if ix.unique => members.push(("selectivityEstimate", Json::Int(1))),
                    None => {}
                }
                members.push(("unique", Json::Bool(ix.unique)));
                if let Some(sparse) = ix.sparse {
                    members.push(("sparse", Json::Bool(sparse)));
                }
                if matches!(ix.kind.as_str(), "persistent" | "hash" | "skiplist") {
                    // ArangoDB's defaults; the catalog does not describe them.
                    members.push(("deduplicate", Json::Bool(true)));
                    members.push(("estimates", Json::Bool(true)));
                }
                if !ix.stored_values.is_empty() {
                    let stored = ix.stored_values.iter().map(|f| Json::str(f)).collect();
                    members.push(("storedValues", Json::Array(stored)));
                }
                members.push(("cacheEnabled", Json::Bool(ix.cache_enabled)));
                Json::object(members)
            }
        };
        Some(json)
    }

    fn calculation(&self, out: VarId, expr: &Expr, m: &mut Vec<(&'static str, Json)>) {
        m.push(("expression", self.expr(expr)));
        m.push(("outVariable", self.var(out)));
        m.push(("canThrow", Json::Bool(false)));
        m.push((
            "expressionType",
            Json::str(super::expression_type(expr, self.compat)),
        ));
        // `functions` is only serialized for verbose plans, which the
        // documented default answer is not.
    }

    fn collect(&self, c: &Collect, m: &mut Vec<(&'static str, Json)>) {
        let groups = c
            .groups
            .iter()
            .map(|(o, i)| {
                Json::object(vec![
                    ("outVariable", self.var(*o)),
                    ("inVariable", self.var(*i)),
                ])
            })
            .collect();
        m.push(("groups", Json::Array(groups)));
        let aggregates = c
            .aggregates
            .iter()
            .map(|a| {
                let mut members = vec![("outVariable", self.var(a.out))];
                if let Some(i) = a.input {
                    members.push(("inVariable", self.var(i)));
                }
                members.push(("type", Json::str(&a.function)));
                Json::object(members)
            })
            .collect();
        m.push(("aggregates", Json::Array(aggregates)));
        if let Some(e) = c.into_expression {
            m.push(("expressionVariable", self.var(e)));
        }
        if let Some(into) = c.into {
            m.push(("outVariable", self.var(into)));
        }
        if let Some(keep) = &c.keep {
            let list = keep
                .iter()
                .map(|v| Json::object(vec![("variable", self.var(*v))]))
                .collect();
            m.push(("keepVariables", Json::Array(list)));
        }
        m.push(("count", Json::Bool(false)));
        m.push(("isDistinctCommand", Json::Bool(false)));
        m.push(("specialized", Json::Bool(c.fixed_method)));
        m.push((
            "collectOptions",
            Json::object(vec![("method", Json::str(c.method.name()))]),
        ));
    }

    fn modification(&self, md: &Modification, m: &mut Vec<(&'static str, Json)>) {
        self.collection_members(&md.collection, m);
        m.push(("countStats", Json::Bool(true)));
        m.push(("producesResults", Json::Bool(md.produces_results)));
        m.push(("modificationFlags", json_of_value(&md.options)));
        match md.kind {
            ModificationKind::Insert | ModificationKind::Remove => {
                m.push(("inVariable", self.var(md.input)));
            }
            ModificationKind::Update | ModificationKind::Replace => {
                m.push(("inDocVariable", self.var(md.input)));
                if let Some(k) = md.key {
                    m.push(("inKeyVariable", self.var(k)));
                }
            }
            ModificationKind::Upsert => {
                m.push(("inDocVariable", self.var(md.input)));
                if let Some(v) = md.insert {
                    m.push(("insertVariable", self.var(v)));
                }
                if let Some(v) = md.update {
                    m.push(("updateVariable", self.var(v)));
                }
                m.push(("isReplace", Json::Bool(md.replace)));
            }
        }
        if let Some(v) = md.out_old {
            m.push(("outVariableOld", self.var(v)));
        }
        if let Some(v) = md.out_new {
            m.push(("outVariableNew", self.var(v)));
        }
        if let Some(shard) = &md.restricted_to {
            m.push(("restrictedTo", Json::str(shard)));
        }
    }

    fn single_remote(&self, r: &SingleRemote, m: &mut Vec<(&'static str, Json)>) {
        self.collection_members(&r.collection, m);
        let mode = match r.mode {
            SingleRemoteMode::Index => "IndexNode",
            SingleRemoteMode::Modify(kind) => kind.node_type(),
        };
        m.push(("mode", Json::str(mode)));
        m.push(("replaceIndexNode", Json::Bool(r.replace_index_node)));
        if let Some(key) = &r.key {
            m.push(("key", Json::str(key)));
        }
        for (name, var) in [
            ("outVariableOld", r.out_old),
            ("outVariableNew", r.out_new),
            ("inVariable", r.input),
            ("outVariable", r.out),
        ] {
            if let Some(v) = var {
                m.push((name, self.var(v)));
            }
        }
    }

    /// ArangoDB's order: parallelism, sort mode (and limit when sorting),
    /// elements.
    fn gather(&self, g: &Gather, m: &mut Vec<(&'static str, Json)>) {
        let parallelism = match g.parallelism {
            Parallelism::Undefined => "undefined",
            Parallelism::Serial => "serial",
            Parallelism::Parallel => "parallel",
        };
        m.push(("parallelism", Json::str(parallelism)));
        let sort_mode = match (g.elements.is_empty(), g.sort_mode) {
            (true, _) | (false, SortMode::Unset) => "unset",
            (false, SortMode::MinElement) => "minelement",
            (false, SortMode::Heap) => "heap",
        };
        m.push(("sortmode", Json::str(sort_mode)));
        if !g.elements.is_empty() {
            m.push(("limit", Json::uint(g.limit)));
        }
        m.push(("elements", self.sort_elements(&g.elements)));
    }

    fn sort_elements(&self, elements: &[SortElement]) -> Json {
        let list = elements
            .iter()
            .map(|e| {
                let mut members = vec![
                    ("inVariable", self.var(e.var)),
                    ("ascending", Json::Bool(e.ascending)),
                ];
                if !e.path.is_empty() {
                    let path = e.path.iter().map(|p| Json::str(p)).collect();
                    members.push(("path", Json::Array(path)));
                }
                Json::object(members)
            })
            .collect();
        Json::Array(list)
    }

    /// All variables of the query, newest first (as ArangoDB lists them).
    fn variables(&self) -> Json {
        let list = self
            .plan
            .vars
            .all()
            .iter()
            .rev()
            .map(|v| self.var(v.id))
            .collect();
        Json::Array(list)
    }

    /// `{id, name, isFullDocumentFromCollection}`.
    fn var(&self, id: VarId) -> Json {
        Json::object(vec![
            ("id", Json::uint(id)),
            ("name", Json::str(&self.plan.vars.get(id).name)),
            (
                "isFullDocumentFromCollection",
                Json::Bool(self.is_full_document(id)),
            ),
        ])
    }

    /// Whether the variable holds whole documents read from a collection.
    fn is_full_document(&self, id: VarId) -> bool {
        self.plan.nodes().any(|n| match self.plan.kind(n) {
            NodeKind::EnumerateCollection(s) => {
                s.out == id && s.produces_result && s.projections.is_empty()
            }
            NodeKind::Index(s) => s.out == id && s.produces_result && s.projections.is_empty(),
            _ => false,
        })
    }

    fn expr(&self, e: &Expr) -> Json {
        AstWriter { plan: self.plan }.node(e)
    }
}

/// `["a", ["b", "c"]]`: one-component projections as strings, attribute
/// paths as arrays.
fn projection_list(projections: &[Vec<String>]) -> Json {
    let list = projections
        .iter()
        .map(|p| match p.as_slice() {
            [single] => Json::str(single),
            path => Json::Array(path.iter().map(|c| Json::str(c)).collect()),
        })
        .collect();
    Json::Array(list)
}

/// A constant as plain JSON (modification options).
fn json_of_value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Int(*i),
        Value::Double(d) => Json::Number(*d),
        Value::String(s) => Json::str(s),
        Value::Array(items) => Json::Array(items.iter().map(json_of_value).collect()),
        Value::Object(members) => Json::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), json_of_value(v)))
                .collect(),
        ),
    }
}

/// Writes expressions as ArangoDB's AST JSON.
struct AstWriter<'a> {
    plan: &'a Plan,
}

/// ArangoDB's AST node type names and ids (`AstNode.h`).
mod ast_type {
    pub const VARIABLE: (&str, i64) = ("variable", 13);
    pub const UNARY_PLUS: (&str, i64) = ("unary plus", 15);
    pub const UNARY_MINUS: (&str, i64) = ("unary minus", 16);
    pub const UNARY_NOT: (&str, i64) = ("unary not", 17);
    pub const TERNARY: (&str, i64) = ("ternary", 33);
    pub const ATTRIBUTE_ACCESS: (&str, i64) = ("attribute access", 35);
    pub const INDEXED_ACCESS: (&str, i64) = ("indexed access", 37);
    pub const EXPANSION: (&str, i64) = ("expansion", 38);
    pub const ITERATOR: (&str, i64) = ("iterator", 39);
    pub const VALUE: (&str, i64) = ("value", 40);
    pub const ARRAY: (&str, i64) = ("array", 41);
    pub const OBJECT: (&str, i64) = ("object", 42);
    pub const OBJECT_ELEMENT: (&str, i64) = ("object element", 43);
    pub const COLLECTION: (&str, i64) = ("collection", 44);
    pub const REFERENCE: (&str, i64) = ("reference", 45);
    pub const FCALL: (&str, i64) = ("function call", 47);
    pub const FCALL_USER: (&str, i64) = ("user function call", 48);
    pub const RANGE: (&str, i64) = ("range", 49);
    pub const NOP: (&str, i64) = ("no-op", 50);
    pub const CALCULATED_OBJECT_ELEMENT: (&str, i64) = ("calculated object element", 53);
    pub const ARRAY_LIMIT: (&str, i64) = ("array limit", 57);
    pub const NARY_AND: (&str, i64) = ("n-ary and", 62);
    pub const NARY_OR: (&str, i64) = ("n-ary or", 63);
    pub const QUANTIFIER: (&str, i64) = ("quantifier", 73);
}

impl AstWriter<'_> {
    fn node(&self, e: &Expr) -> Json {
        use ast_type as t;
        match e {
            Expr::Value(v) => self.value(v),
            Expr::Array(items) => self.with_sub(t::ARRAY, items.iter()),
            Expr::Object(members) => {
                let subs = members
                    .iter()
                    .map(|m| match m {
                        ObjectMember::Element(name, v) => shape(
                            t::OBJECT_ELEMENT,
                            vec![("name", Json::str(name))],
                            vec![self.node(v)],
                        ),
                        ObjectMember::Calculated(k, v) => shape(
                            t::CALCULATED_OBJECT_ELEMENT,
                            vec![],
                            vec![self.node(k), self.node(v)],
                        ),
                    })
                    .collect();
                shape(t::OBJECT, vec![], subs)
            }
            Expr::Reference(v) => self.reference(*v),
            Expr::Attribute(object, name) => shape(
                t::ATTRIBUTE_ACCESS,
                vec![("name", Json::str(name))],
                vec![self.node(object)],
            ),
            Expr::Indexed(object, index) => {
                self.with_sub(t::INDEXED_ACCESS, [&**object, &**index].into_iter())
            }
            Expr::Unary(op, operand) => {
                let kind = match op {
                    UnaryOp::Plus => t::UNARY_PLUS,
                    UnaryOp::Minus => t::UNARY_MINUS,
                    UnaryOp::Not => t::UNARY_NOT,
                };
                shape(kind, vec![], vec![self.node(operand)])
            }
            Expr::Binary(op, lhs, rhs) => {
                let (name, id) = binary_type(*op);
                let mut extra = Vec::new();
                if matches!(op, BinaryOp::Eq | BinaryOp::Lt | BinaryOp::Le) {
                    extra.push(("excludesNull", Json::Bool(false)));
                }
                if matches!(op, BinaryOp::In | BinaryOp::NotIn) {
                    extra.push(("sorted", Json::Bool(false)));
                }
                shape((name, id), extra, vec![self.node(lhs), self.node(rhs)])
            }
            Expr::Nary(logic, items) => {
                let kind = match logic {
                    Logic::And => t::NARY_AND,
                    Logic::Or => t::NARY_OR,
                };
                self.with_sub(kind, items.iter())
            }
            Expr::ArrayCompare {
                quantifier,
                op,
                lhs,
                rhs,
            } => {
                let (name, id) = binary_type(*op);
                let kind = (array_compare_name(*op).unwrap_or(name), id + 40);
                let extra = if matches!(op, BinaryOp::In | BinaryOp::NotIn) {
                    vec![("sorted", Json::Bool(false))]
                } else {
                    vec![]
                };
                shape(
                    kind,
                    extra,
                    vec![self.node(lhs), self.node(rhs), self.quantifier(quantifier)],
                )
            }
            Expr::Ternary(c, then, otherwise) => {
                let mut subs = vec![self.node(c)];
                subs.extend(then.as_deref().map(|t| self.node(t)));
                subs.push(self.node(otherwise));
                shape(t::TERNARY, vec![], subs)
            }
            Expr::Range(from, to) => self.with_sub(t::RANGE, [&**from, &**to].into_iter()),
            Expr::Call { function, args, .. } => shape(
                t::FCALL,
                vec![("name", Json::str(function.name))],
                vec![self.with_sub(t::ARRAY, args.iter())],
            ),
            Expr::UserCall { name, args, .. } => shape(
                t::FCALL_USER,
                vec![("name", Json::str(name))],
                vec![self.with_sub(t::ARRAY, args.iter())],
            ),
            Expr::Collection(name) => shape(t::COLLECTION, vec![("name", Json::str(name))], vec![]),
            Expr::Expansion(x) => self.expansion(x),
        }
    }

    fn with_sub<'e>(&self, kind: (&str, i64), subs: impl Iterator<Item = &'e Expr>) -> Json {
        let subs = subs.map(|s| self.node(s)).collect();
        shape(kind, vec![], subs)
    }

    fn reference(&self, v: VarId) -> Json {
        self.named_var(ast_type::REFERENCE, v)
    }

    fn named_var(&self, kind: (&str, i64), v: VarId) -> Json {
        shape(
            kind,
            vec![
                ("name", Json::str(&self.plan.vars.get(v).name)),
                ("id", Json::uint(v)),
            ],
            vec![],
        )
    }

    /// A constant; arrays and objects become AST arrays and objects of
    /// value nodes, as ArangoDB's parser builds them.
    fn value(&self, v: &Value) -> Json {
        use ast_type as t;
        let scalar = |json: Json, vtype: i64| {
            shape(
                t::VALUE,
                vec![("value", json), ("vTypeID", Json::Int(vtype))],
                vec![],
            )
        };
        match v {
            Value::Null => scalar(Json::Null, 0),
            Value::Bool(b) => scalar(Json::Bool(*b), 1),
            Value::Int(i) => scalar(Json::Int(*i), 2),
            Value::Double(d) => scalar(Json::Number(*d), 3),
            Value::String(s) => scalar(Json::str(s), 4),
            Value::Array(items) => shape(
                t::ARRAY,
                vec![],
                items.iter().map(|i| self.value(i)).collect(),
            ),
            Value::Object(members) => {
                let subs = members
                    .iter()
                    .map(|(k, v)| {
                        shape(
                            t::OBJECT_ELEMENT,
                            vec![("name", Json::str(k))],
                            vec![self.value(v)],
                        )
                    })
                    .collect();
                shape(t::OBJECT, vec![], subs)
            }
        }
    }

    fn quantifier(&self, q: &Quantifier) -> Json {
        let (word, subs) = match q {
            Quantifier::All => ("all", vec![]),
            Quantifier::Any => ("any", vec![]),
            Quantifier::None => ("none", vec![]),
            Quantifier::AtLeast(n) => ("at least", vec![self.node(n)]),
        };
        shape(
            ast_type::QUANTIFIER,
            vec![("quantifier", Json::str(word))],
            subs,
        )
    }

    /// `input[* FILTER … LIMIT … RETURN …]`: iterator, the iterator's
    /// reference, filter, limit and projection (no-ops where absent).
    fn expansion(&self, x: &Expansion) -> Json {
        use ast_type as t;
        let nop = || shape(t::NOP, vec![], vec![]);
        let iterator = shape(
            t::ITERATOR,
            vec![],
            vec![self.named_var(t::VARIABLE, x.iterator), self.node(&x.input)],
        );
        let filter = x.filter.as_ref().map_or_else(nop, |f| self.node(f));
        let limit = x.limit.as_ref().map_or_else(nop, |(offset, count)| {
            shape(
                t::ARRAY_LIMIT,
                vec![],
                vec![self.node(offset), self.node(count)],
            )
        });
        let projection = if x.plain {
            nop()
        } else {
            self.node(&x.projection)
        };
        shape(
            t::EXPANSION,
            vec![("levels", Json::uint(x.levels))],
            vec![
                iterator,
                self.reference(x.iterator),
                filter,
                limit,
                projection,
            ],
        )
    }
}

/// `{type, typeID, …extra, subNodes}` (no `subNodes` without members).
fn shape(kind: (&str, i64), extra: Vec<(&'static str, Json)>, subs: Vec<Json>) -> Json {
    let mut members = vec![("type", Json::str(kind.0)), ("typeID", Json::Int(kind.1))];
    members.extend(extra);
    if !subs.is_empty() {
        members.push(("subNodes", Json::Array(subs)));
    }
    Json::object(members)
}

/// Binary operators' AST type names and ids. LIKE and the regex operators
/// never reach a plan (they become function calls); they map to no-op.
fn binary_type(op: BinaryOp) -> (&'static str, i64) {
    match op {
        BinaryOp::And => ("logical and", 18),
        BinaryOp::Or => ("logical or", 19),
        BinaryOp::Add => ("plus", 20),
        BinaryOp::Sub => ("minus", 21),
        BinaryOp::Mul => ("times", 22),
        BinaryOp::Div => ("division", 23),
        BinaryOp::Mod => ("modulus", 24),
        BinaryOp::Eq => ("compare ==", 25),
        BinaryOp::Ne => ("compare !=", 26),
        BinaryOp::Lt => ("compare <", 27),
        BinaryOp::Le => ("compare <=", 28),
        BinaryOp::Gt => ("compare >", 29),
        BinaryOp::Ge => ("compare >=", 30),
        BinaryOp::In => ("compare in", 31),
        BinaryOp::NotIn => ("compare not in", 32),
        BinaryOp::Like | BinaryOp::NotLike | BinaryOp::RegexMatch | BinaryOp::RegexNotMatch => {
            ast_type::NOP
        }
    }
}

/// `array compare ==` … `array compare not in` (ids 65–72: the scalar
/// comparison's id plus 40).
fn array_compare_name(op: BinaryOp) -> Option<&'static str> {
    Some(match op {
        BinaryOp::Eq => "array compare ==",
        BinaryOp::Ne => "array compare !=",
        BinaryOp::Lt => "array compare <",
        BinaryOp::Le => "array compare <=",
        BinaryOp::Gt => "array compare >",
        BinaryOp::Ge => "array compare >=",
        BinaryOp::In => "array compare in",
        BinaryOp::NotIn => "array compare not in",
        _ => return None,
    })
}

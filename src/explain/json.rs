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

use super::json_writer::JsonWriter;
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
    // About what a node takes (its members, variables and a short
    // expression): growing the buffer is a copy of everything written.
    let mut w = JsonWriter::with_capacity(1024 * (x.plan.node_count() + 4));
    answer(&mut w, x);
    let mut out = w.finish();
    out.push('\n');
    out
}

/// The whole answer.
fn answer(w: &mut JsonWriter, x: &Explanation) {
    w.object(|w| {
        if x.all_plans {
            w.key("plans").array(|w| {
                for p in x.plans_by_cost() {
                    plan(w.item(), x, p);
                }
            });
        } else {
            plan(w.key("plan"), x, &x.plan);
            w.key("cacheable").bool(x.cacheable);
        }
        w.key("warnings").array(|_| {});
        stats(w.key("stats"), x);
        w.key("error").bool(false);
        w.key("code").int(200);
        one_shard(w.key("oneShard"), x);
        if let Some(t) = &x.trace {
            trace(w.key("trace"), x, t);
        }
    });
}

/// `--trace`: the initial plan and the plan after each rule that changed it.
fn trace(w: &mut JsonWriter, x: &Explanation, t: &crate::optimizer::Trace) {
    w.object(|w| {
        plan(w.key("initial"), x, &t.initial);
        w.key("steps").array(|w| {
            for s in &t.steps {
                w.item().object(|w| {
                    w.key("rule").str(s.rule);
                    w.key("unchangedBefore").uint(s.unchanged_before);
                    plan(w.key("plan"), x, &s.plan);
                });
            }
        });
        w.key("unchangedAfter").uint(t.unchanged_after);
    });
}

fn stats(w: &mut JsonWriter, x: &Explanation) {
    w.object(|w| {
        w.key("rulesExecuted").uint(x.stats.rules_executed);
        w.key("rulesSkipped").uint(x.stats.rules_skipped);
        w.key("plansCreated").uint(x.stats.plans_created);
    });
}

fn one_shard(w: &mut JsonWriter, x: &Explanation) {
    w.object(|w| {
        w.key("applied").bool(x.one_shard.applied);
        w.key("reasons").array(|w| {
            for r in &x.one_shard.reasons {
                reason(w.item(), r);
            }
        });
    });
}

fn reason(w: &mut JsonWriter, r: &Reason) {
    w.object(|w| {
        w.key("kind").str(r.kind);
        w.key("message").str(&r.message);
        if let Some((line, column)) = r.position {
            w.key("line").uint(line);
            w.key("column").uint(column);
        }
    });
}

/// One plan: `nodes`, `rules`, `collections`, `variables`, the root's
/// estimates and `isModificationQuery`.
fn plan(w: &mut JsonWriter, x: &Explanation, plan: &Plan) {
    let facts = super::PlanFacts::of(x, plan);
    let p = PlanWriter {
        catalog: x.catalog,
        compat: x.compat,
        plan,
        estimates: &facts.estimates,
        sites: &facts.sites,
        full_documents: full_documents(plan),
    };
    let root = facts.estimates.of(plan.root());
    w.object(|w| {
        p.nodes(w.key("nodes"), plan.root());
        w.key("rules").strings(plan.applied_rules.iter().copied());
        collections(w.key("collections"), x);
        p.variables(w.key("variables"));
        w.key("estimatedCost").number(root.cost);
        w.key("estimatedNrItems").uint(root.items);
        w.key("isModificationQuery")
            .bool(!x.info.written.is_empty());
    });
}

/// `[{name, type: read|write}]` in first-use order.
fn collections(w: &mut JsonWriter, x: &Explanation) {
    w.array(|w| {
        for c in &x.info.collections {
            let access = if x.info.written.contains(c) {
                "write"
            } else {
                "read"
            };
            w.item().object(|w| {
                w.key("name").str(c);
                w.key("type").str(access);
            });
        }
    });
}

struct PlanWriter<'a> {
    catalog: &'a Catalog,
    compat: Version,
    plan: &'a Plan,
    estimates: &'a Estimates,
    sites: &'a HashMap<NodeRef, Site>,
    /// By variable id: whether it holds whole documents read from a
    /// collection (one scan of the plan, not one per printed variable).
    full_documents: Vec<bool>,
}

/// [`PlanWriter::full_documents`] of a plan.
fn full_documents(plan: &Plan) -> Vec<bool> {
    let len = plan.vars.all().last().map_or(0, |v| v.id as usize + 1);
    let mut full = vec![false; len];
    for n in plan.nodes() {
        let out = match plan.kind(n) {
            NodeKind::EnumerateCollection(s) if s.produces_result && s.projections.is_empty() => {
                s.out
            }
            NodeKind::Index(s) if s.produces_result && s.projections.is_empty() => s.out,
            _ => continue,
        };
        if let Some(slot) = full.get_mut(out as usize) {
            *slot = true;
        }
    }
    full
}

impl PlanWriter<'_> {
    /// The pipeline ending at `bottom`, dependencies first.
    fn nodes(&self, w: &mut JsonWriter, bottom: NodeRef) {
        w.array(|w| {
            for n in self.plan.pipeline_ending_at(bottom) {
                self.node(w.item(), n);
            }
        });
    }

    fn node(&self, w: &mut JsonWriter, n: NodeRef) {
        let node = self.plan.node(n);
        let estimate = self.estimates.of(n);
        w.object(|w| {
            w.key("type").str(node.kind.type_name());
            w.key("dependencies").array(|w| {
                if let Some(d) = self.plan.dependency(n) {
                    w.item().uint(self.plan.id(d));
                }
            });
            w.key("id").uint(node.id);
            w.key("estimatedCost").number(estimate.cost);
            w.key("estimatedNrItems").uint(estimate.items);
            self.attributes(w, n, &node.kind);
            if node.async_prefetch {
                w.key("isAsyncPrefetchEnabled").bool(true);
            }
            if let Some(site) = self.sites.get(&n) {
                w.key("site").str(site.label());
            }
        });
    }

    /// The members ArangoDB adds for the node's type.
    fn attributes(&self, w: &mut JsonWriter, n: NodeRef, kind: &NodeKind) {
        match kind {
            NodeKind::Singleton | NodeKind::NoResults => {}
            NodeKind::EnumerateCollection(scan) => self.collection_scan(w, scan),
            NodeKind::Index(scan) => self.index_scan(w, scan),
            NodeKind::EnumerateList {
                input,
                out,
                filter,
                value,
            } => {
                self.var(w.key("inVariable"), *input);
                match value {
                    Some(v) => {
                        w.key("mode").str("object");
                        w.key("outVariable").array(|w| {
                            self.var(w.item(), *out);
                            self.var(w.item(), *v);
                        });
                    }
                    None => self.var(w.key("outVariable"), *out),
                }
                if let Some(f) = filter {
                    self.expr(w.key("filter"), f);
                }
            }
            NodeKind::Calculation { out, expr } => self.calculation(w, *out, expr),
            NodeKind::Filter { input } => self.var(w.key("inVariable"), *input),
            NodeKind::Return { input } => {
                self.var(w.key("inVariable"), *input);
                w.key("count").bool(true);
            }
            NodeKind::Sort {
                elements,
                limit,
                grouped,
            } => {
                self.sort_elements(w.key("elements"), elements);
                w.key("stable").bool(false);
                w.key("limit").uint(*limit);
                if *grouped > 0 {
                    w.key("numberOfTopGroupedElements").uint(*grouped as u64);
                }
                let strategy = if *grouped > 0 {
                    "grouped"
                } else if *limit > 0 {
                    "constrained-heap"
                } else {
                    "standard"
                };
                w.key("strategy").str(strategy);
            }
            NodeKind::Limit {
                offset,
                limit,
                full_count,
            } => {
                w.key("offset").uint(*offset);
                w.key("limit").uint(*limit);
                w.key("fullCount").bool(*full_count);
            }
            NodeKind::Collect(c) => self.collect(w, c),
            NodeKind::IndexCollect(c) => self.index_collect(w, c),
            NodeKind::Join(infos) => {
                w.key("indexInfos").array(|w| {
                    for i in infos {
                        w.item().object(|w| {
                            w.key("collection").str(&i.collection);
                            w.key("producesOutput").bool(i.produces_output);
                            self.var(w.key("outVariable"), i.out);
                            self.condition(w.key("condition"), i.condition.as_ref());
                            projection_list(w.key("projections"), &i.projections);
                            w.key("indexCoversProjections").bool(i.covers_projections);
                            self.index_member(w, &i.collection, i.index);
                        });
                    }
                });
            }
            NodeKind::Materialize(mat) => {
                self.collection_members(w, &mat.collection);
                self.var(w.key("inNmDocId"), mat.doc_id);
                self.var(w.key("outVariable"), mat.out);
                self.var(w.key("oldDocVariable"), mat.old);
                projection_list(w.key("projections"), &mat.projections);
            }
            NodeKind::Subquery { root, out, .. } => {
                w.key("subquery")
                    .object(|w| self.nodes(w.key("nodes"), *root));
                self.var(w.key("outVariable"), *out);
                let constant =
                    self.plan.is_deterministic(n) && self.plan.variables_needed(n).is_empty();
                w.key("isConst").bool(constant);
            }
            NodeKind::SubqueryStart { out } => self.var(w.key("subqueryOutVariable"), *out),
            NodeKind::SubqueryEnd { input, out } => {
                if let Some(v) = input {
                    self.var(w.key("inVariable"), *v);
                }
                self.var(w.key("outVariable"), *out);
                w.key("isModificationSubquery").bool(false);
            }
            NodeKind::Modification(modification) => self.modification(w, modification),
            // Servers and query ids are only known once engines are set up.
            NodeKind::Remote => {
                w.key("distributeId").str("");
                w.key("isResponsibleForInitializeCursor").bool(true);
                w.key("server").str("");
                w.key("queryId").str("");
            }
            NodeKind::Scatter => w.key("clients").array(|_| {}),
            NodeKind::Distribute {
                input,
                collection,
                target,
                ..
            } => {
                w.key("database").str(&self.catalog.database_name);
                w.key("collection").str(collection);
                self.var(w.key("variable"), *input);
                w.key("targetNodeId").number((*target).into());
            }
            NodeKind::SingleRemote(r) => self.single_remote(w, r),
            NodeKind::MultipleRemoteModification {
                collection,
                input,
                out_old,
                out_new,
            } => {
                self.collection_members(w, collection);
                self.var(w.key("inVariable"), *input);
                if let Some(v) = out_old {
                    self.var(w.key("outVariableOld"), *v);
                }
                if let Some(v) = out_new {
                    self.var(w.key("outVariableNew"), *v);
                }
            }
            NodeKind::Gather(g) => self.gather(w, g),
        }
    }

    /// An index condition; `{}` without one.
    fn condition(&self, w: &mut JsonWriter, condition: Option<&Expr>) {
        match condition {
            Some(c) => self.expr(w, c),
            None => w.object(|_| {}),
        }
    }

    /// Members every collection-accessing node has.
    fn collection_members(&self, w: &mut JsonWriter, collection: &str) {
        let satellite = self
            .catalog
            .collection(collection)
            .is_some_and(|c| c.is_satellite());
        w.key("database").str(&self.catalog.database_name);
        w.key("collection").str(collection);
        w.key("satellite").bool(satellite);
        w.key("isSatellite").bool(satellite);
        w.key("isSatelliteOf").null();
    }

    /// Members of nodes that produce documents (scans and index lookups),
    /// the early-pruning filter among them.
    fn document_members(
        &self,
        w: &mut JsonWriter,
        out: VarId,
        projections: &[Vec<String>],
        filter: Option<&Expr>,
        filter_projections: &[Vec<String>],
        produces_result: bool,
    ) {
        self.var(w.key("outVariable"), out);
        projection_list(w.key("projections"), projections);
        if let Some(f) = filter {
            self.expr(w.key("filter"), f);
        }
        projection_list(w.key("filterProjections"), filter_projections);
        w.key("count").bool(false);
        w.key("producesResult").bool(produces_result);
        w.key("readOwnWrites").bool(false);
        w.key("useCache").bool(true);
        w.key("maxProjections").int(5);
    }

    fn collection_scan(&self, w: &mut JsonWriter, scan: &CollectionScan) {
        w.key("random").bool(scan.random);
        w.key("indexHint").object(|w| {
            w.key("forced").bool(false);
            w.key("lookahead").int(1);
            w.key("type").str("none");
        });
        self.document_members(
            w,
            scan.out,
            &scan.projections,
            scan.filter.as_ref(),
            &[],
            scan.produces_result,
        );
        self.collection_members(w, &scan.collection);
        if let Some(shard) = &scan.restricted_to {
            w.key("restrictedTo").str(shard);
        }
    }

    /// IndexCollectNode: its index, the replaced loop variable, groups by
    /// index field and aggregates.
    fn index_collect(&self, w: &mut JsonWriter, c: &IndexCollect) {
        self.collection_members(w, &c.collection);
        self.index_member(w, &c.collection, c.index);
        self.var(w.key("oldIndexVariable"), c.old_var);
        let fields: Vec<String> = self
            .catalog
            .collection(&c.collection)
            .and_then(|coll| crate::optimizer::index_selection::index_view(coll, c.index))
            .map(|v| v.fields.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default();
        w.key("groups").array(|w| {
            for (out, field) in &c.groups {
                w.item().object(|w| {
                    w.key("indexField").uint(*field as u64);
                    self.var(w.key("outVariable"), *out);
                    let attribute = fields.get(*field).map(|f| f.split('.'));
                    w.key("attribute").strings(attribute.into_iter().flatten());
                });
            }
        });
        w.key("aggregations").array(|w| {
            for a in &c.aggregates {
                w.item().object(|w| {
                    w.key("type").str(&a.function);
                    self.var(w.key("outVariable"), a.out);
                    self.expr(w.key("expression"), &a.expr);
                });
            }
        });
    }

    fn index_scan(&self, w: &mut JsonWriter, scan: &IndexScan) {
        let filter_projections = if self.compat.index_scans_have_filter_projections() {
            crate::optimizer::index_selection::filter_projections(self.catalog, scan)
        } else {
            Vec::new()
        };
        self.document_members(
            w,
            scan.out,
            &scan.projections,
            scan.filter.as_ref(),
            &filter_projections,
            scan.produces_result,
        );
        self.collection_members(w, &scan.collection);
        if let Some(shard) = &scan.restricted_to {
            w.key("restrictedTo").str(shard);
        }
        w.key("needsGatherNodeSort").bool(scan.needs_gather_sort);
        w.key("indexCoversProjections")
            .bool(scan.covers_projections);
        w.key("indexes").array(|w| {
            for i in &scan.indexes {
                if let Some(ix) = self.described(&scan.collection, *i) {
                    index_json(w.item(), ix);
                }
            }
        });
        self.condition(w.key("condition"), scan.condition.as_ref());
        w.key("allCoveredByOneIndex")
            .bool(scan.all_covered_by_one_index);
        w.key("sorted").bool(true);
        w.key("ascending").bool(scan.ascending);
        w.key("reverse").bool(!scan.ascending);
        w.key("evalFCalls").bool(true);
        w.key("waitForSync").bool(false);
        w.key("limit").int(0);
        w.key("lookahead").int(1);
    }

    /// The index as the catalog describes it; `None` for a secondary
    /// index the catalog does not know (it is left out).
    fn described(&self, collection: &str, index: IndexRef) -> Option<Described<'_>> {
        Some(match index {
            IndexRef::Primary => Described::Primary,
            IndexRef::Edge => Described::Edge,
            IndexRef::Secondary(k) => {
                let ix = self.catalog.collection(collection)?.indexes.get(k)?;
                Described::Secondary(k, ix)
            }
        })
    }

    /// The `index` member, when the catalog describes the index.
    fn index_member(&self, w: &mut JsonWriter, collection: &str, index: IndexRef) {
        if let Some(ix) = self.described(collection, index) {
            index_json(w.key("index"), ix);
        }
    }

    fn calculation(&self, w: &mut JsonWriter, out: VarId, expr: &Expr) {
        self.expr(w.key("expression"), expr);
        self.var(w.key("outVariable"), out);
        w.key("canThrow").bool(false);
        w.key("expressionType")
            .str(super::expression_type(expr, self.compat));
        // `functions` is only serialized for verbose plans, which the
        // documented default answer is not.
    }

    fn collect(&self, w: &mut JsonWriter, c: &Collect) {
        w.key("groups").array(|w| {
            for (o, i) in &c.groups {
                w.item().object(|w| {
                    self.var(w.key("outVariable"), *o);
                    self.var(w.key("inVariable"), *i);
                });
            }
        });
        w.key("aggregates").array(|w| {
            for a in &c.aggregates {
                w.item().object(|w| {
                    self.var(w.key("outVariable"), a.out);
                    if let Some(i) = a.input {
                        self.var(w.key("inVariable"), i);
                    }
                    w.key("type").str(&a.function);
                });
            }
        });
        if let Some(e) = c.into_expression {
            self.var(w.key("expressionVariable"), e);
        }
        if let Some(into) = c.into {
            self.var(w.key("outVariable"), into);
        }
        if let Some(keep) = &c.keep {
            w.key("keepVariables").array(|w| {
                for v in keep {
                    w.item().object(|w| self.var(w.key("variable"), *v));
                }
            });
        }
        w.key("count").bool(false);
        w.key("isDistinctCommand").bool(false);
        w.key("specialized").bool(c.fixed_method);
        w.key("collectOptions")
            .object(|w| w.key("method").str(c.method.name()));
    }

    fn modification(&self, w: &mut JsonWriter, md: &Modification) {
        self.collection_members(w, &md.collection);
        w.key("countStats").bool(true);
        w.key("producesResults").bool(md.produces_results);
        json_of_value(w.key("modificationFlags"), &md.options);
        match md.kind {
            ModificationKind::Insert | ModificationKind::Remove => {
                self.var(w.key("inVariable"), md.input);
            }
            ModificationKind::Update | ModificationKind::Replace => {
                self.var(w.key("inDocVariable"), md.input);
                if let Some(k) = md.key {
                    self.var(w.key("inKeyVariable"), k);
                }
            }
            ModificationKind::Upsert => {
                self.var(w.key("inDocVariable"), md.input);
                if let Some(v) = md.insert {
                    self.var(w.key("insertVariable"), v);
                }
                if let Some(v) = md.update {
                    self.var(w.key("updateVariable"), v);
                }
                w.key("isReplace").bool(md.replace);
            }
        }
        if let Some(v) = md.out_old {
            self.var(w.key("outVariableOld"), v);
        }
        if let Some(v) = md.out_new {
            self.var(w.key("outVariableNew"), v);
        }
        if let Some(shard) = &md.restricted_to {
            w.key("restrictedTo").str(shard);
        }
    }

    fn single_remote(&self, w: &mut JsonWriter, r: &SingleRemote) {
        self.collection_members(w, &r.collection);
        let mode = match r.mode {
            SingleRemoteMode::Index => "IndexNode",
            SingleRemoteMode::Modify(kind) => kind.node_type(),
        };
        w.key("mode").str(mode);
        w.key("replaceIndexNode").bool(r.replace_index_node);
        if let Some(key) = &r.key {
            w.key("key").str(key);
        }
        for (name, var) in [
            ("outVariableOld", r.out_old),
            ("outVariableNew", r.out_new),
            ("inVariable", r.input),
            ("outVariable", r.out),
        ] {
            if let Some(v) = var {
                self.var(w.key(name), v);
            }
        }
    }

    /// ArangoDB's order: parallelism, sort mode (and limit when sorting),
    /// elements.
    fn gather(&self, w: &mut JsonWriter, g: &Gather) {
        let parallelism = match g.parallelism {
            Parallelism::Undefined => "undefined",
            Parallelism::Serial => "serial",
            Parallelism::Parallel => "parallel",
        };
        w.key("parallelism").str(parallelism);
        let sort_mode = match (g.elements.is_empty(), g.sort_mode) {
            (true, _) | (false, SortMode::Unset) => "unset",
            (false, SortMode::MinElement) => "minelement",
            (false, SortMode::Heap) => "heap",
        };
        w.key("sortmode").str(sort_mode);
        if !g.elements.is_empty() {
            w.key("limit").uint(g.limit);
        }
        self.sort_elements(w.key("elements"), &g.elements);
    }

    fn sort_elements(&self, w: &mut JsonWriter, elements: &[SortElement]) {
        w.array(|w| {
            for e in elements {
                w.item().object(|w| {
                    self.var(w.key("inVariable"), e.var);
                    w.key("ascending").bool(e.ascending);
                    if !e.path.is_empty() {
                        w.key("path").strings(e.path.iter().map(String::as_str));
                    }
                });
            }
        });
    }

    /// All variables of the query, newest first (as ArangoDB lists them).
    fn variables(&self, w: &mut JsonWriter) {
        w.array(|w| {
            for v in self.plan.vars.all().iter().rev() {
                self.var(w.item(), v.id);
            }
        });
    }

    /// `{id, name, isFullDocumentFromCollection}`.
    fn var(&self, w: &mut JsonWriter, id: VarId) {
        w.object(|w| {
            w.key("id").uint(id);
            w.key("name").str(&self.plan.vars.get(id).name);
            w.key("isFullDocumentFromCollection")
                .bool(self.is_full_document(id));
        });
    }

    /// Whether the variable holds whole documents read from a collection.
    fn is_full_document(&self, id: VarId) -> bool {
        self.full_documents
            .get(id as usize)
            .copied()
            .unwrap_or(false)
    }

    fn expr(&self, w: &mut JsonWriter, e: &Expr) {
        AstWriter { plan: self.plan }.node(w, e)
    }
}

/// An index of a plan, with the catalog's description of a secondary one.
#[derive(Clone, Copy)]
enum Described<'c> {
    Primary,
    Edge,
    /// Its position among the collection's indexes, and its description.
    Secondary(usize, &'c crate::catalog::Index),
}

/// An index as ArangoDB describes it. The catalog has no index ids, so
/// ids are positions: `0` the primary index, `1` the edge index, and
/// secondary indexes from `2` on in catalog order.
fn index_json(w: &mut JsonWriter, index: Described) {
    w.object(|w| match index {
        Described::Primary => {
            w.key("id").str("0");
            w.key("type").str("primary");
            w.key("name").str("primary");
            w.key("fields").strings(["_key"]);
            w.key("selectivityEstimate").int(1);
            w.key("unique").bool(true);
            w.key("sparse").bool(false);
        }
        Described::Edge => {
            w.key("id").str("1");
            w.key("type").str("edge");
            w.key("name").str("edge");
            w.key("fields").strings(["_from", "_to"]);
            w.key("unique").bool(false);
            w.key("sparse").bool(false);
        }
        Described::Secondary(k, ix) => {
            w.key("id").str(&(k + 2).to_string());
            w.key("type").str(&ix.kind);
            w.key("name").str(&ix.name);
            w.key("fields")
                .strings(ix.fields.iter().map(String::as_str));
            // A unique index's selectivity is 1 without being measured.
            match ix.selectivity {
                Some(s) => w.key("selectivityEstimate").number(s),
                None if ix.unique => w.key("selectivityEstimate").int(1),
                None => {}
            }
            w.key("unique").bool(ix.unique);
            if let Some(sparse) = ix.sparse {
                w.key("sparse").bool(sparse);
            }
            if matches!(ix.kind.as_str(), "persistent" | "hash" | "skiplist") {
                // ArangoDB's defaults; the catalog does not describe them.
                w.key("deduplicate").bool(true);
                w.key("estimates").bool(true);
            }
            if !ix.stored_values.is_empty() {
                w.key("storedValues")
                    .strings(ix.stored_values.iter().map(String::as_str));
            }
            w.key("cacheEnabled").bool(ix.cache_enabled);
        }
    });
}

/// `["a", ["b", "c"]]`: one-component projections as strings, attribute
/// paths as arrays.
fn projection_list(w: &mut JsonWriter, projections: &[Vec<String>]) {
    w.array(|w| {
        for p in projections {
            match p.as_slice() {
                [single] => w.item().str(single),
                path => w.item().strings(path.iter().map(String::as_str)),
            }
        }
    });
}

/// A constant as plain JSON (modification options).
fn json_of_value(w: &mut JsonWriter, v: &Value) {
    match v {
        Value::Null => w.null(),
        Value::Bool(b) => w.bool(*b),
        Value::Int(i) => w.int(*i),
        Value::Double(d) => w.number(*d),
        Value::String(s) => w.str(s),
        Value::Array(items) => w.array(|w| {
            for i in items {
                json_of_value(w.item(), i);
            }
        }),
        Value::Object(members) => w.object(|w| {
            for (k, v) in members {
                json_of_value(w.data_key(k), v);
            }
        }),
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
    fn node(&self, w: &mut JsonWriter, e: &Expr) {
        use ast_type as t;
        match e {
            Expr::Value(v) => self.value(w, v),
            Expr::Array(items) => self.with_sub(w, t::ARRAY, items.iter()),
            Expr::Object(members) => shape(w, t::OBJECT, no_extra, |w| {
                for m in members {
                    match m {
                        ObjectMember::Element(name, v) => shape(
                            w.item(),
                            t::OBJECT_ELEMENT,
                            |w| w.key("name").str(name),
                            |w| self.node(w.item(), v),
                        ),
                        ObjectMember::Calculated(k, v) => {
                            shape(w.item(), t::CALCULATED_OBJECT_ELEMENT, no_extra, |w| {
                                self.node(w.item(), k);
                                self.node(w.item(), v);
                            })
                        }
                    }
                }
            }),
            Expr::Reference(v) => self.reference(w, *v),
            Expr::Attribute(object, name) => shape(
                w,
                t::ATTRIBUTE_ACCESS,
                |w| w.key("name").str(name),
                |w| self.node(w.item(), object),
            ),
            Expr::Indexed(object, index) => {
                self.with_sub(w, t::INDEXED_ACCESS, [&**object, &**index].into_iter())
            }
            Expr::Unary(op, operand) => {
                let kind = match op {
                    UnaryOp::Plus => t::UNARY_PLUS,
                    UnaryOp::Minus => t::UNARY_MINUS,
                    UnaryOp::Not => t::UNARY_NOT,
                };
                shape(w, kind, no_extra, |w| self.node(w.item(), operand))
            }
            Expr::Binary(op, lhs, rhs) => {
                let extra = |w: &mut JsonWriter| {
                    if matches!(op, BinaryOp::Eq | BinaryOp::Lt | BinaryOp::Le) {
                        w.key("excludesNull").bool(false);
                    }
                    if matches!(op, BinaryOp::In | BinaryOp::NotIn) {
                        w.key("sorted").bool(false);
                    }
                };
                shape(w, binary_type(*op), extra, |w| {
                    self.node(w.item(), lhs);
                    self.node(w.item(), rhs);
                })
            }
            Expr::Nary(logic, items) => {
                let kind = match logic {
                    Logic::And => t::NARY_AND,
                    Logic::Or => t::NARY_OR,
                };
                self.with_sub(w, kind, items.iter())
            }
            Expr::ArrayCompare {
                quantifier,
                op,
                lhs,
                rhs,
            } => {
                let (name, id) = binary_type(*op);
                let kind = (array_compare_name(*op).unwrap_or(name), id + 40);
                let extra = |w: &mut JsonWriter| {
                    if matches!(op, BinaryOp::In | BinaryOp::NotIn) {
                        w.key("sorted").bool(false);
                    }
                };
                shape(w, kind, extra, |w| {
                    self.node(w.item(), lhs);
                    self.node(w.item(), rhs);
                    self.quantifier(w.item(), quantifier);
                })
            }
            Expr::Ternary(c, then, otherwise) => shape(w, t::TERNARY, no_extra, |w| {
                self.node(w.item(), c);
                if let Some(then) = then {
                    self.node(w.item(), then);
                }
                self.node(w.item(), otherwise);
            }),
            Expr::Range(from, to) => self.with_sub(w, t::RANGE, [&**from, &**to].into_iter()),
            Expr::Call { function, args, .. } => shape(
                w,
                t::FCALL,
                |w| w.key("name").str(function.name),
                |w| self.with_sub(w.item(), t::ARRAY, args.iter()),
            ),
            Expr::UserCall { name, args, .. } => shape(
                w,
                t::FCALL_USER,
                |w| w.key("name").str(name),
                |w| self.with_sub(w.item(), t::ARRAY, args.iter()),
            ),
            Expr::Collection(name) => shape(w, t::COLLECTION, |w| w.key("name").str(name), no_subs),
            Expr::Expansion(x) => self.expansion(w, x),
        }
    }

    fn with_sub<'e>(
        &self,
        w: &mut JsonWriter,
        kind: (&str, i64),
        subs: impl Iterator<Item = &'e Expr>,
    ) {
        shape(w, kind, no_extra, |w| {
            for s in subs {
                self.node(w.item(), s);
            }
        })
    }

    fn reference(&self, w: &mut JsonWriter, v: VarId) {
        self.named_var(w, ast_type::REFERENCE, v)
    }

    fn named_var(&self, w: &mut JsonWriter, kind: (&str, i64), v: VarId) {
        let extra = |w: &mut JsonWriter| {
            w.key("name").str(&self.plan.vars.get(v).name);
            w.key("id").uint(v);
        };
        shape(w, kind, extra, no_subs)
    }

    /// A constant; arrays and objects become AST arrays and objects of
    /// value nodes, as ArangoDB's parser builds them.
    fn value(&self, w: &mut JsonWriter, v: &Value) {
        use ast_type as t;
        let scalar = |w: &mut JsonWriter, vtype: i64| {
            let extra = |w: &mut JsonWriter| {
                json_of_value(w.key("value"), v);
                w.key("vTypeID").int(vtype);
            };
            shape(w, t::VALUE, extra, no_subs)
        };
        match v {
            Value::Null => scalar(w, 0),
            Value::Bool(_) => scalar(w, 1),
            Value::Int(_) => scalar(w, 2),
            Value::Double(_) => scalar(w, 3),
            Value::String(_) => scalar(w, 4),
            Value::Array(items) => shape(w, t::ARRAY, no_extra, |w| {
                for i in items {
                    self.value(w.item(), i);
                }
            }),
            Value::Object(members) => shape(w, t::OBJECT, no_extra, |w| {
                for (k, v) in members {
                    shape(
                        w.item(),
                        t::OBJECT_ELEMENT,
                        |w| w.key("name").str(k),
                        |w| self.value(w.item(), v),
                    );
                }
            }),
        }
    }

    fn quantifier(&self, w: &mut JsonWriter, q: &Quantifier) {
        let word = match q {
            Quantifier::All => "all",
            Quantifier::Any => "any",
            Quantifier::None => "none",
            Quantifier::AtLeast(_) => "at least",
        };
        let subs = |w: &mut JsonWriter| {
            if let Quantifier::AtLeast(n) = q {
                self.node(w.item(), n);
            }
        };
        shape(
            w,
            ast_type::QUANTIFIER,
            |w| w.key("quantifier").str(word),
            subs,
        )
    }

    /// `input[* FILTER … LIMIT … RETURN …]`: iterator, the iterator's
    /// reference, filter, limit and projection (no-ops where absent).
    fn expansion(&self, w: &mut JsonWriter, x: &Expansion) {
        use ast_type as t;
        let nop = |w: &mut JsonWriter| shape(w, t::NOP, no_extra, no_subs);
        let subs = |w: &mut JsonWriter| {
            shape(w.item(), t::ITERATOR, no_extra, |w| {
                self.named_var(w.item(), t::VARIABLE, x.iterator);
                self.node(w.item(), &x.input);
            });
            self.reference(w.item(), x.iterator);
            match &x.filter {
                Some(f) => self.node(w.item(), f),
                None => nop(w.item()),
            }
            match &x.limit {
                Some((offset, count)) => shape(w.item(), t::ARRAY_LIMIT, no_extra, |w| {
                    self.node(w.item(), offset);
                    self.node(w.item(), count);
                }),
                None => nop(w.item()),
            }
            if x.plain {
                nop(w.item());
            } else {
                self.node(w.item(), &x.projection);
            }
        };
        shape(w, t::EXPANSION, |w| w.key("levels").uint(x.levels), subs)
    }
}

/// `{type, typeID, …extra, subNodes}`: `extra` writes the members between
/// `typeID` and `subNodes`, `subs` the sub-nodes with [`JsonWriter::item`]
/// (no `subNodes` member when it writes none).
fn shape(
    w: &mut JsonWriter,
    kind: (&str, i64),
    extra: impl FnOnce(&mut JsonWriter),
    subs: impl FnOnce(&mut JsonWriter),
) {
    w.object(|w| {
        w.key("type").str(kind.0);
        w.key("typeID").int(kind.1);
        extra(w);
        w.nonempty_array("subNodes", subs);
    });
}

fn no_extra(_: &mut JsonWriter) {}

fn no_subs(_: &mut JsonWriter) {}

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

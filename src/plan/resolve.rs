//! Name resolution: turns the syntax tree into operations over variables,
//! the way ArangoDB's parser leaves its AST before planning.
//!
//! Variables are created here in the order ArangoDB's grammar creates them
//! (an expression's inner variables before the variable it is assigned
//! to; a subquery's variables before its result temporary), because the
//! variable counter decides the `#N` names the explain output shows.
//! Subqueries used as values are hoisted into `LET #tmp = (…)` operations
//! before the statement that uses them. Bind parameters are injected and
//! constant sub-expressions folded.

use super::expr::{Expansion, Expr, Logic, ObjectMember, Quantifier, VarId};
use super::Variables;
use crate::catalog::Catalog;
use crate::compat::Version;
use crate::error::{Error, Result};
use crate::functions;
use crate::syntax::{self as ast, BinaryOp, ExprKind, UnaryOp};
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// One statement after resolution.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    For {
        out: VarId,
        source: ForSource,
    },
    Filter(Expr),
    Let {
        out: VarId,
        expr: Expr,
    },
    /// A parser-generated `LET #tmp = ( … )`.
    Subquery {
        out: VarId,
        body: Vec<Op>,
        /// Guarded by its ternary branch's condition.
        conditional: bool,
    },
    Sort(Vec<(Expr, bool)>),
    Limit {
        offset: u64,
        count: u64,
    },
    Return {
        expr: Expr,
        distinct: bool,
    },
    Collect(CollectOp),
    Modify(ModifyOp),
}

#[derive(Debug, Clone)]
pub(crate) enum ForSource {
    Collection(String),
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub(crate) struct CollectOp {
    pub groups: Vec<(VarId, Expr)>,
    /// (out, function name, argument)
    pub aggregates: Vec<(VarId, String, Option<Expr>)>,
    pub into: Option<VarId>,
    pub into_expr: Option<Expr>,
    pub keep: Option<Vec<VarId>>,
    pub disable_index: bool,
    pub method_option: Option<super::CollectMethod>,
}

#[derive(Debug, Clone)]
pub(crate) struct ModifyOp {
    pub kind: super::ModificationKind,
    pub collection: String,
    pub doc: Expr,
    pub key: Option<Expr>,
    pub out_old: Option<VarId>,
    pub out_new: Option<VarId>,
    pub options: Value,
    /// UPSERT's insert and update documents, and whether it replaces.
    pub upsert: Option<(Expr, Expr, bool)>,
}

/// The resolved query and what resolution learned about it.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub ops: Vec<Op>,
    pub vars: Variables,
    /// Collections the query reads or writes, in first-use order.
    pub collections: Vec<String>,
    /// Collections the query writes.
    pub written: Vec<String>,
}

pub(crate) fn resolve(
    query: &ast::Query,
    catalog: &Catalog,
    bind: &BTreeMap<String, serde_json::Value>,
    compat: Version,
) -> Result<Resolved> {
    let mut r = Resolver {
        catalog,
        bind,
        compat,
        bind_used: Vec::new(),
        vars: Variables::default(),
        levels: vec![vec![HashMap::new()]],
        bound: HashMap::new(),
        collections: Vec::new(),
        written: Vec::new(),
        first_seen: HashMap::new(),
        constants: HashMap::new(),
    };
    let ops = r.query(query)?;
    for name in bind.keys() {
        if !r.bind_used.contains(name) {
            return Err(Error::BindParameterUndeclared(name.clone()));
        }
    }
    Ok(Resolved {
        ops,
        vars: r.vars,
        collections: r.collections,
        written: r.written,
    })
}

struct Resolver<'a> {
    catalog: &'a Catalog,
    bind: &'a BTreeMap<String, serde_json::Value>,
    compat: Version,
    bind_used: Vec<String>,
    vars: Variables,
    /// One entry per (sub)query level; each a stack of scopes (the level's
    /// base scope, then one per FOR / COLLECT).
    levels: Vec<Vec<HashMap<String, VarId>>>,
    /// How many open scopes bind each name: a name no scope binds (every
    /// new variable's) is known to be unbound without a walk over all
    /// scopes, of which a long FOR chain opens thousands.
    bound: HashMap<String, usize>,
    collections: Vec<String>,
    written: Vec<String>,
    /// The query level (1 = top) each collection was first named at: a
    /// collection may not be modified at a deeper level than that (1579).
    first_seen: HashMap<String, usize>,
    /// LET variables with a constant value, and that value.
    constants: HashMap<VarId, Expr>,
}

impl Resolver<'_> {
    fn query(&mut self, q: &ast::Query) -> Result<Vec<Op>> {
        let mut ops = Vec::new();
        for statement in &q.statements {
            self.statement(statement, &mut ops)?;
        }
        Ok(ops)
    }

    fn lookup(&self, name: &str) -> Option<VarId> {
        if self.bound.get(name).is_none_or(|&n| n == 0) {
            return None;
        }
        self.levels
            .iter()
            .rev()
            .flat_map(|level| level.iter().rev())
            .find_map(|scope| scope.get(name).copied())
    }

    fn declare(&mut self, name: &ast::Name) -> Result<VarId> {
        // Names starting with `_` are reserved for the query's own
        // temporaries (ArangoDB's `Ast::createNodeVariable`).
        if name.text.starts_with('_') {
            return Err(Error::VariableNameInvalid(name.text.clone()));
        }
        if self.lookup(&name.text).is_some() {
            return Err(Error::VariableRedeclared(name.text.clone()));
        }
        let id = self.vars.create(&name.text);
        self.bind_name(&name.text, id);
        Ok(id)
    }

    fn bind_name(&mut self, name: &str, id: VarId) {
        let level = self
            .levels
            .last_mut()
            .expect("a query level is always open");
        let fresh = level
            .last_mut()
            .expect("a scope is always open")
            .insert(name.to_string(), id)
            .is_none();
        if fresh {
            *self.bound.entry(name.to_string()).or_default() += 1;
        }
    }

    /// Drops scopes that were closed from the `bound` counts.
    fn unbind(&mut self, scopes: impl IntoIterator<Item = HashMap<String, VarId>>) {
        for scope in scopes {
            for name in scope.keys() {
                if let Some(n) = self.bound.get_mut(name) {
                    *n -= 1;
                }
            }
        }
    }

    fn push_scope(&mut self) {
        self.levels
            .last_mut()
            .expect("a query level is always open")
            .push(HashMap::new());
    }

    /// COLLECT ends every FOR scope of the current query level: only the
    /// level's base scope (and outer levels) stay visible.
    fn collect_scope(&mut self) {
        let level = self
            .levels
            .last_mut()
            .expect("a query level is always open");
        let closed: Vec<_> = level.drain(1..).collect();
        level.push(HashMap::new());
        self.unbind(closed);
    }

    /// Records a read of (or the target of a write to) a collection.
    /// ArangoDB's AST validation refuses any mention of a collection after
    /// the query modified it (1579).
    fn use_collection(&mut self, name: &str) -> Result<()> {
        if self.catalog.collection(name).is_none() {
            return Err(Error::CollectionNotFound(name.to_string()));
        }
        if self.written.iter().any(|c| c == name) {
            return Err(Error::AccessAfterModification(format!(
                "collection '{name}'"
            )));
        }
        if !self.collections.iter().any(|c| c == name) {
            if self.collections.len() >= crate::planner::MAX_COLLECTIONS {
                return Err(Error::TooManyCollections);
            }
            self.collections.push(name.to_string());
        }
        self.first_seen
            .entry(name.to_string())
            .or_insert(self.levels.len());
        Ok(())
    }

    fn data_source(&mut self, source: &ast::DataSource) -> Result<String> {
        let name = match source {
            ast::DataSource::Name(n) => n.text.clone(),
            ast::DataSource::BindParameter(p) => self.collection_parameter(&p.text)?,
        };
        self.use_collection(&name)?;
        Ok(name)
    }

    fn collection_parameter(&mut self, name: &str) -> Result<String> {
        let key = format!("@{name}");
        let value = self
            .bind
            .get(&key)
            .ok_or_else(|| Error::BindParameterMissing(key.clone()))?;
        self.mark_bind_used(&key);
        match value {
            serde_json::Value::String(s) if !s.is_empty() => Ok(s.clone()),
            _ => Err(Error::BindParameterType(key)),
        }
    }

    fn mark_bind_used(&mut self, key: &str) {
        if !self.bind_used.iter().any(|k| k == key) {
            self.bind_used.push(key.to_string());
        }
    }

    fn statement(&mut self, s: &ast::Statement, ops: &mut Vec<Op>) -> Result<()> {
        use ast::Statement as S;
        match s {
            S::With(sources) => {
                for source in sources {
                    self.data_source(source)?;
                }
            }
            S::For(f) => {
                if (f.pattern.is_none() && f.variables.len() != 1) || f.search.is_some() {
                    return Err(Error::NotSupported(
                        "FOR with several variables or SEARCH".into(),
                    ));
                }
                let source = match &f.source {
                    ast::ForSource::Expr(e) => match &e.kind {
                        ExprKind::Name(n) if self.lookup(n).is_none() => {
                            self.use_collection(n)?;
                            ForSource::Collection(n.clone())
                        }
                        ExprKind::CollectionBindParameter(p) => {
                            let name = self.collection_parameter(p)?;
                            self.use_collection(&name)?;
                            ForSource::Collection(name)
                        }
                        _ => ForSource::Expr(self.expr(e, ops)?),
                    },
                    ast::ForSource::Traversal(_) => {
                        return Err(Error::NotSupported("graph traversals".into()))
                    }
                    ast::ForSource::Path(_) => {
                        return Err(Error::NotSupported("path searches".into()))
                    }
                };
                if let Some(o) = &f.options {
                    self.compile_time_options(o, ops)?;
                }
                self.push_scope();
                match &f.pattern {
                    None => {
                        let out = self.declare(&f.variables[0])?;
                        ops.push(Op::For { out, source });
                    }
                    Some(pattern) => {
                        self.destructure(pattern, |out| Op::For { out, source }, ops)?
                    }
                }
            }
            S::Filter(e) => {
                let e = decided_condition(self.expr(e, ops)?);
                ops.push(Op::Filter(e));
            }
            S::Let(assignments) => {
                for (target, e) in assignments {
                    let e = self.expr(e, ops)?;
                    match target {
                        ast::Pattern::Variable(name) => {
                            let out = self.declare(name)?;
                            if e.is_constant() {
                                self.constants.insert(out, e.clone());
                            }
                            ops.push(Op::Let { out, expr: e });
                        }
                        pattern => {
                            self.destructure(pattern, |out| Op::Let { out, expr: e }, ops)?
                        }
                    }
                }
            }
            S::Sort(elements) => {
                let mut out = Vec::new();
                for el in elements {
                    let e = self.expr(&el.expr, ops)?;
                    let ascending = match &el.direction {
                        ast::SortDirection::Default | ast::SortDirection::Asc => true,
                        ast::SortDirection::Desc => false,
                        ast::SortDirection::Dynamic(d) => match self.constant(d, ops)? {
                            Value::String(s) => !s.eq_ignore_ascii_case("desc"),
                            Value::Bool(b) => b,
                            _ => {
                                return Err(Error::NotSupported(
                                    "a SORT direction that is not ASC, DESC or a boolean".into(),
                                ))
                            }
                        },
                    };
                    out.push((e, ascending));
                }
                ops.push(Op::Sort(out));
            }
            S::Limit { offset, count } => {
                let offset = match offset {
                    Some(o) => self.limit_value(o, ops, "offset")?,
                    None => 0,
                };
                let count = self.limit_value(count, ops, "count")?;
                ops.push(Op::Limit { offset, count });
            }
            S::Return { distinct, expr } => {
                let e = self.expr(expr, ops)?;
                ops.push(Op::Return {
                    expr: e,
                    distinct: *distinct,
                });
            }
            S::Collect(c) => self.collect(c, ops)?,
            S::Window(_) => return Err(Error::NotSupported("WINDOW".into())),
            S::Insert { doc, into, options } => {
                let doc = self.expr(doc, ops)?;
                let collection = self.data_source(into)?;
                let options = self.options(options.as_ref(), ops)?;
                self.modification(
                    ops,
                    super::ModificationKind::Insert,
                    collection,
                    doc,
                    None,
                    options,
                )?;
            }
            S::Update(m) | S::Replace(m) => {
                let kind = if matches!(s, S::Update(_)) {
                    super::ModificationKind::Update
                } else {
                    super::ModificationKind::Replace
                };
                let key = m.key.as_ref().map(|k| self.expr(k, ops)).transpose()?;
                let doc = self.expr(&m.doc, ops)?;
                let collection = self.data_source(&m.collection)?;
                let options = self.options(m.options.as_ref(), ops)?;
                self.modification(ops, kind, collection, doc, key, options)?;
            }
            S::Remove { key, from, options } => {
                let key = self.expr(key, ops)?;
                let collection = self.data_source(from)?;
                let options = self.options(options.as_ref(), ops)?;
                self.modification(
                    ops,
                    super::ModificationKind::Remove,
                    collection,
                    key,
                    None,
                    options,
                )?;
            }
            S::Upsert(u) => self.upsert(u, ops)?,
        }
        Ok(())
    }

    /// `FOR pattern IN source` and `LET pattern = value`: the loop (or the
    /// value) goes into a parser temporary, and each pattern variable is a
    /// LET of its element or attribute of it. Variables are numbered
    /// pattern variables first (text order), then the temporary: the
    /// numbering of the 3.12 release notes' FOR plans (for LET INFERRED,
    /// no documented plan shows it).
    fn destructure(
        &mut self,
        pattern: &ast::Pattern,
        bind: impl FnOnce(VarId) -> Op,
        ops: &mut Vec<Op>,
    ) -> Result<()> {
        let targets = pattern
            .variables()
            .into_iter()
            .map(|n| self.declare(n))
            .collect::<Result<Vec<_>>>()?;
        let out = self.vars.create_parser_temporary();
        ops.push(bind(out));
        for (target, expr) in targets.into_iter().zip(pattern_accesses(pattern, out)) {
            ops.push(Op::Let { out: target, expr });
        }
        Ok(())
    }

    fn options(&mut self, options: Option<&ast::Expr>, ops: &mut Vec<Op>) -> Result<Value> {
        match options {
            None => Ok(Value::Object(Vec::new())),
            Some(o) => match self.compile_time_options(o, ops)? {
                v @ Value::Object(_) => Ok(v),
                _ => Err(Error::BadOption("OPTIONS must be an object".into())),
            },
        }
    }

    fn modification(
        &mut self,
        ops: &mut Vec<Op>,
        kind: super::ModificationKind,
        collection: String,
        doc: Expr,
        key: Option<Expr>,
        options: Value,
    ) -> Result<()> {
        use super::ModificationKind as K;
        // Modifying inside a subquery a collection the outer query already
        // reads (ArangoDB: `collectionsFirstSeen` at a lower nesting level).
        if self
            .first_seen
            .get(&collection)
            .is_some_and(|&level| level < self.levels.len())
        {
            return Err(Error::AccessAfterModification(format!(
                "collection '{collection}'"
            )));
        }
        if !self.written.contains(&collection) {
            self.written.push(collection.clone());
        }
        let overwrite = matches!(
            &options,
            Value::Object(m) if m.iter().any(|(k, v)| k == "overwriteMode"
                && matches!(v, Value::String(s) if s == "update" || s == "replace"))
        );
        let out_old = match kind {
            K::Remove | K::Update | K::Replace => Some(self.vars.create("$OLD")),
            K::Insert if overwrite => Some(self.vars.create("$OLD")),
            _ => None,
        };
        let out_new = match kind {
            K::Insert | K::Update | K::Replace => Some(self.vars.create("$NEW")),
            _ => None,
        };
        if let Some(v) = out_old {
            self.bind_name("OLD", v);
        }
        if let Some(v) = out_new {
            self.bind_name("NEW", v);
        }
        ops.push(Op::Modify(ModifyOp {
            kind,
            collection,
            doc,
            key,
            out_old,
            out_new,
            options,
            upsert: None,
        }));
        Ok(())
    }

    /// `UPSERT search INSERT i UPDATE u IN c` as ArangoDB's grammar
    /// rewrites it: a subquery looks the document up, `$OLD` is its first
    /// result, and the UpsertNode reads `$OLD`:
    ///
    /// ```text
    /// LET #sub = (FOR #tmp IN c FILTER #tmp.a == search.a && … LIMIT 0, 1 RETURN #tmp)
    /// LET $OLD = #sub[0]
    /// UPSERT $OLD INSERT i UPDATE u IN c
    /// ```
    ///
    /// `$OLD` exists before the expressions are read (the UPDATE part may
    /// use `OLD`). INFERRED from ArangoDB's grammar; the 3.12 `UPSERT
    /// FILTER` form filters with its condition instead of the object.
    fn upsert(&mut self, u: &ast::Upsert, ops: &mut Vec<Op>) -> Result<()> {
        let old = self.vars.create("$OLD");
        let (search, filter_tmp) = match &u.search {
            ast::UpsertSearch::Object(e) => (self.expr(e, ops)?, None),
            // `CURRENT` in the condition stands for the looked-up document.
            ast::UpsertSearch::Filter(e) => {
                let tmp = self.vars.create_parser_temporary();
                self.push_scope();
                self.bind_name("CURRENT", tmp);
                let condition = self.expr(e, ops);
                self.levels
                    .last_mut()
                    .expect("a query level is always open")
                    .pop();
                (condition?, Some(tmp))
            }
        };
        let insert = self.expr(&u.insert, ops)?;
        self.bind_name("OLD", old);
        let update = self.expr(&u.update, ops)?;
        let collection = self.data_source(&u.collection)?;
        let options = self.options(u.options.as_ref(), ops)?;
        let (tmp, condition) = match filter_tmp {
            Some(tmp) => (tmp, search),
            None => {
                let tmp = self.vars.create_parser_temporary();
                let condition = upsert_condition(tmp, &search).ok_or_else(|| {
                    Error::BadOption("UPSERT needs an object to search for".into())
                })?;
                (tmp, condition)
            }
        };
        let body = vec![
            Op::For {
                out: tmp,
                source: ForSource::Collection(collection.clone()),
            },
            Op::Filter(condition),
            Op::Limit {
                offset: 0,
                count: 1,
            },
            Op::Return {
                expr: Expr::Reference(tmp),
                distinct: false,
            },
        ];
        let sub = self.vars.create_parser_temporary();
        ops.push(Op::Subquery {
            out: sub,
            body,
            conditional: false,
        });
        ops.push(Op::Let {
            out: old,
            expr: Expr::Indexed(
                Box::new(Expr::Reference(sub)),
                Box::new(Expr::Value(Value::Int(0))),
            ),
        });
        if !self.written.contains(&collection) {
            self.written.push(collection.clone());
        }
        let new = self.vars.create("$NEW");
        self.bind_name("NEW", new);
        ops.push(Op::Modify(ModifyOp {
            kind: super::ModificationKind::Upsert,
            collection,
            doc: Expr::Reference(old),
            key: None,
            out_old: None,
            out_new: Some(new),
            options,
            upsert: Some((insert, update, u.replace)),
        }));
        Ok(())
    }

    fn collect(&mut self, c: &ast::Collect, ops: &mut Vec<Op>) -> Result<()> {
        let options = self.options(c.options.as_ref(), ops)?;
        // `OPTIONS { disableIndex: true }` keeps use-index-for-collect away.
        let disable_index = matches!(&options, Value::Object(members)
            if members.iter().any(|(k, v)| k == "disableIndex" && v.is_truthy()));
        // `OPTIONS { method: "hash" }` / `"sorted"`; other values are ignored.
        let method_option = match &options {
            Value::Object(members) => members.iter().find_map(|(k, v)| match (k.as_str(), v) {
                ("method", Value::String(m)) if m == "hash" => Some(super::CollectMethod::Hash),
                ("method", Value::String(m)) if m == "sorted" => Some(super::CollectMethod::Sorted),
                _ => None,
            }),
            _ => None,
        };
        // Expressions are resolved in the old scope; outputs are declared
        // in a fresh scope that hides the loop variables.
        let mut groups = Vec::new();
        let mut pending = Vec::new();
        for (name, e) in &c.groups {
            groups.push(self.expr(e, ops)?);
            pending.push(name);
        }
        let mut aggregates = Vec::new();
        for (name, e) in &c.aggregates {
            let (function, arg) = match &e.kind {
                ExprKind::Call { name: f, args } if args.len() <= 1 => {
                    let upper = f.to_ascii_uppercase();
                    let arg = args.first().map(|a| self.expr(a, ops)).transpose()?;
                    (upper, arg)
                }
                _ => return Err(Error::InvalidAggregateExpression),
            };
            aggregates.push((name, function, arg));
        }
        let into_expr = match &c.into {
            Some(into) => into.expr.as_ref().map(|e| self.expr(e, ops)).transpose()?,
            None => None,
        };
        let keep = match &c.into {
            // `INTO g` alone keeps every user variable of this query level.
            Some(into) if into.keep.is_empty() && into.expr.is_none() => {
                let level = self.levels.last().expect("a query level is always open");
                let mut visible: Vec<VarId> = level
                    .iter()
                    .flat_map(|scope| scope.iter())
                    .filter(|(name, _)| !matches!(name.as_str(), "NEW" | "OLD" | "CURRENT"))
                    .map(|(_, id)| *id)
                    .filter(|id| !self.vars.get(*id).is_temporary())
                    .collect();
                visible.sort_unstable();
                visible.dedup();
                Some(visible)
            }
            Some(into) if !into.keep.is_empty() => Some(
                into.keep
                    .iter()
                    .map(|k| {
                        self.lookup(&k.text)
                            .ok_or_else(|| Error::UnknownVariable(k.text.clone()))
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
            _ => None,
        };
        self.collect_scope();
        let mut out_groups = Vec::new();
        for (name, e) in pending.into_iter().zip(groups) {
            out_groups.push((self.declare(name)?, e));
        }
        let mut out_aggregates = Vec::new();
        for (name, function, arg) in aggregates {
            out_aggregates.push((self.declare(name)?, function, arg));
        }
        if let Some(count) = &c.with_count {
            out_aggregates.push((self.declare(count)?, "LENGTH".to_string(), None));
        }
        let into = match &c.into {
            Some(into) => Some(self.declare(&into.variable)?),
            None => None,
        };
        ops.push(Op::Collect(CollectOp {
            groups: out_groups,
            aggregates: out_aggregates,
            into,
            into_expr,
            keep,
            disable_index,
            method_option,
        }));
        Ok(())
    }

    /// A LIMIT operand, checked as ArangoDB's plan instantiation does
    /// (`ExecutionPlan::fromNodeLimit`): a constant number ≥ 0, or null
    /// (no offset / no bound).
    fn limit_value(&mut self, e: &ast::Expr, ops: &mut Vec<Op>, what: &str) -> Result<u64> {
        let resolved = self.expr(e, ops)?;
        let value = resolved.constant_value().ok_or_else(|| {
            Error::NumberOutOfRange(
                "LIMIT offset/count values must be constant numeric values".into(),
            )
        })?;
        let out_of_range = || {
            Error::NumberOutOfRange(format!(
                "LIMIT {what} value is not a number or out of range"
            ))
        };
        match value {
            Value::Null if what == "count" => Ok(128 * 1024 * 1024),
            Value::Null => Ok(0),
            Value::Int(i) => u64::try_from(i).map_err(|_| out_of_range()),
            // getIntValue() truncates towards zero.
            Value::Double(d) if d.is_finite() && d > -1.0 => Ok(d as u64),
            _ => Err(out_of_range()),
        }
    }

    /// An OPTIONS value: it must be known when the query is compiled.
    fn compile_time_options(&mut self, e: &ast::Expr, ops: &mut Vec<Op>) -> Result<Value> {
        let resolved = self.expr(e, ops)?;
        resolved.constant_value().ok_or(Error::CompileTimeOptions)
    }

    /// An expression that must fold to a constant (OPTIONS, LIMIT).
    fn constant(&mut self, e: &ast::Expr, ops: &mut Vec<Op>) -> Result<Value> {
        let resolved = self.expr(e, ops)?;
        resolved.constant_value().ok_or_else(|| {
            Error::NotSupported("a non-constant value where AQL requires a constant".into())
        })
    }

    fn expr(&mut self, e: &ast::Expr, ops: &mut Vec<Op>) -> Result<Expr> {
        let resolved = match &e.kind {
            ExprKind::Null => Expr::Value(Value::Null),
            ExprKind::Bool(b) => Expr::Value(Value::Bool(*b)),
            ExprKind::Int(i) => Expr::Value(Value::Int(*i)),
            ExprKind::Double(d) => Expr::Value(Value::Double(*d)),
            ExprKind::String(s) => Expr::Value(Value::String(s.clone())),
            ExprKind::Array(items) => Expr::Array(
                items
                    .iter()
                    .map(|i| self.expr(i, ops))
                    .collect::<Result<_>>()?,
            ),
            ExprKind::Object(entries) => {
                let mut members = Vec::new();
                for entry in entries {
                    members.push(match entry {
                        ast::ObjectEntry::Pair { key, value, .. } => {
                            ObjectMember::Element(key.clone(), self.expr(value, ops)?)
                        }
                        ast::ObjectEntry::Computed { key, value } => {
                            let key = self.expr(key, ops)?;
                            let value = self.expr(value, ops)?;
                            match key {
                                Expr::Value(Value::String(s)) => ObjectMember::Element(s, value),
                                key => ObjectMember::Calculated(key, value),
                            }
                        }
                    });
                }
                Expr::Object(members)
            }
            ExprKind::Name(n) => match self.lookup(n) {
                // ArangoDB's AST optimizer puts the value of a constant
                // LET in place of each reference to it.
                Some(v) => match self.constants.get(&v) {
                    Some(value) => value.clone(),
                    None => Expr::Reference(v),
                },
                None => {
                    self.use_collection(n)?;
                    Expr::Collection(n.clone())
                }
            },
            ExprKind::BindParameter(p) => {
                let value = self
                    .bind
                    .get(p)
                    .ok_or_else(|| Error::BindParameterMissing(p.clone()))?;
                self.mark_bind_used(p);
                Expr::Value(Value::from_json(value))
            }
            ExprKind::CollectionBindParameter(p) => {
                let name = self.collection_parameter(p)?;
                self.use_collection(&name)?;
                Expr::Collection(name)
            }
            ExprKind::Attribute { object, name } => {
                Expr::Attribute(Box::new(self.expr(object, ops)?), name.clone())
            }
            ExprKind::Index { object, index } => {
                let object = self.expr(object, ops)?;
                let index = self.expr(index, ops)?;
                match index {
                    // `doc["a"]` is the attribute access `doc.a`.
                    Expr::Value(Value::String(s)) => Expr::Attribute(Box::new(object), s),
                    index => Expr::Indexed(Box::new(object), Box::new(index)),
                }
            }
            ExprKind::Expansion(x) => self.expansion(x, ops)?,
            ExprKind::ArrayFilter { .. } => {
                return Err(Error::NotSupported("array filters [? …]".into()))
            }
            ExprKind::Call { name, args } => self.call(name, args, e.span, ops)?,
            ExprKind::Unary { op, operand } => Expr::Unary(*op, Box::new(self.expr(operand, ops)?)),
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.expr(lhs, ops)?;
                let r = self.expr(rhs, ops)?;
                let call = |name: &str, l: Expr, r: Expr| -> Result<Expr> {
                    Ok(Expr::Call {
                        function: functions::resolve_call(name, 2)?,
                        args: vec![l, r],
                        span: e.span,
                    })
                };
                match op {
                    BinaryOp::Like => call("LIKE", l, r)?,
                    BinaryOp::NotLike => Expr::Unary(UnaryOp::Not, Box::new(call("LIKE", l, r)?)),
                    BinaryOp::RegexMatch => call("REGEX_TEST", l, r)?,
                    BinaryOp::RegexNotMatch => {
                        Expr::Unary(UnaryOp::Not, Box::new(call("REGEX_TEST", l, r)?))
                    }
                    op => Expr::Binary(*op, Box::new(l), Box::new(r)),
                }
            }
            ExprKind::ArrayCompare {
                quantifier,
                op,
                lhs,
                rhs,
            } => Expr::ArrayCompare {
                quantifier: match quantifier {
                    ast::Quantifier::All => Quantifier::All,
                    ast::Quantifier::Any => Quantifier::Any,
                    ast::Quantifier::None => Quantifier::None,
                    ast::Quantifier::AtLeast(n) => {
                        Quantifier::AtLeast(Box::new(self.expr(n, ops)?))
                    }
                    ast::Quantifier::Count(_) => {
                        return Err(Error::NotSupported(
                            "a counted quantifier outside an array filter".into(),
                        ))
                    }
                },
                op: *op,
                lhs: Box::new(self.expr(lhs, ops)?),
                rhs: Box::new(self.expr(rhs, ops)?),
            },
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            } => self.ternary(condition, then.as_deref(), otherwise, ops)?,
            ExprKind::Range { from, to } => Expr::Range(
                Box::new(self.expr(from, ops)?),
                Box::new(self.expr(to, ops)?),
            ),
            ExprKind::Subquery(q) => {
                self.levels.push(vec![HashMap::new()]);
                let body = self.query(q);
                let closed = self.levels.pop().unwrap_or_default();
                self.unbind(closed);
                let body = body?;
                let out = self.vars.create_parser_temporary();
                ops.push(Op::Subquery {
                    out,
                    body,
                    conditional: false,
                });
                Expr::Reference(out)
            }
        };
        Ok(fold(resolved))
    }

    /// `c ? a : b` and `c ?: b`. From 3.12.1 a subquery in a branch runs
    /// only when its branch is taken: it starts with `FILTER c` (then) or
    /// `FILTER !c` (otherwise). INFERRED from the 3.12 release notes' plan:
    /// the condition takes one variable-counter value before the branches
    /// (never printed), and the filter repeats the condition itself.
    fn ternary(
        &mut self,
        condition: &ast::Expr,
        then: Option<&ast::Expr>,
        otherwise: &ast::Expr,
        ops: &mut Vec<Op>,
    ) -> Result<Expr> {
        let c = self.expr(condition, ops)?;
        let lazy = self.compat.ternary_branch_subqueries_run_only_when_taken()
            && (then.is_some_and(contains_subquery) || contains_subquery(otherwise));
        if lazy {
            self.vars.create_temporary(self.compat);
        }
        let mut branch = |r: &mut Self, e: &ast::Expr, guard: Expr| -> Result<Expr> {
            let first = ops.len();
            let resolved = r.expr(e, ops)?;
            if lazy {
                guard_subqueries(&mut ops[first..], &guard);
            }
            Ok(resolved)
        };
        let then = match then {
            Some(t) => Some(Box::new(branch(self, t, c.clone())?)),
            None => None,
        };
        let not_c = Expr::Unary(UnaryOp::Not, Box::new(c.clone()));
        let otherwise = branch(self, otherwise, not_c)?;
        Ok(Expr::Ternary(Box::new(c), then, Box::new(otherwise)))
    }

    fn call(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        span: ast::Span,
        ops: &mut Vec<Op>,
    ) -> Result<Expr> {
        if name.contains("::") {
            let upper = name.to_ascii_uppercase();
            if !self.catalog.has_user_function(&upper) {
                return Err(Error::UnknownUserFunction(upper));
            }
            let args = args
                .iter()
                .map(|a| self.expr(a, ops))
                .collect::<Result<_>>()?;
            return Ok(Expr::UserCall {
                name: upper,
                args,
                span,
            });
        }
        let function = functions::resolve_call(name, args.len())?;
        let args = args
            .iter()
            .map(|a| self.expr(a, ops))
            .collect::<Result<_>>()?;
        // A document-reading function after a modification (1579).
        if !self.written.is_empty() && function.flags.contains(functions::Flags::READS_DOCUMENTS) {
            return Err(Error::AccessAfterModification(format!(
                "function {}",
                function.name
            )));
        }
        Ok(Expr::Call {
            function,
            args,
            span,
        })
    }

    fn expansion(&mut self, x: &ast::Expansion, ops: &mut Vec<Op>) -> Result<Expr> {
        let input = self.expr(&x.input, ops)?;
        // The iterator is a parser temporary bound to CURRENT inside.
        let iterator = self.vars.create_parser_temporary();
        self.push_scope();
        self.bind_name("CURRENT", iterator);
        let filter = x.filter.as_ref().map(|f| self.expr(f, ops)).transpose();
        let limit = x
            .limit
            .as_ref()
            .map(|(o, c)| -> Result<(Expr, Expr)> {
                let o = match o {
                    Some(o) => self.expr(o, ops)?,
                    None => Expr::Value(Value::Int(0)),
                };
                Ok((o, self.expr(c, ops)?))
            })
            .transpose();
        let projection = x.projection.as_ref().map(|p| self.expr(p, ops)).transpose();
        let closed = self
            .levels
            .last_mut()
            .expect("a query level is always open")
            .pop();
        self.unbind(closed);
        let (filter, limit, projection) = (filter?, limit?, projection?);
        let plain = filter.is_none() && limit.is_none() && projection.is_none();
        Ok(Expr::Expansion(Box::new(Expansion {
            iterator,
            input,
            levels: x.levels,
            filter,
            limit,
            projection: projection.unwrap_or(Expr::Reference(iterator)),
            plain,
        })))
    }
}

/// The access expression of every variable of `pattern` (text order),
/// starting from the value in `root`: `#4[0]`, `#3.a`, `#3.obj[1]`.
fn pattern_accesses(pattern: &ast::Pattern, root: VarId) -> Vec<Expr> {
    let mut out = Vec::new();
    let mut stack = vec![(pattern, Expr::Reference(root))];
    while let Some((p, base)) = stack.pop() {
        match p {
            ast::Pattern::Variable(_) => out.push(base),
            ast::Pattern::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    if let Some(item) = item {
                        let index = Expr::Value(Value::Int(i as i64));
                        stack.push((item, Expr::Indexed(Box::new(base.clone()), Box::new(index))));
                    }
                }
            }
            ast::Pattern::Object(entries) => {
                for (key, item) in entries.iter().rev() {
                    stack.push((item, Expr::Attribute(Box::new(base.clone()), key.clone())));
                }
            }
        }
    }
    out
}

/// A deterministic FILTER condition known true or false from its shape
/// alone becomes that boolean, as ArangoDB's AST optimizer does before
/// planning (`FILTER [d.a]` is `FILTER true`).
fn decided_condition(e: Expr) -> Expr {
    if !e.is_deterministic() {
        e
    } else if e.is_true() {
        Expr::Value(Value::Bool(true))
    } else if e.is_false() {
        Expr::Value(Value::Bool(false))
    } else {
        e
    }
}

/// Folds an expression whose operands are constants, as ArangoDB's AST
/// optimizer does before planning (arithmetic, comparisons, logic, unary
/// operators, ternaries, and constant arrays/objects into values).
pub(crate) fn fold(e: Expr) -> Expr {
    match e {
        Expr::Unary(op, operand) => match (op, operand.as_value()) {
            (UnaryOp::Minus, Some(Value::Int(i))) => match i.checked_neg() {
                Some(n) => Expr::Value(Value::Int(n)),
                None => Expr::Value(Value::Double(-(*i as f64))),
            },
            (UnaryOp::Minus, Some(v)) => number(-v.to_number()),
            (UnaryOp::Plus, Some(v)) => number(v.to_number()),
            (UnaryOp::Not, Some(v)) => Expr::Value(Value::Bool(!v.is_truthy())),
            _ => Expr::Unary(op, operand),
        },
        Expr::Binary(op, l, r) => match (l.as_value(), r.as_value()) {
            (Some(a), Some(b)) => match fold_binary(op, a, b) {
                Some(v) => Expr::Value(v),
                None => Expr::Binary(op, l, r),
            },
            (Some(a), None) if op == BinaryOp::And => {
                if a.is_truthy() {
                    *r
                } else {
                    *l
                }
            }
            (Some(a), None) if op == BinaryOp::Or => {
                if a.is_truthy() {
                    *l
                } else {
                    *r
                }
            }
            _ => Expr::Binary(op, l, r),
        },
        Expr::Ternary(c, t, otherwise) => match c.as_value() {
            Some(v) if v.is_truthy() => match t {
                Some(t) => *t,
                None => *c,
            },
            Some(_) => *otherwise,
            None => Expr::Ternary(c, t, otherwise),
        },
        Expr::Attribute(object, name) => match object.as_value() {
            Some(Value::Object(members)) => Expr::Value(
                members
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == name)
                    .map_or(Value::Null, |(_, v)| v.clone()),
            ),
            Some(_) => Expr::Value(Value::Null),
            None => Expr::Attribute(object, name),
        },
        Expr::Nary(Logic::And, items) if items.is_empty() => Expr::Value(Value::Bool(true)),
        other => other,
    }
}

fn number(x: f64) -> Expr {
    if x.is_finite() {
        Expr::Value(Value::Double(x))
    } else {
        Expr::Value(Value::Null)
    }
}

fn fold_binary(op: BinaryOp, a: &Value, b: &Value) -> Option<Value> {
    use std::cmp::Ordering;
    let arithmetic = |f: fn(f64, f64) -> f64| {
        let r = f(a.to_number(), b.to_number());
        if !r.is_finite() {
            return Value::Null;
        }
        match (a, b) {
            (Value::Int(_), Value::Int(_))
                if r.fract() == 0.0 && r.abs() < 9.007_199_254_740_992e15 =>
            {
                Value::Int(r as i64)
            }
            _ => Value::Double(r),
        }
    };
    Some(match op {
        BinaryOp::Add => arithmetic(|x, y| x + y),
        BinaryOp::Sub => arithmetic(|x, y| x - y),
        BinaryOp::Mul => arithmetic(|x, y| x * y),
        // Division by zero is a runtime warning in AQL; leave it unfolded.
        BinaryOp::Div if b.to_number() == 0.0 => return None,
        BinaryOp::Div => arithmetic(|x, y| x / y),
        BinaryOp::Mod if b.to_number() == 0.0 => return None,
        BinaryOp::Mod => arithmetic(|x, y| x % y),
        BinaryOp::Eq => Value::Bool(a.compare(b) == Ordering::Equal),
        BinaryOp::Ne => Value::Bool(a.compare(b) != Ordering::Equal),
        BinaryOp::Lt => Value::Bool(a.compare(b) == Ordering::Less),
        BinaryOp::Le => Value::Bool(a.compare(b) != Ordering::Greater),
        BinaryOp::Gt => Value::Bool(a.compare(b) == Ordering::Greater),
        BinaryOp::Ge => Value::Bool(a.compare(b) != Ordering::Less),
        BinaryOp::In | BinaryOp::NotIn => {
            let found = match b {
                Value::Array(items) => items.iter().any(|i| i.compare(a) == Ordering::Equal),
                _ => false,
            };
            Value::Bool(found == (op == BinaryOp::In))
        }
        BinaryOp::And => {
            if a.is_truthy() {
                b.clone()
            } else {
                a.clone()
            }
        }
        BinaryOp::Or => {
            if a.is_truthy() {
                a.clone()
            } else {
                b.clone()
            }
        }
        _ => return None,
    })
}

/// Whether an expression holds a subquery (not looking into subqueries).
fn contains_subquery(e: &ast::Expr) -> bool {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        if matches!(x.kind, ExprKind::Subquery(_)) {
            return true;
        }
        stack.extend(syntax_children(x));
    }
    false
}

/// The direct sub-expressions of a syntax expression (quantifier
/// operands are left out: they cannot hold a subquery worth guarding).
fn syntax_children(e: &ast::Expr) -> Vec<&ast::Expr> {
    match &e.kind {
        ExprKind::Array(items) => items.iter().collect(),
        ExprKind::Object(entries) => entries
            .iter()
            .flat_map(|entry| match entry {
                ast::ObjectEntry::Pair { value, .. } => vec![value],
                ast::ObjectEntry::Computed { key, value } => vec![key, value],
            })
            .collect(),
        ExprKind::Attribute { object, .. } => vec![object],
        ExprKind::Index { object, index } => vec![object, index],
        ExprKind::Expansion(x) => std::iter::once(&x.input)
            .chain(x.filter.as_ref())
            .chain(x.projection.as_ref())
            .collect(),
        ExprKind::ArrayFilter {
            input, condition, ..
        } => vec![input, condition],
        ExprKind::Call { args, .. } => args.iter().collect(),
        ExprKind::Unary { operand, .. } => vec![operand],
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::ArrayCompare { lhs, rhs, .. } => {
            vec![lhs, rhs]
        }
        ExprKind::Ternary {
            condition,
            then,
            otherwise,
        } => std::iter::once(&**condition)
            .chain(then.as_deref())
            .chain(std::iter::once(&**otherwise))
            .collect(),
        ExprKind::Range { from, to } => vec![from, to],
        _ => Vec::new(),
    }
}

/// Puts `FILTER guard` first in every subquery hoisted from one branch.
/// `#tmp.a == search.a && #tmp.b == search.b …` for an UPSERT search
/// object (None when the search is not an object).
fn upsert_condition(tmp: VarId, search: &Expr) -> Option<Expr> {
    let equality = |name: &str, value: Expr| {
        Expr::Binary(
            BinaryOp::Eq,
            Box::new(Expr::Attribute(
                Box::new(Expr::Reference(tmp)),
                name.to_string(),
            )),
            Box::new(value),
        )
    };
    let parts: Vec<Expr> = match search {
        Expr::Object(members) => members
            .iter()
            .filter_map(|m| match m {
                ObjectMember::Element(name, value) => Some(equality(name, value.clone())),
                ObjectMember::Calculated(..) => None,
            })
            .collect(),
        Expr::Value(Value::Object(members)) => members
            .iter()
            .map(|(name, value)| equality(name, Expr::Value(value.clone())))
            .collect(),
        _ => return None,
    };
    Some(Expr::Nary(Logic::And, parts))
}

fn guard_subqueries(hoisted: &mut [Op], guard: &Expr) {
    for op in hoisted {
        if let Op::Subquery {
            body, conditional, ..
        } = op
        {
            body.insert(0, Op::Filter(guard.clone()));
            *conditional = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(query: &str, compat: Version) -> Resolved {
        let catalog =
            Catalog::from_json_text(r#"{"role": "single", "collections": [{"name": "c"}]}"#)
                .expect("catalog");
        let ast = crate::syntax::parse(query).expect("query parses");
        resolve(&ast, &catalog, &BTreeMap::new(), compat).expect("query resolves")
    }

    /// The first operation of each hoisted subquery.
    fn subquery_heads(ops: &[Op]) -> Vec<(bool, Option<&Expr>)> {
        ops.iter()
            .filter_map(|op| match op {
                Op::Subquery {
                    body, conditional, ..
                } => Some((
                    *conditional,
                    match body.first() {
                        Some(Op::Filter(e)) => Some(e),
                        _ => None,
                    },
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn ternary_branch_subqueries_are_guarded_from_3_12_1() {
        // (not a constant: a constant LET would replace `x` and fold the test)
        let query = "LET x = RAND() RETURN x > 0 ? (FOR a IN c RETURN a) : (FOR b IN c RETURN b)";
        let r = resolved(query, Version::NEWEST);
        let heads = subquery_heads(&r.ops);
        assert_eq!(heads.len(), 2);
        assert!(heads.iter().all(|(conditional, _)| *conditional));
        assert!(matches!(heads[0].1, Some(Expr::Binary(BinaryOp::Gt, ..))));
        assert!(matches!(heads[1].1, Some(Expr::Unary(UnaryOp::Not, _))));
    }

    #[test]
    fn ternary_branch_subqueries_run_eagerly_in_3_12_0() {
        let query = "LET x = 1 RETURN x ?: (FOR b IN c RETURN b)";
        let r = resolved(query, Version::new(3, 12, 0));
        assert_eq!(subquery_heads(&r.ops), [(false, None)]);
    }

    #[test]
    fn a_ternary_without_subqueries_takes_no_extra_variable() {
        let a = resolved("LET x = 1 RETURN x ?: 2", Version::NEWEST);
        let b = resolved("LET x = 1 RETURN x ?: 2", Version::new(3, 12, 0));
        assert_eq!(a.vars.all().len(), b.vars.all().len());
    }
}

#[cfg(test)]
mod destructuring_tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    #[test]
    fn destructuring_for_loops_over_a_temporary_and_lets_each_part() {
        let t = TestPlan::single("FOR { a, b: [x] } IN c RETURN [a, x]");
        assert_eq!(
            t.order(),
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "4 Calculation",
                "5 Calculation",
                "6 Return"
            ]
        );
        let names: Vec<String> = kinds(&t.plan)
            .into_iter()
            .filter_map(|k| match k {
                NodeKind::EnumerateCollection(s) => Some(t.plan.vars.display_name(s.out)),
                NodeKind::Calculation { out, .. } => Some(t.plan.vars.display_name(*out)),
                _ => None,
            })
            .collect();
        // pattern variables first, then the loop temporary
        assert_eq!(names, ["#2", "a", "x", "#4"]);
    }

    #[test]
    fn destructuring_let_assigns_each_part_of_a_temporary() {
        let t = TestPlan::single("FOR d IN c LET [x, { y }] = d.pair RETURN [x, y]");
        let lets: Vec<String> = kinds(&t.plan)
            .into_iter()
            .filter_map(|k| match k {
                NodeKind::Calculation { out, .. } => Some(t.plan.vars.display_name(*out)),
                _ => None,
            })
            .collect();
        // the temporary holding `d.pair`, then x and y, then the RETURN value
        assert_eq!(lets, ["#3", "x", "y", "#5"]);
    }

    #[test]
    fn a_constant_let_is_put_in_place_of_its_references() {
        let t = TestPlan::single("LET l = [1, 2] FOR x IN l RETURN x");
        // the loop reads a new calculation of the constant, not `l`
        assert_eq!(
            t.order(),
            [
                "1 Singleton",
                "2 Calculation",
                "3 Calculation",
                "4 EnumerateList",
                "5 Return"
            ]
        );
    }
}

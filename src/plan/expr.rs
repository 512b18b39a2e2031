//! Expressions as the planner sees them: names resolved to variables and
//! collections, bind parameters injected, constants folded. The shape
//! mirrors ArangoDB's AST node types, so the explain text and the JSON
//! output can be produced from it directly.

use crate::functions::Function;
use crate::syntax::{BinaryOp, Span, UnaryOp};
use crate::value::Value;

/// A variable's id (ArangoDB's variable id, from the query's counter).
pub type VarId = u32;

/// How many levels [`Expr::walk_until`] recurses before it continues with
/// an explicit stack.
const WALK_RECURSION_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Value(Value),
    Array(Vec<Expr>),
    Object(Vec<ObjectMember>),
    Reference(VarId),
    Attribute(Box<Expr>, String),
    Indexed(Box<Expr>, Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    /// Arithmetic, comparison, `IN`/`NOT IN`, `&&`/`||`. LIKE and the regex
    /// operators never appear here: AQL turns them into function calls.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// The n-ary AND/OR of normalized conditions (index conditions).
    Nary(Logic, Vec<Expr>),
    ArrayCompare {
        quantifier: Quantifier,
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `then` is None for the two-operand form `c ?: b`.
    Ternary(Box<Expr>, Option<Box<Expr>>, Box<Expr>),
    Range(Box<Expr>, Box<Expr>),
    Call {
        function: &'static Function,
        args: Vec<Expr>,
        span: Span,
    },
    /// `NS::NAME(...)`, name upper-cased.
    UserCall {
        name: String,
        args: Vec<Expr>,
        span: Span,
    },
    /// A collection name used as a value (all its documents).
    Collection(String),
    /// `input[* FILTER … LIMIT … RETURN projection]`; `iterator` is the
    /// temporary that stands for each element (`CURRENT`).
    Expansion(Box<Expansion>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub iterator: VarId,
    pub input: Expr,
    pub levels: u32,
    pub filter: Option<Expr>,
    pub limit: Option<(Expr, Expr)>,
    pub projection: Expr,
    /// Whether the short form `x[*]` (projection is the iterator itself).
    pub plain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logic {
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Quantifier {
    All,
    Any,
    None,
    AtLeast(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectMember {
    Element(String, Expr),
    Calculated(Expr, Expr),
}

impl Expr {
    pub fn value(v: Value) -> Expr {
        Expr::Value(v)
    }

    pub fn reference(&self) -> Option<VarId> {
        match self {
            Expr::Reference(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_value(&self) -> Option<&Value> {
        match self {
            Expr::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Every direct sub-expression, in rendering order.
    pub fn children(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.for_each_child(|c| out.push(c));
        out
    }

    /// Calls `f` on every direct sub-expression, in rendering order
    /// (without building a list: traversals run this once per node).
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        self.any_child(|c| {
            f(c);
            false
        });
    }

    /// Whether `f` holds for a direct sub-expression, asked in rendering
    /// order up to the first that does.
    pub fn any_child<'a>(&'a self, mut f: impl FnMut(&'a Expr) -> bool) -> bool {
        match self {
            Expr::Value(_) | Expr::Reference(_) | Expr::Collection(_) => false,
            Expr::Array(items) | Expr::Nary(_, items) => items.iter().any(f),
            Expr::Object(members) => members.iter().any(|m| match m {
                ObjectMember::Element(_, v) => f(v),
                ObjectMember::Calculated(k, v) => f(k) || f(v),
            }),
            Expr::Attribute(object, _) => f(object),
            Expr::Unary(_, operand) => f(operand),
            Expr::Indexed(lhs, rhs) | Expr::Binary(_, lhs, rhs) | Expr::Range(lhs, rhs) => {
                f(lhs) || f(rhs)
            }
            Expr::ArrayCompare {
                quantifier,
                lhs,
                rhs,
                ..
            } => f(lhs) || f(rhs) || matches!(quantifier, Quantifier::AtLeast(n) if f(n)),
            Expr::Ternary(c, t, e) => f(c) || t.as_deref().is_some_and(&mut f) || f(e),
            Expr::Call { args, .. } | Expr::UserCall { args, .. } => args.iter().any(f),
            Expr::Expansion(x) => {
                f(&x.input)
                    || x.filter.as_ref().is_some_and(&mut f)
                    || x.limit.as_ref().is_some_and(|(a, b)| f(a) || f(b))
                    || f(&x.projection)
            }
        }
    }

    /// How deeply the expression nests (a leaf is 1), computed without
    /// recursion.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1)];
        while let Some((e, d)) = stack.pop() {
            deepest = deepest.max(d);
            e.for_each_child(|c| stack.push((c, d + 1)));
        }
        deepest
    }

    /// Visits this expression and all sub-expressions, parents first.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        self.walk_until(&mut |e| {
            visit(e);
            false
        });
    }

    /// Visits sub-expressions as [`Self::walk`] does until `stop` returns
    /// true; returns whether it did.
    pub fn walk_until<'a>(&'a self, stop: &mut impl FnMut(&'a Expr) -> bool) -> bool {
        self.walk_nested(stop, 0)
    }

    /// [`Self::walk_until`] at nesting `depth`: recursion (no allocation)
    /// for the shallow levels every expression has, an explicit stack
    /// below them, so deep expressions cannot exhaust the thread's stack.
    fn walk_nested<'a>(&'a self, stop: &mut impl FnMut(&'a Expr) -> bool, depth: usize) -> bool {
        if stop(self) {
            return true;
        }
        if depth < WALK_RECURSION_DEPTH {
            return self.any_child(|c| c.walk_nested(stop, depth + 1));
        }
        let mut stack = Vec::new();
        self.for_each_child(|c| stack.push(c));
        stack.reverse();
        while let Some(e) = stack.pop() {
            if stop(e) {
                return true;
            }
            // Children go on the stack last first, so they pop in order.
            let mark = stack.len();
            e.for_each_child(|c| stack.push(c));
            stack[mark..].reverse();
        }
        false
    }

    /// Applies `f` to every sub-expression bottom-up, replacing each.
    pub fn rewrite(self, f: &mut impl FnMut(Expr) -> Expr) -> Expr {
        let e = match self {
            Expr::Array(items) => Expr::Array(items.into_iter().map(|i| i.rewrite(f)).collect()),
            Expr::Nary(l, items) => {
                Expr::Nary(l, items.into_iter().map(|i| i.rewrite(f)).collect())
            }
            Expr::Object(members) => Expr::Object(
                members
                    .into_iter()
                    .map(|m| match m {
                        ObjectMember::Element(k, v) => ObjectMember::Element(k, v.rewrite(f)),
                        ObjectMember::Calculated(k, v) => {
                            ObjectMember::Calculated(k.rewrite(f), v.rewrite(f))
                        }
                    })
                    .collect(),
            ),
            Expr::Attribute(o, n) => Expr::Attribute(Box::new(o.rewrite(f)), n),
            Expr::Indexed(o, i) => Expr::Indexed(Box::new(o.rewrite(f)), Box::new(i.rewrite(f))),
            Expr::Unary(op, o) => Expr::Unary(op, Box::new(o.rewrite(f))),
            Expr::Binary(op, l, r) => {
                Expr::Binary(op, Box::new(l.rewrite(f)), Box::new(r.rewrite(f)))
            }
            Expr::Range(l, r) => Expr::Range(Box::new(l.rewrite(f)), Box::new(r.rewrite(f))),
            Expr::ArrayCompare {
                quantifier,
                op,
                lhs,
                rhs,
            } => Expr::ArrayCompare {
                quantifier: match quantifier {
                    Quantifier::AtLeast(n) => Quantifier::AtLeast(Box::new(n.rewrite(f))),
                    q => q,
                },
                op,
                lhs: Box::new(lhs.rewrite(f)),
                rhs: Box::new(rhs.rewrite(f)),
            },
            Expr::Ternary(c, t, e) => Expr::Ternary(
                Box::new(c.rewrite(f)),
                t.map(|t| Box::new(t.rewrite(f))),
                Box::new(e.rewrite(f)),
            ),
            Expr::Call {
                function,
                args,
                span,
            } => Expr::Call {
                function,
                args: args.into_iter().map(|a| a.rewrite(f)).collect(),
                span,
            },
            Expr::UserCall { name, args, span } => Expr::UserCall {
                name,
                args: args.into_iter().map(|a| a.rewrite(f)).collect(),
                span,
            },
            Expr::Expansion(x) => {
                let x = *x;
                Expr::Expansion(Box::new(Expansion {
                    iterator: x.iterator,
                    input: x.input.rewrite(f),
                    levels: x.levels,
                    filter: x.filter.map(|e| e.rewrite(f)),
                    limit: x.limit.map(|(a, b)| (a.rewrite(f), b.rewrite(f))),
                    projection: x.projection.rewrite(f),
                    plain: x.plain,
                }))
            }
            leaf => leaf,
        };
        f(e)
    }

    /// The variables this expression reads, each once, in first-use order.
    pub fn variables(&self) -> Vec<VarId> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Reference(v) = e {
                if !out.contains(v) {
                    out.push(*v);
                }
            }
        });
        out
    }

    pub fn uses_variable(&self, var: VarId) -> bool {
        self.walk_until(&mut |e| matches!(e, Expr::Reference(v) if *v == var))
    }

    /// Replaces every reference to `from` by `to`.
    pub fn replace_variable(&mut self, from: VarId, to: VarId) {
        // Rebuilding the tree allocates per node: skip it when nothing changes.
        if !self.uses_variable(from) {
            return;
        }
        let e = std::mem::replace(self, Expr::Value(Value::Null));
        *self = e.rewrite(&mut |e| match e {
            Expr::Reference(v) if v == from => Expr::Reference(to),
            other => other,
        });
    }

    /// A hash that equal expressions share (unequal ones may share it
    /// too): lets rules bucket expressions before comparing them with `==`
    /// instead of comparing every pair.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = super::hash::WordHasher::default();
        self.walk(&mut |e| {
            std::mem::discriminant(e).hash(&mut h);
            match e {
                Expr::Reference(v) => v.hash(&mut h),
                Expr::Attribute(_, name) => name.hash(&mut h),
                Expr::Value(Value::Int(i)) => i.hash(&mut h),
                Expr::Value(Value::String(s)) => s.hash(&mut h),
                Expr::Call { function, .. } => function.name.hash(&mut h),
                Expr::UserCall { name, .. } => name.hash(&mut h),
                _ => {}
            }
        });
        h.finish()
    }

    /// Every function call in the expression, in rendering order.
    pub fn calls(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if matches!(e, Expr::Call { .. } | Expr::UserCall { .. }) {
                out.push(e);
            }
        });
        out
    }

    /// Whether any function call (`Some(function)`, `None` for a user
    /// function) satisfies `pred`; stops at the first that does.
    pub fn any_call(&self, mut pred: impl FnMut(Option<&'static Function>) -> bool) -> bool {
        self.walk_until(&mut |e| match e {
            Expr::Call { function, .. } => pred(Some(function)),
            Expr::UserCall { .. } => pred(None),
            _ => false,
        })
    }

    /// No function without the Deterministic flag, no user function.
    pub fn is_deterministic(&self) -> bool {
        !self.any_call(|f| !f.is_some_and(Function::is_deterministic))
    }

    /// Whether every call may run on a DB-Server (§7.11).
    pub fn can_run_on_db_server(&self, one_shard: bool) -> bool {
        !self.any_call(|f| !f.is_some_and(|f| f.runs_on_db_server(one_shard)))
    }

    /// Uses V8 (JavaScript): user functions and JS-only built-ins.
    pub fn uses_v8(&self) -> bool {
        self.any_call(|f| f.is_none_or(Function::uses_v8))
    }

    /// Only values, arrays, objects and object elements: ArangoDB's
    /// "const assignment".
    pub fn is_constant(&self) -> bool {
        let mut constant = true;
        self.walk(&mut |e| {
            constant &= match e {
                Expr::Value(_) | Expr::Array(_) => true,
                Expr::Object(members) => members
                    .iter()
                    .all(|m| matches!(m, ObjectMember::Element(..))),
                _ => false,
            }
        });
        constant
    }

    /// The folded value of a constant expression.
    pub fn constant_value(&self) -> Option<Value> {
        match self {
            Expr::Value(v) => Some(v.clone()),
            Expr::Array(items) => items
                .iter()
                .map(Expr::constant_value)
                .collect::<Option<_>>()
                .map(Value::Array),
            Expr::Object(members) => members
                .iter()
                .map(|m| match m {
                    ObjectMember::Element(k, v) => v.constant_value().map(|v| (k.clone(), v)),
                    ObjectMember::Calculated(..) => None,
                })
                .collect::<Option<_>>()
                .map(Value::Object),
            _ => None,
        }
    }

    /// Truthy whatever the variables hold, judged from the expression's
    /// shape alone as ArangoDB's `AstNode::isTrue` does: a truthy value, any
    /// array or object literal, `a || b` with a side known true, `a && b`
    /// with both known true, `!x` with `x` known false, or an attribute of
    /// a constant that resolves to a truthy value. `false` means "unknown".
    pub fn is_true(&self) -> bool {
        match self {
            Expr::Value(v) => v.is_truthy(),
            Expr::Array(_) | Expr::Object(_) => true,
            Expr::Binary(BinaryOp::Or, a, b) => a.is_true() || b.is_true(),
            Expr::Binary(BinaryOp::And, a, b) => a.is_true() && b.is_true(),
            Expr::Unary(UnaryOp::Not, x) => x.is_false(),
            Expr::Attribute(..) => self.constant_attribute().is_some_and(|v| v.is_truthy()),
            _ => false,
        }
    }

    /// Falsy whatever the variables hold (ArangoDB's `AstNode::isFalse`),
    /// the mirror image of [`Self::is_true`]. `false` means "unknown".
    pub fn is_false(&self) -> bool {
        match self {
            Expr::Value(v) => !v.is_truthy(),
            Expr::Binary(BinaryOp::Or, a, b) => a.is_false() && b.is_false(),
            Expr::Binary(BinaryOp::And, a, b) => a.is_false() || b.is_false(),
            Expr::Unary(UnaryOp::Not, x) => x.is_true(),
            Expr::Attribute(..) => self.constant_attribute().is_some_and(|v| !v.is_truthy()),
            _ => false,
        }
    }

    /// The value of `constant.name`: the member, or null when the constant
    /// is no object or lacks it (the last duplicate key wins, as in AQL).
    fn constant_attribute(&self) -> Option<Value> {
        let Expr::Attribute(object, name) = self else {
            return None;
        };
        let value = match object.as_ref() {
            inner @ Expr::Attribute(..) => inner.constant_attribute()?,
            other => other.constant_value()?,
        };
        Some(match value {
            Value::Object(members) => members
                .into_iter()
                .rev()
                .find(|(k, _)| k == name)
                .map_or(Value::Null, |(_, v)| v),
            _ => Value::Null,
        })
    }

    /// The variable of [`Self::attribute_path`], without listing the path.
    pub fn attribute_root(&self) -> Option<VarId> {
        let Expr::Attribute(object, _) = self else {
            return None;
        };
        let mut e: &Expr = object;
        loop {
            match e {
                Expr::Attribute(object, _) => e = object,
                Expr::Reference(v) => return Some(*v),
                _ => return None,
            }
        }
    }

    /// A single attribute path on a variable (`doc.a.b`): ArangoDB's
    /// "attribute expression".
    pub fn attribute_path(&self) -> Option<(VarId, Vec<&str>)> {
        let mut names = Vec::new();
        let mut e = self;
        loop {
            match e {
                Expr::Attribute(object, name) => {
                    names.push(name.as_str());
                    e = object;
                }
                Expr::Reference(v) if !names.is_empty() => {
                    names.reverse();
                    return Some((*v, names));
                }
                _ => return None,
            }
        }
    }
}

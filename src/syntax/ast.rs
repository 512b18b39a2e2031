//! The AQL syntax tree: plain enums and structs, exactly what the text says.
//!
//! Names are not resolved here (an identifier may turn out to be a variable
//! or a collection); that happens when the plan is built. Every node prints
//! back to AQL text through `Display` (see `print.rs`), and
//! parse → print → parse yields an equal tree.

/// A byte range in the query text. Positions are metadata: two trees that
/// say the same thing are equal wherever their text stood, so `Span`
/// compares equal to every other `Span`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// A whole query: statements in text order. A query ends in `RETURN` or a
/// data-modification statement; `WITH` may only come first.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `WITH c1, c2` (collections a traversal may touch).
    With(Vec<DataSource>),
    For(For),
    Filter(Expr),
    /// `LET a = 1, b = 2` — several assignments in one statement; a
    /// destructuring target (3.12.2) is a pattern, a plain name is
    /// `Pattern::Variable`.
    Let(Vec<(Pattern, Expr)>),
    /// `SEARCH` only follows `FOR … IN view` and is stored on the `For`.
    Sort(Vec<SortElement>),
    /// `LIMIT count` or `LIMIT offset, count`.
    Limit {
        offset: Option<Expr>,
        count: Expr,
    },
    Collect(Collect),
    Window(Window),
    Return {
        distinct: bool,
        expr: Expr,
    },
    Insert {
        doc: Expr,
        into: DataSource,
        options: Option<Expr>,
    },
    /// `UPDATE doc IN c` (key = None) or `UPDATE key WITH doc IN c`.
    Update(KeyedModification),
    Replace(KeyedModification),
    Remove {
        key: Expr,
        from: DataSource,
        options: Option<Expr>,
    },
    Upsert(Upsert),
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyedModification {
    pub key: Option<Expr>,
    pub doc: Expr,
    pub collection: DataSource,
    pub options: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Upsert {
    pub search: UpsertSearch,
    pub insert: Expr,
    pub update: Expr,
    /// `true` for `UPSERT … INSERT … REPLACE …`.
    pub replace: bool,
    pub collection: DataSource,
    pub options: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UpsertSearch {
    /// `UPSERT { name: "x" } …`
    Object(Expr),
    /// `UPSERT FILTER $CURRENT.name == "x" …` (3.12)
    Filter(Expr),
}

/// An identifier as written (backtick/forward-tick quotes removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// Where a modification writes, or a `WITH` entry: a collection name or a
/// collection bind parameter `@@c`.
#[derive(Debug, Clone, PartialEq)]
pub enum DataSource {
    Name(Name),
    /// `@@name` — the name without the `@@`.
    BindParameter(Name),
}

#[derive(Debug, Clone, PartialEq)]
pub struct For {
    /// One variable for collection/array/view loops, up to three for graph
    /// traversals (`v, e, p`); empty when `pattern` is set.
    pub variables: Vec<Name>,
    /// `FOR [k, v] IN …` / `FOR { a, b } IN …` destructuring (3.12.2).
    pub pattern: Option<Pattern>,
    pub source: ForSource,
    pub search: Option<Expr>,
    pub options: Option<Expr>,
}

/// A destructuring target: what each part of a value is assigned to.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Variable(Name),
    /// `[x, , y]`: elements by position; `None` skips one.
    Array(Vec<Option<Pattern>>),
    /// `{ a, b: x }`: attributes by name (`{ a }` is `{ a: a }`).
    Object(Vec<(String, Pattern)>),
}

impl Pattern {
    /// The variables the pattern assigns, in text order.
    pub fn variables(&self) -> Vec<&Name> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(p) = stack.pop() {
            match p {
                Pattern::Variable(n) => out.push(n),
                Pattern::Array(items) => stack.extend(items.iter().rev().flatten()),
                Pattern::Object(entries) => stack.extend(entries.iter().rev().map(|(_, p)| p)),
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ForSource {
    /// A collection name, a variable, an array, a range, a function call,
    /// a subquery … — decided when names are resolved.
    Expr(Expr),
    Traversal(Traversal),
    Path(PathSearch),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Outbound,
    Inbound,
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Traversal {
    /// `1..3` or a single depth; None means the default `1..1`.
    pub depth: Option<Expr>,
    pub direction: Direction,
    pub start: Expr,
    pub graph: GraphRef,
    pub prune: Option<Prune>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prune {
    /// `PRUNE p = cond` (3.9+) names the condition.
    pub variable: Option<Name>,
    pub condition: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    ShortestPath,
    KShortestPaths,
    KPaths,
    AllShortestPaths,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PathSearch {
    pub kind: PathKind,
    /// Only `K_PATHS` takes a depth range.
    pub depth: Option<Expr>,
    pub direction: Direction,
    pub start: Expr,
    pub target: Expr,
    pub graph: GraphRef,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GraphRef {
    /// `GRAPH "name"` (or a bind parameter / expression).
    Named(Expr),
    /// `edges1, INBOUND edges2` — an anonymous graph.
    Collections(Vec<(Option<Direction>, DataSource)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortElement {
    pub expr: Expr,
    pub direction: SortDirection,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SortDirection {
    /// Nothing written: ascending.
    Default,
    Asc,
    Desc,
    /// A bind parameter or literal given as direction (`SORT x @dir`).
    Dynamic(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Collect {
    /// `COLLECT a = e1, b = e2`
    pub groups: Vec<(Name, Expr)>,
    /// `AGGREGATE m = MIN(x), …`
    pub aggregates: Vec<(Name, Expr)>,
    pub into: Option<CollectInto>,
    /// `WITH COUNT INTO c`
    pub with_count: Option<Name>,
    pub options: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CollectInto {
    pub variable: Name,
    /// `INTO g = expr`
    pub expr: Option<Expr>,
    /// `INTO g KEEP a, b`
    pub keep: Vec<Name>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// `WINDOW rangeExpr WITH { … }` — None for the row-based form.
    pub range: Option<Expr>,
    /// The `{ preceding: …, following: … }` object.
    pub bounds: Expr,
    pub aggregates: Vec<(Name, Expr)>,
}

/// An expression with its place in the query text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    /// Decimal, hex (`0x1F`) and binary (`0b101`) integer literals.
    Int(i64),
    /// Literals with a fraction or an exponent.
    Double(f64),
    String(String),
    Array(Vec<Expr>),
    Object(Vec<ObjectEntry>),
    /// An identifier: a variable or (when no variable has that name) a
    /// collection used as an expression.
    Name(String),
    /// `@name`
    BindParameter(String),
    /// `@@name`
    CollectionBindParameter(String),
    /// `object.name`
    Attribute {
        object: Box<Expr>,
        name: String,
    },
    /// `object[index]`
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
    },
    /// `input[*]`, `input[**]`, `input[* FILTER c LIMIT n RETURN p]`.
    /// Attribute accesses written after the brackets (`a[*].b`) wrap this
    /// node as ordinary `Attribute`/`Index` nodes.
    Expansion(Box<Expansion>),
    /// `input[? quantifier FILTER cond]` (3.12 array filter).
    ArrayFilter {
        input: Box<Expr>,
        quantifier: Option<Quantifier>,
        condition: Box<Expr>,
    },
    /// `NAME(args)` or `NS::NAME(args)`, name as written.
    Call {
        name: String,
        args: Vec<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `lhs ALL == rhs`, `lhs ANY IN rhs`, `lhs AT LEAST (2) > rhs`, …
    ArrayCompare {
        quantifier: Quantifier,
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `cond ? then : otherwise`; `then` is None for `cond ?: otherwise`.
    Ternary {
        condition: Box<Expr>,
        then: Option<Box<Expr>>,
        otherwise: Box<Expr>,
    },
    /// `from .. to`
    Range {
        from: Box<Expr>,
        to: Box<Expr>,
    },
    /// `( FOR … RETURN … )` used as a value.
    Subquery(Box<Query>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub input: Expr,
    /// 1 for `[*]`, 2 for `[**]`, …
    pub levels: u32,
    pub filter: Option<Expr>,
    /// `LIMIT count` or `LIMIT offset, count`
    pub limit: Option<(Option<Expr>, Expr)>,
    pub projection: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectEntry {
    /// `key: value`, `"key": value`, and the shorthand `{ key }` (stored
    /// with `shorthand = true` and a `Name` value).
    Pair {
        key: String,
        value: Expr,
        shorthand: bool,
    },
    /// `[expr]: value`
    Computed { key: Expr, value: Expr },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Minus,
    Plus,
    /// `!` and `NOT`
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Like,
    NotLike,
    /// `=~`
    RegexMatch,
    /// `!~`
    RegexNotMatch,
    /// `&&` and `AND`
    And,
    /// `||` and `OR`
    Or,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Quantifier {
    All,
    Any,
    None,
    /// `AT LEAST (expr)`
    AtLeast(Box<Expr>),
    /// `[? 2 FILTER …]` / `[? 1..3 FILTER …]` (array filter only): exactly
    /// this many matches, or a `min..max` range of matches.
    Count(Box<Expr>),
}

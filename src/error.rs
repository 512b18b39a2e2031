//! The one error type of the library. Every variant carries ArangoDB's error
//! number (`lib/Basics/errors.dat`) and renders ArangoDB's message text, so a
//! driver that matches on numbers or messages sees what a server would send.

use std::fmt;

/// A hard failure: the query (or the catalog) cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// 1501 — the text does not parse. `message` is the full ArangoDB text:
    /// `syntax error, unexpected …, expecting … near '…' at position L:C`.
    Syntax {
        message: String,
        line: usize,
        column: usize,
    },
    /// 1502 — the query string is empty or only whitespace/comments.
    QueryEmpty,
    /// 1504 — a number outside what AQL accepts there: an integer literal
    /// beyond 64 bits, a negative or non-constant LIMIT. Carries
    /// ArangoDB's message for the case.
    NumberOutOfRange(String),
    /// 1510 — a user variable whose name starts with `_` (reserved for
    /// the query's temporaries).
    VariableNameInvalid(String),
    /// 1511 — a variable declared while one of that name is visible.
    VariableRedeclared(String),
    /// 1512 — a variable that is used but never declared.
    UnknownVariable(String),
    /// 1524 — nesting deeper than the parser allows.
    TooMuchNesting,
    /// 1524 — an initial plan with more execution nodes than ArangoDB
    /// accepts (4000).
    TooManyPlanNodes,
    /// 1522 — more collections in one query than ArangoDB accepts (2048).
    TooManyCollections,
    /// 1540 — a call of a function AQL does not know.
    UnknownFunction(String),
    /// 1541 — a call with the wrong number of arguments.
    InvalidArgumentCount {
        name: String,
        min: usize,
        max: usize,
    },
    /// 1551 — a bind parameter used in the query but not given.
    BindParameterMissing(String),
    /// 1552 — a bind parameter given but not used in the query.
    BindParameterUndeclared(String),
    /// 1553 — a bind parameter of the wrong type (e.g. `@@c` bound to a number).
    BindParameterType(String),
    /// 1579 — reading data after modifying it in the same query. Carries
    /// what reads: `collection 'c'` or `function DOCUMENT`.
    AccessAfterModification(String),
    /// 1575 — OPTIONS that are not constant.
    CompileTimeOptions,
    /// 1574 — an AGGREGATE expression that is not one aggregate call.
    InvalidAggregateExpression,
    /// 1582 — a `NS::NAME()` call that the catalog does not register.
    UnknownUserFunction(String),
    /// 1203 — a collection or view that the catalog does not list.
    CollectionNotFound(String),
    /// 9 (not implemented) — valid AQL that aqlplan cannot plan yet
    /// (graph traversals, WINDOW, UPSERT, …).
    NotSupported(String),
    /// 32 (resource limit exceeded) — the query text or the bind
    /// parameters are larger or deeper than aqlplan accepts.
    ResourceLimit(String),
    /// 10 (bad parameter) — an explain option aqlplan does not accept,
    /// e.g. an unknown optimizer rule name.
    BadOption(String),
    /// The cluster description is broken. `path` is the JSON path of the
    /// offending field (`collections[2].numberOfShards`).
    Catalog { path: String, message: String },
}

impl Error {
    /// ArangoDB's error number (`errorNum` in an HTTP error body).
    pub fn number(&self) -> u32 {
        match self {
            Error::Syntax { .. } => 1501,
            Error::QueryEmpty => 1502,
            Error::NumberOutOfRange(_) => 1504,
            Error::VariableNameInvalid(_) => 1510,
            Error::VariableRedeclared(_) => 1511,
            Error::UnknownVariable(_) => 1512,
            Error::TooMuchNesting | Error::TooManyPlanNodes => 1524,
            Error::TooManyCollections => 1522,
            Error::UnknownFunction(_) => 1540,
            Error::InvalidArgumentCount { .. } => 1541,
            Error::BindParameterMissing(_) => 1551,
            Error::BindParameterUndeclared(_) => 1552,
            Error::BindParameterType(_) => 1553,
            Error::AccessAfterModification(_) => 1579,
            Error::InvalidAggregateExpression => 1574,
            Error::CompileTimeOptions => 1575,
            Error::UnknownUserFunction(_) => 1582,
            Error::CollectionNotFound(_) => 1203,
            Error::NotSupported(_) => 9,
            Error::ResourceLimit(_) => 32,
            Error::BadOption(_) => 10,
            Error::Catalog { .. } => 10,
        }
    }

    /// The HTTP status ArangoDB answers with for this error
    /// (`GeneralResponse::responseCode`: numbers it does not list are 500).
    pub fn http_code(&self) -> u16 {
        match self {
            Error::CollectionNotFound(_) | Error::UnknownUserFunction(_) => 404,
            Error::NotSupported(_) => 501,
            Error::TooMuchNesting
            | Error::TooManyPlanNodes
            | Error::InvalidAggregateExpression
            | Error::ResourceLimit(_) => 500,
            _ => 400,
        }
    }

    /// The query phase ArangoDB's explain is in when it raises this error
    /// (`QueryExecutionState`, appended to the HTTP message as
    /// ` (while …)`); `None` for errors outside a query (options, catalog).
    pub fn phase(&self) -> Option<&'static str> {
        match self {
            Error::Syntax { .. }
            | Error::QueryEmpty
            | Error::VariableNameInvalid(_)
            | Error::VariableRedeclared(_)
            | Error::UnknownVariable(_)
            | Error::TooMuchNesting
            | Error::TooManyCollections
            | Error::UnknownFunction(_)
            | Error::InvalidArgumentCount { .. }
            | Error::BindParameterMissing(_)
            | Error::BindParameterUndeclared(_)
            | Error::BindParameterType(_)
            | Error::UnknownUserFunction(_)
            | Error::CollectionNotFound(_)
            | Error::InvalidAggregateExpression
            | Error::CompileTimeOptions => Some("parsing"),
            // Ast::validateAndOptimize runs in this state during explain.
            Error::AccessAfterModification(_) => Some("loading collections"),
            Error::NumberOutOfRange(_) | Error::NotSupported(_) | Error::TooManyPlanNodes => {
                Some("instantiating plan")
            }
            Error::ResourceLimit(_) | Error::BadOption(_) | Error::Catalog { .. } => None,
        }
    }

    /// ArangoDB's HTTP error body for this error, as `POST /_api/explain`
    /// answers it.
    pub fn http_body(&self) -> serde_json::Value {
        let message = match self.phase() {
            Some(phase) => format!("{self} (while {phase})"),
            None => self.to_string(),
        };
        serde_json::json!({
            "error": true,
            "code": self.http_code(),
            "errorNum": self.number(),
            "errorMessage": message,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax { message, .. } => f.write_str(message),
            Error::QueryEmpty => f.write_str("query is empty"),
            Error::NumberOutOfRange(m) => f.write_str(m),
            Error::VariableNameInvalid(v) => write!(f, "variable name '{v}' has an invalid format"),
            Error::VariableRedeclared(v) => {
                write!(f, "variable '{v}' is assigned multiple times")
            }
            Error::UnknownVariable(v) => write!(f, "unknown variable '{v}'"),
            Error::TooMuchNesting | Error::TooManyPlanNodes => {
                f.write_str("too much nesting or too many objects")
            }
            Error::TooManyCollections => f.write_str("too many collections/shards"),
            Error::UnknownFunction(n) => write!(f, "usage of unknown function '{n}()'"),
            Error::InvalidArgumentCount { name, min, max } => write!(
                f,
                "invalid number of arguments for function '{name}()', expected number of arguments: minimum: {min}, maximum: {max}"
            ),
            Error::BindParameterMissing(p) => write!(f, "no value specified for declared bind parameter '{p}'"),
            Error::BindParameterUndeclared(p) => write!(f, "bind parameter '{p}' was not declared in the query"),
            Error::BindParameterType(p) => write!(f, "bind parameter '{p}' has an invalid value or type"),
            Error::AccessAfterModification(what) => {
                write!(f, "access after data-modification by {what}")
            }
            Error::InvalidAggregateExpression => f.write_str("invalid aggregate expression"),
            Error::CompileTimeOptions => {
                f.write_str("query options must be readable at query compile time")
            }
            Error::UnknownUserFunction(n) => write!(f, "user function '{n}()' not found"),
            Error::CollectionNotFound(c) => write!(f, "collection or view not found: {c}"),
            Error::NotSupported(what) => write!(f, "not implemented: aqlplan cannot plan {what} yet"),
            Error::ResourceLimit(what) => write!(f, "resource limit exceeded: {what}"),
            Error::BadOption(m) => f.write_str(m),
            Error::Catalog { path, message } => write!(f, "catalog: {path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

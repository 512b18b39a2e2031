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
    /// 1504 — a number literal that does not fit.
    NumberOutOfRange(String),
    /// 1510 — a variable name that AQL reserves (e.g. declaring `CURRENT`).
    VariableNameInvalid(String),
    /// 1511 — a variable declared twice in the same scope.
    VariableRedeclared(String),
    /// 1512 — a variable that is used but never declared.
    UnknownVariable(String),
    /// 1524 — nesting deeper than the parser allows.
    TooMuchNesting,
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
    /// 1579 — reading a collection after modifying it in the same query.
    AccessAfterModification(String),
    /// 1582 — a `NS::NAME()` call that the catalog does not register.
    UnknownUserFunction(String),
    /// 1203 — a collection or view that the catalog does not list.
    CollectionNotFound(String),
    /// 1521 — a collection/view named where a non-data-source is needed or
    /// a query construct aqlplan cannot plan yet (1521 is the closest
    /// ArangoDB number for a feature outside the implemented subset).
    NotSupported(String),
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
            Error::TooMuchNesting => 1524,
            Error::UnknownFunction(_) => 1540,
            Error::InvalidArgumentCount { .. } => 1541,
            Error::BindParameterMissing(_) => 1551,
            Error::BindParameterUndeclared(_) => 1552,
            Error::BindParameterType(_) => 1553,
            Error::AccessAfterModification(_) => 1579,
            Error::UnknownUserFunction(_) => 1582,
            Error::CollectionNotFound(_) => 1203,
            Error::NotSupported(_) => 1521,
            Error::BadOption(_) => 10,
            Error::Catalog { .. } => 10,
        }
    }

    /// The HTTP status ArangoDB answers with for this error.
    pub fn http_code(&self) -> u16 {
        match self {
            Error::CollectionNotFound(_) | Error::UnknownUserFunction(_) => 404,
            _ => 400,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax { message, .. } => f.write_str(message),
            Error::QueryEmpty => f.write_str("query is empty"),
            Error::NumberOutOfRange(n) => write!(f, "number out of range near '{n}'"),
            Error::VariableNameInvalid(v) => write!(f, "variable name '{v}' has an invalid format"),
            Error::VariableRedeclared(v) => {
                write!(f, "variable '{v}' is assigned multiple times")
            }
            Error::UnknownVariable(v) => write!(f, "unknown variable '{v}'"),
            Error::TooMuchNesting => f.write_str("too much nesting or too many objects"),
            Error::UnknownFunction(n) => write!(f, "usage of unknown function '{n}()'"),
            Error::InvalidArgumentCount { name, min, max } => write!(
                f,
                "invalid number of arguments for function '{name}()', expected number of arguments: minimum: {min}, maximum: {max}"
            ),
            Error::BindParameterMissing(p) => write!(f, "no value specified for declared bind parameter '{p}'"),
            Error::BindParameterUndeclared(p) => write!(f, "bind parameter '{p}' was not declared in the query"),
            Error::BindParameterType(p) => write!(f, "bind parameter '{p}' has an invalid value or type"),
            Error::AccessAfterModification(c) => write!(
                f,
                "access after data-modification by traversal/AQL function/document read of collection '{c}'"
            ),
            Error::UnknownUserFunction(n) => write!(f, "user function '{n}()' not found"),
            Error::CollectionNotFound(c) => write!(f, "collection or view not found: {c}"),
            Error::NotSupported(what) => write!(f, "not supported yet: {what}"),
            Error::BadOption(m) => f.write_str(m),
            Error::Catalog { path, message } => write!(f, "catalog: {path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

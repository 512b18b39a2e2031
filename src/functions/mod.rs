//! The AQL function registry: every built-in function with its argument
//! counts and the flags the optimizer and OneShard decisions read.

mod table;

use crate::error::{Error, Result};

/// Function properties, as ArangoDB's function registry declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(u16);

impl Flags {
    pub const NONE: Flags = Flags(0);
    /// Same arguments, same result.
    pub const DETERMINISTIC: Flags = Flags(1);
    /// The query result may be cached when only such functions are used.
    pub const CACHEABLE: Flags = Flags(1 << 1);
    /// May run on a DB-Server in a sharded (non-OneShard) cluster.
    pub const CLUSTER: Flags = Flags(1 << 2);
    /// May run on the DB-Server of a OneShard database.
    pub const ONE_SHARD: Flags = Flags(1 << 3);
    /// Reads documents from collections (e.g. `DOCUMENT`).
    pub const READS_DOCUMENTS: Flags = Flags(1 << 4);
    /// Never evaluated at plan time (`NOOPT`, `NOEVAL`).
    pub const NO_EVAL: Flags = Flags(1 << 5);
    /// Internal: not callable from user queries.
    pub const INTERNAL: Flags = Flags(1 << 6);
    /// Usable in ArangoSearch analyzers.
    pub const ANALYZER: Flags = Flags(1 << 7);
    /// Implemented in JavaScript only (`Uses V8` in the functions table).
    pub const V8: Flags = Flags(1 << 8);
    /// What most functions have: deterministic, cacheable, runs anywhere.
    pub const DEFAULT: Flags = Flags(1 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 7);

    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        self.union(rhs)
    }
}

/// Unlimited maximum argument count.
pub const MANY: u8 = u8::MAX;

/// One built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    /// Upper-case name, as ArangoDB prints it.
    pub name: &'static str,
    pub min_args: u8,
    /// `MANY` for variadic functions.
    pub max_args: u8,
    pub flags: Flags,
}

impl Function {
    pub fn is_deterministic(&self) -> bool {
        self.flags.contains(Flags::DETERMINISTIC)
    }
    pub fn is_cacheable(&self) -> bool {
        self.flags.contains(Flags::CACHEABLE)
    }
    pub fn uses_v8(&self) -> bool {
        self.flags.contains(Flags::V8)
    }
    /// Whether a calculation calling this may run on a DB-Server.
    pub fn runs_on_db_server(&self, one_shard: bool) -> bool {
        self.flags.contains(if one_shard {
            Flags::ONE_SHARD
        } else {
            Flags::CLUSTER
        })
    }
}

/// Looks a function up by name, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static Function> {
    let upper = name.to_ascii_uppercase();
    table::FUNCTIONS
        .binary_search_by(|f| f.name.cmp(upper.as_str()))
        .ok()
        .map(|i| &table::FUNCTIONS[i])
}

/// Resolves a user-visible call: unknown names are error 1540, internal
/// functions are not callable, and the argument count must fit (1541).
pub fn resolve_call(name: &str, arg_count: usize) -> Result<&'static Function> {
    let function = lookup(name)
        .filter(|f| !f.flags.contains(Flags::INTERNAL))
        .ok_or_else(|| Error::UnknownFunction(name.to_ascii_uppercase()))?;
    let max = if function.max_args == MANY {
        usize::MAX
    } else {
        usize::from(function.max_args)
    };
    if arg_count < usize::from(function.min_args) || arg_count > max {
        return Err(Error::InvalidArgumentCount {
            name: function.name.to_string(),
            min: usize::from(function.min_args),
            max: if function.max_args == MANY { 65536 } else { max },
        });
    }
    Ok(function)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique_for_binary_search() {
        for pair in table::FUNCTIONS.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} before {}", pair[0].name, pair[1].name);
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(lookup("length").map(|f| f.name), Some("LENGTH"));
    }
}

//! PLACEHOLDER — being filled in from ArangoDB's function registry.
use super::{Flags, Function, MANY};

pub(super) static FUNCTIONS: &[Function] = &[
    Function { name: "LENGTH", min_args: 1, max_args: 1, flags: Flags::DEFAULT },
    Function { name: "SLEEP", min_args: 1, max_args: 1, flags: Flags::CLUSTER.union(Flags::ONE_SHARD) },
];
#[allow(dead_code)]
const _: u8 = MANY;

//! Grammar-shaped queries with generated catalogs, bind parameters, rule
//! selections and versions: the input bytes drive the generator's choices
//! (non-strict, so a share of the queries is deliberately invalid).
#![no_main]

use aqlplan::optimizer::RuleSelection;
use aqlplan::{Catalog, Options};
use aqlplan_fuzz::exercise;
use aqlplan_fuzz::querygen::{Bytes, Gen};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let strict = data.first().is_some_and(|b| b & 1 == 0);
    let case = Gen::new(Bytes::new(data.get(1..).unwrap_or(&[])), strict).case();
    let Ok(catalog) = Catalog::from_json(&case.catalog) else {
        return;
    };
    let Ok(rules) = RuleSelection::parse(&case.rules) else {
        return;
    };
    let options = Options {
        compat: case.compat.parse().expect("listed versions parse"),
        bind: case.bind.into_iter().collect(),
        rules,
        ..Options::default()
    };
    exercise(&catalog, &case.query, &options);
});

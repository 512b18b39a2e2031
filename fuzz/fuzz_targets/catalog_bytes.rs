//! Arbitrary bytes as a cluster description, then a few fixed queries
//! against whatever it describes.
#![no_main]

use aqlplan::{Catalog, Options};
use aqlplan_fuzz::exercise;
use libfuzzer_sys::fuzz_target;

const QUERIES: &[&str] = &[
    "FOR d IN c0 FILTER d.value == 1 SORT d.a LIMIT 3 RETURN d",
    "FOR a IN c0 FOR b IN c1 FILTER a._key == b.x COLLECT k = a.a WITH COUNT INTO n RETURN [k, n]",
    "FOR d IN c0 UPDATE d WITH {x: 1} IN c1 RETURN NEW",
    "LET s = (FOR d IN c1 RETURN d.value) RETURN s",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(catalog) = Catalog::from_json_text(text) else {
        return;
    };
    for query in QUERIES {
        exercise(&catalog, query, &Options::default());
    }
});

//! AQL printer (placeholder while the parser is being finished).

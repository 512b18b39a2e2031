//! PLACEHOLDER — AQL printer.

//! A streaming writer of pretty-printed JSON for the renderers: members
//! come out in the order they are written (the order ArangoDB emits them
//! in), two-space indented as `"key": value`, empty containers as `[]` and
//! `{}`, and doubles as ArangoDB's VelocyPack dumper prints them. Writing
//! straight into one buffer spares the renderer a tree of values.

use crate::value::{write_int, write_js_number, write_json_string};

pub(crate) struct JsonWriter {
    out: String,
    /// A newline and the indentation of the current depth.
    line_start: String,
    /// Whether the innermost open container has no member yet.
    empty: bool,
}

impl JsonWriter {
    /// A writer whose buffer starts with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> JsonWriter {
        JsonWriter {
            out: String::with_capacity(capacity),
            line_start: String::from("\n"),
            empty: true,
        }
    }

    /// The text written so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// An object whose members `body` writes with [`Self::key`].
    pub(crate) fn object(&mut self, body: impl FnOnce(&mut Self)) {
        self.open('{');
        body(self);
        self.close('}');
    }

    /// An array whose elements `body` writes with [`Self::item`].
    pub(crate) fn array(&mut self, body: impl FnOnce(&mut Self)) {
        self.open('[');
        body(self);
        self.close(']');
    }

    /// An array of strings.
    pub(crate) fn strings<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) {
        self.array(|w| {
            for s in items {
                w.item().str(s);
            }
        });
    }

    /// A member whose value is the array `body` writes, left out when
    /// `body` writes no element.
    pub(crate) fn nonempty_array(&mut self, key: &'static str, body: impl FnOnce(&mut Self)) {
        let mark = self.out.len();
        let was_empty = self.empty;
        self.key(key);
        self.open('[');
        body(self);
        if self.empty {
            self.out.truncate(mark);
            self.dedent();
            self.empty = was_empty;
        } else {
            self.close(']');
        }
    }

    /// Starts an object member named by the renderer (ArangoDB's
    /// attribute names need no escaping); its value is written next.
    pub(crate) fn key(&mut self, key: &'static str) -> &mut Self {
        debug_assert!(!key.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
        self.separator();
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\": ");
        self
    }

    /// Starts an object member whose name comes from the query (escaped).
    pub(crate) fn data_key(&mut self, key: &str) -> &mut Self {
        self.separator();
        let _ = write_json_string(&mut self.out, key);
        self.out.push_str(": ");
        self
    }

    /// Starts an array element; its value is written next.
    pub(crate) fn item(&mut self) -> &mut Self {
        self.separator();
        self
    }

    pub(crate) fn null(&mut self) {
        self.out.push_str("null");
    }

    pub(crate) fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    pub(crate) fn int(&mut self, i: i64) {
        write_int(&mut self.out, i);
    }

    /// Counts and ids; saturates at `i64::MAX` (no count gets near it).
    pub(crate) fn uint(&mut self, n: impl TryInto<i64>) {
        self.int(n.try_into().unwrap_or(i64::MAX));
    }

    /// A double: integral values print without a fraction (`22`), others
    /// with the shortest digits that read back the same value.
    pub(crate) fn number(&mut self, x: f64) {
        write_js_number(&mut self.out, x);
    }

    pub(crate) fn str(&mut self, s: &str) {
        let _ = write_json_string(&mut self.out, s);
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.line_start.push_str("  ");
        self.empty = true;
    }

    fn close(&mut self, bracket: char) {
        self.dedent();
        if !self.empty {
            self.out.push_str(&self.line_start);
        }
        self.out.push(bracket);
        // The enclosing container has this one as a member.
        self.empty = false;
    }

    /// Back to the enclosing container's indentation.
    fn dedent(&mut self) {
        let depth_indent = self.line_start.len().saturating_sub(2).max(1);
        self.line_start.truncate(depth_indent);
    }

    fn separator(&mut self) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push_str(&self.line_start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_their_order_and_numbers_print_like_arangodb() {
        let mut w = JsonWriter::with_capacity(64);
        w.object(|w| {
            w.key("b").number(22.0);
            w.key("a").number(4.3719280948873624);
            w.key("e").array(|_| {});
        });
        assert_eq!(
            w.finish(),
            "{\n  \"b\": 22,\n  \"a\": 4.3719280948873624,\n  \"e\": []\n}"
        );
    }

    #[test]
    fn nesting_indents_by_two_spaces() {
        let mut w = JsonWriter::with_capacity(64);
        w.array(|w| w.item().object(|w| w.key("x").null()));
        assert_eq!(w.finish(), "[\n  {\n    \"x\": null\n  }\n]");
    }

    #[test]
    fn an_empty_nonempty_array_member_is_left_out() {
        let mut w = JsonWriter::with_capacity(64);
        w.object(|w| {
            w.key("a").int(1);
            w.nonempty_array("none", |_| {});
            w.nonempty_array("some", |w| w.item().int(2));
        });
        assert_eq!(w.finish(), "{\n  \"a\": 1,\n  \"some\": [\n    2\n  ]\n}");
        let mut w = JsonWriter::with_capacity(64);
        w.object(|w| w.nonempty_array("none", |_| {}));
        assert_eq!(w.finish(), "{}");
    }

    #[test]
    fn strings_are_escaped_as_javascript_does() {
        let mut w = JsonWriter::with_capacity(64);
        w.str("a\"b\\c\n\u{1}é/");
        assert_eq!(w.finish(), "\"a\\\"b\\\\c\\n\\u0001é/\"");
    }

    #[test]
    fn deep_nesting_indents_past_the_space_table() {
        fn nest(w: &mut JsonWriter, depth: usize) {
            if depth == 0 {
                w.int(1);
            } else {
                w.array(|w| nest(w.item(), depth - 1));
            }
        }
        let mut w = JsonWriter::with_capacity(64);
        nest(&mut w, 40);
        let text = w.finish();
        assert!(text.contains(&format!("\n{}1\n", " ".repeat(80))));
    }
}

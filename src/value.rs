//! Constant AQL values, and the JavaScript-compatible text forms the
//! explainer prints them in (`JSON.stringify` of a JS value).

use std::fmt::{self, Write};

/// A constant: a literal, a bind parameter value, or a folded expression.
/// Objects keep their members in the order they were written.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// Converts a bind parameter value.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::Array(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Double(d) => serde_json::Number::from_f64(*d)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Double(d) => Some(*d),
            _ => None,
        }
    }

    /// AQL truthiness (`null`, `false`, `0`, `""` are false; arrays and
    /// objects are always true).
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Double(d) => *d != 0.0 && !d.is_nan(),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        }
    }

    /// AQL's numeric conversion (`TO_NUMBER`), used when folding arithmetic.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Int(i) => *i as f64,
            Value::Double(d) => *d,
            Value::String(s) => {
                let t = s.trim();
                if t.is_empty() {
                    0.0
                } else {
                    t.parse().unwrap_or(0.0)
                }
            }
            Value::Array(items) => match items.as_slice() {
                [] => 0.0,
                [only] => only.to_number(),
                _ => 0.0,
            },
            Value::Object(_) => 0.0,
        }
    }

    /// Type rank used by AQL's comparison (null < bool < number < string
    /// < array < object).
    fn type_rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Double(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }

    /// AQL's total order on values.
    pub fn compare(&self, other: &Value) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let (ra, rb) = (self.type_rank(), other.type_rank());
        if ra != rb {
            return ra.cmp(&rb);
        }
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Array(a), Value::Array(b)) => {
                for i in 0..a.len().max(b.len()) {
                    let x = a.get(i).unwrap_or(&Value::Null);
                    let y = b.get(i).unwrap_or(&Value::Null);
                    let c = x.compare(y);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                Ordering::Equal
            }
            (Value::Object(a), Value::Object(b)) => {
                let mut keys: Vec<&String> = a.iter().chain(b.iter()).map(|(k, _)| k).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let x = a
                        .iter()
                        .find(|(n, _)| n == k)
                        .map_or(&Value::Null, |(_, v)| v);
                    let y = b
                        .iter()
                        .find(|(n, _)| n == k)
                        .map_or(&Value::Null, |(_, v)| v);
                    let c = x.compare(y);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                Ordering::Equal
            }
            _ => {
                let (x, y) = (self.to_number(), other.to_number());
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
        }
    }
}

/// `JSON.stringify` of the value, as the explainer prints it. Object
/// members appear in JavaScript key order: integer-like keys ascending
/// first, then the rest in insertion order.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Double(d) => f.write_str(&js_number(*d)),
            Value::String(s) => write_json_string(f, s),
            Value::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(']')
            }
            Value::Object(members) => {
                f.write_char('{')?;
                for (i, (k, v)) in js_key_order(members).into_iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write_json_string(f, k)?;
                    write!(f, ":{v}")?;
                }
                f.write_char('}')
            }
        }
    }
}

/// Members in the order a JavaScript object enumerates them.
pub fn js_key_order(members: &[(String, Value)]) -> Vec<(&str, &Value)> {
    let is_index = |k: &str| {
        !k.is_empty()
            && k.bytes().all(|b| b.is_ascii_digit())
            && (k == "0" || !k.starts_with('0'))
            && k.parse::<u32>().is_ok_and(|n| n < u32::MAX)
    };
    let mut indexed: Vec<(&str, &Value)> = Vec::new();
    let mut named: Vec<(&str, &Value)> = Vec::new();
    for (k, v) in members {
        let slot = if is_index(k) {
            &mut indexed
        } else {
            &mut named
        };
        // A later duplicate key overwrites the value but keeps the position.
        match slot.iter_mut().find(|(n, _)| *n == k.as_str()) {
            Some(entry) => entry.1 = v,
            None => slot.push((k.as_str(), v)),
        }
    }
    indexed.sort_by_key(|(k, _)| k.parse::<u32>().unwrap_or(0));
    indexed.extend(named);
    indexed
}

/// A JSON string literal with JavaScript's escaping: `"` `\` and control
/// characters are escaped; `/` and non-ASCII characters are not.
pub fn write_json_string(out: &mut impl Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    // Runs without anything to escape are copied whole.
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.write_str(&s[run_start..i])?;
        run_start = i + 1;
        match b {
            b'"' => out.write_str("\\\"")?,
            b'\\' => out.write_str("\\\\")?,
            0x08 => out.write_str("\\b")?,
            0x0c => out.write_str("\\f")?,
            b'\n' => out.write_str("\\n")?,
            b'\r' => out.write_str("\\r")?,
            b'\t' => out.write_str("\\t")?,
            _ => write!(out, "\\u{:04x}", b)?,
        }
    }
    out.write_str(&s[run_start..])?;
    out.write_char('"')
}

/// JavaScript's Number-to-String: shortest round-trip digits, plain
/// notation for exponents in [-7, 21), `1e+21` style beyond, `-0` as `0`,
/// non-finite numbers as `null` (as JSON would).
pub fn js_number(x: f64) -> String {
    let mut out = String::new();
    write_js_number(&mut out, x);
    out
}

/// An integer's decimal digits, appended to `out` (without the
/// formatting machinery of `write!`).
pub fn write_int(out: &mut String, i: i64) {
    if i < 0 {
        out.push('-');
    }
    write_uint(out, i.unsigned_abs());
}

/// [`write_int`] of an unsigned integer.
pub fn write_uint(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut n = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

/// A small stack buffer for `{:e}` of one double.
struct ShortText {
    bytes: [u8; 40],
    len: usize,
}

impl Write for ShortText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// [`js_number`], appended to `out`.
pub fn write_js_number(out: &mut String, x: f64) {
    /// Below 2^53 every integer is a double, and its shortest round-trip
    /// digits are its own.
    const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    if x == 0.0 {
        out.push('0');
        return;
    }
    if x.fract() == 0.0 && x.abs() < EXACT_INTEGERS {
        write_int(out, x as i64);
        return;
    }
    // Where JavaScript prints no exponent, Rust's `Display` prints the
    // same shortest round-trip digits the same way.
    if (1e-6..1e21).contains(&x.abs()) {
        let _ = write!(out, "{x}");
        return;
    }
    // `{:e}` yields the shortest round-trip digits: "1.2345e3" (at most
    // 17 digits, a point and a three-digit exponent).
    let mut sci = ShortText {
        bytes: [0; 40],
        len: 0,
    };
    let mut digit_bytes = [0u8; 24];
    let mut k = 0usize;
    let mut exponent = 0i32;
    if write!(sci, "{:e}", x.abs()).is_ok() {
        let text = std::str::from_utf8(&sci.bytes[..sci.len]).unwrap_or("0");
        let (mantissa, e) = text.split_once('e').unwrap_or((text, "0"));
        exponent = e.parse().unwrap_or(0);
        for b in mantissa.bytes().filter(u8::is_ascii_digit) {
            if let Some(slot) = digit_bytes.get_mut(k) {
                *slot = b;
                k += 1;
            }
        }
    }
    let digits = std::str::from_utf8(&digit_bytes[..k]).unwrap_or("0");
    let k = k as i32;
    let n = exponent + 1; // position of the decimal point relative to the digits
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        write_int(out, i64::from((n - 1).abs()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(js_number(2.0), "2");
        assert_eq!(js_number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(js_number(1e21), "1e+21");
        assert_eq!(js_number(1e20), "100000000000000000000");
        assert_eq!(js_number(1e-7), "1e-7");
        assert_eq!(js_number(0.000001), "0.000001");
        assert_eq!(js_number(-1.5), "-1.5");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(155379.1237954945), "155379.1237954945");
        assert_eq!(js_number(4.3719280948873624), "4.3719280948873624");
        assert_eq!(js_number(9.99e-7), "9.99e-7");
        assert_eq!(js_number(-0.0000015), "-0.0000015");
        assert_eq!(js_number(123456789012345680000.5), "123456789012345680000");
        assert_eq!(js_number(1.5e300), "1.5e+300");
        assert_eq!(js_number(f64::NAN), "null");
        // Integers print digit for digit below 2^53, shortest digits above.
        assert_eq!(js_number(9007199254740991.0), "9007199254740991");
        assert_eq!(js_number(-4096.0), "-4096");
        assert_eq!(js_number(2f64.powi(60)), "1152921504606847000");
        let mut s = String::new();
        write_int(&mut s, i64::MIN);
        write_uint(&mut s, u64::MAX);
        assert_eq!(s, "-922337203685477580818446744073709551615");
    }

    #[test]
    fn strings_escape_like_json_stringify() {
        let v = Value::String("a\"b\\c\n/\u{1}é".into());
        assert_eq!(v.to_string(), r#""a\"b\\c\n/\u0001é""#);
    }

    #[test]
    fn object_keys_follow_javascript_order() {
        let v = Value::Object(vec![
            ("b".into(), Value::Int(1)),
            ("2".into(), Value::Int(2)),
            ("a".into(), Value::Int(3)),
            ("1".into(), Value::Int(4)),
        ]);
        assert_eq!(v.to_string(), r#"{"1":4,"2":2,"b":1,"a":3}"#);
    }
}

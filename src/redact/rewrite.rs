//! The second pass: writes the document again with every string value replaced. Strings
//! that only values use are replaced where they stand; a value that is also a name (the
//! string `"password"` and the property `password`) keeps its text for the name, and its
//! string nodes are pointed at a placeholder appended to the table. Everything else is copied
//! as written.

use super::Fail;
use super::json::{JsonReader, Sink};
use super::marks::Marks;
use super::usage::{Usage, records};
use std::io::{Read, Write};

/// The text that replaces string #`i`: distinct values stay distinct and equal ones equal, so
/// DevTools' and heapdive's duplicate-string views still group them.
pub fn placeholder(i: u32) -> String {
    format!("<redacted #{i}>")
}

/// Which strings change and where the appended placeholders go.
pub(crate) struct Plan<'u> {
    pub usage: &'u Usage,
    /// Values that are also names: their nodes move to `string_count + rank`.
    pub shared: Marks,
}

impl<'u> Plan<'u> {
    pub fn new(usage: &'u Usage) -> Self {
        let mut shared = usage.values.and(&usage.names);
        shared.build_ranks();
        Plan { usage, shared }
    }

    /// The name index a value node gets in the copy.
    fn value_name(&self, name: u32) -> u32 {
        if self.shared.get(name) {
            self.usage.string_count + self.shared.rank(name)
        } else {
            name
        }
    }
}

/// Rewrites the whole document from `r` into `out`.
pub(crate) fn rewrite(
    r: &mut JsonReader<impl Read>,
    out: &mut dyn Write,
    plan: &Plan<'_>,
) -> Result<(), Fail> {
    let mut sink: Sink<'_> = Some(out);
    super::members(r, &mut sink, |key, r, out| match key {
        "nodes" => rewrite_nodes(r, out, plan),
        "strings" => rewrite_strings(r, out, plan),
        _ => r.copy_value(out),
    })
}

fn rewrite_nodes(
    r: &mut JsonReader<impl Read>,
    out: &mut Sink<'_>,
    plan: &Plan<'_>,
) -> Result<(), Fail> {
    let l = &plan.usage.layout;
    let mut text = Vec::with_capacity(1 << 20);
    let mut first = true;
    text.push(b'[');
    let flush = |text: &mut Vec<u8>, out: &mut Sink<'_>| -> Result<(), Fail> {
        if let Some(w) = out {
            w.write_all(text).map_err(Fail::Write)?;
        }
        text.clear();
        Ok(())
    };
    records(r, "nodes", l.node_fields, |rec| {
        if !first {
            text.extend_from_slice(b"\n,");
        }
        first = false;
        let is_value = l
            .value_kind
            .get(rec[l.n_type] as usize)
            .copied()
            .flatten()
            .is_some();
        for (k, &v) in rec.iter().enumerate() {
            if k > 0 {
                text.push(b',');
            }
            let v = if k == l.n_name && is_value {
                plan.value_name(v)
            } else {
                v
            };
            crate::util::push_decimal(&mut text, v as u64);
        }
        if text.len() >= 1 << 20 {
            flush(&mut text, out)?;
        }
        Ok(())
    })?;
    text.push(b']');
    flush(&mut text, out)
}

fn write(out: &mut Sink<'_>, bytes: &[u8]) -> Result<(), Fail> {
    match out {
        Some(w) => w.write_all(bytes).map_err(Fail::Write),
        None => Ok(()),
    }
}

fn rewrite_strings(
    r: &mut JsonReader<impl Read>,
    out: &mut Sink<'_>,
    plan: &Plan<'_>,
) -> Result<(), Fail> {
    let names = &plan.usage.names;
    r.expect(b'[', "'[' to open strings")?;
    write(out, b"[")?;
    let mut i = 0u32;
    if r.peek()? != Some(b']') {
        loop {
            if i > 0 {
                write(out, b",\n")?;
            }
            if names.get(i) {
                r.copy_string(out)?;
            } else {
                // A value, or a string nothing refers to: either way not a name to keep.
                r.copy_string(&mut None)?;
                write(out, format!("\"{}\"", placeholder(i)).as_bytes())?;
            }
            i += 1;
            if !r.comma_or(b']', "strings")? {
                break;
            }
        }
    } else {
        r.expect(b']', "']'")?;
    }
    if i != plan.usage.string_count {
        return Err(r.bad("the strings changed between the two passes"));
    }
    for s in plan.shared.iter() {
        write(out, format!(",\n\"{}\"", placeholder(s)).as_bytes())?;
    }
    write(out, b"]")
}

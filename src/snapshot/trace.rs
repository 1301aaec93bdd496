//! Allocation traces: what a snapshot taken with allocation tracking adds (the functions
//! that allocated, the tree of their call stacks, each object's place in it; see
//! `trace_node_id` in the node columns) and the timeline samples. Kept flat like the rest:
//! one column per field, trace nodes in preorder with their parent's index.

use super::error::RawError;
use super::header::{Header, field};
use super::lexer::{Lexer, Source};

/// The parent of a trace tree's root.
pub const NO_PARENT: u32 = u32::MAX;

/// Functions and the tree of allocation stacks, as V8 wrote them.
#[derive(Default, Debug)]
pub struct AllocationTrace {
    /// Per function (`trace_function_infos`, in file order): names are string indexes;
    /// lines and columns are 1-based, 0 where unknown.
    pub function_id: Vec<u32>,
    pub function_name: Vec<u32>,
    pub function_script_name: Vec<u32>,
    pub function_script_id: Vec<u32>,
    pub function_line: Vec<u32>,
    pub function_column: Vec<u32>,
    /// Per trace node, in preorder: its id (what objects' `trace_node_id` holds), its
    /// function, what it allocated itself (count, bytes: 32-bit in V8 too) and its parent
    /// ([`NO_PARENT`] for a root).
    pub node_id: Vec<u32>,
    pub node_function: Vec<u32>,
    pub node_count: Vec<u32>,
    pub node_size: Vec<u32>,
    pub node_parent: Vec<u32>,
    /// One past the last trace node of each node's subtree (preorder keeps a subtree
    /// contiguous), so children are walked without a child list.
    pub node_end: Vec<u32>,
    /// (trace node id, trace node index), sorted by id.
    by_id: Vec<(u32, u32)>,
}

/// The allocation timeline's samples (`samples`: when each batch of ids was handed out).
#[derive(Default, Debug, Clone)]
pub struct Samples {
    pub timestamp_us: Vec<u64>,
    /// The highest object id assigned when the sample was taken (ascending).
    pub last_assigned_id: Vec<u32>,
}

impl AllocationTrace {
    pub fn function_count(&self) -> usize {
        self.function_name.len()
    }

    pub fn node_count(&self) -> usize {
        self.node_id.len()
    }

    /// The trace node with this id.
    pub fn index_of_id(&self, id: u32) -> Option<u32> {
        self.by_id
            .binary_search_by_key(&id, |&(i, _)| i)
            .ok()
            .map(|k| self.by_id[k].1)
    }

    /// The children of trace node `t`, in file order.
    pub fn children(&self, t: u32) -> impl Iterator<Item = u32> + '_ {
        let end = self.node_end[t as usize];
        let mut next = t + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let c = next;
            next = self.node_end[c as usize];
            Some(c)
        })
    }

    /// The roots of the tree (V8 writes one).
    pub fn roots(&self) -> impl Iterator<Item = u32> + '_ {
        let n = self.node_count() as u32;
        let mut next = 0;
        std::iter::from_fn(move || {
            if next >= n {
                return None;
            }
            let c = next;
            next = self.node_end[c as usize];
            Some(c)
        })
    }

    /// Trace node `t` and its callers up to the root, innermost first.
    pub fn stack(&self, t: u32) -> impl Iterator<Item = u32> + '_ {
        let mut at = t;
        std::iter::from_fn(move || {
            if at == NO_PARENT {
                return None;
            }
            let c = at;
            at = self.node_parent[c as usize];
            Some(c)
        })
    }

    fn push_node(&mut self, parent: u32) -> u32 {
        self.node_id.push(0);
        self.node_function.push(0);
        self.node_count.push(0);
        self.node_size.push(0);
        self.node_parent.push(parent);
        (self.node_id.len() - 1) as u32
    }
}

/// Where each needed field sits in the trace records; present only when the header says
/// allocations were tracked (`trace_function_count` > 0), as DevTools decides.
pub(super) struct TraceLayout {
    fi_fields: usize,
    fi_id: usize,
    fi_name: usize,
    fi_script_name: usize,
    fi_script_id: usize,
    fi_line: usize,
    fi_column: usize,
    tn_fields: usize,
    tn_id: usize,
    tn_function: usize,
    tn_count: usize,
    tn_size: usize,
    tn_children: usize,
}

impl TraceLayout {
    pub(super) fn new(h: &Header) -> Result<Option<TraceLayout>, RawError> {
        if !h.trace_function_count.is_some_and(|c| c > 0.0) {
            return Ok(None);
        }
        let fi = &h.meta.trace_function_info_fields;
        let tn = &h.meta.trace_node_fields;
        let f = |name| field(fi, name, "trace_function_info_fields");
        let t = |name| field(tn, name, "trace_node_fields");
        if fi.len() > 64 || tn.len() > 64 {
            return Err(RawError::bad("snapshot.meta declares too many fields"));
        }
        Ok(Some(TraceLayout {
            fi_fields: fi.len(),
            fi_id: f("function_id")?,
            fi_name: f("name")?,
            fi_script_name: f("script_name")?,
            fi_script_id: f("script_id")?,
            fi_line: f("line")?,
            fi_column: f("column")?,
            tn_fields: tn.len(),
            tn_id: t("id")?,
            tn_function: t("function_info_index")?,
            tn_count: t("count")?,
            tn_size: t("size")?,
            tn_children: t("children")?,
        }))
    }
}

/// Where the timestamp sits in a sample (the other field is the last assigned id;
/// DevTools assumes two fields, and so does this).
pub(super) struct SampleLayout {
    time: usize,
}

impl SampleLayout {
    pub(super) fn new(h: &Header) -> Result<Option<SampleLayout>, RawError> {
        let sf = &h.meta.sample_fields;
        if sf.is_empty() {
            return Ok(None);
        }
        if sf.len() != 2 {
            return Err(RawError::bad(
                "snapshot.meta.sample_fields must name two fields",
            ));
        }
        let time = field(sf, "timestamp_us", "sample_fields")?;
        if field(sf, "last_assigned_id", "sample_fields")? == time {
            return Err(RawError::bad(
                "snapshot.meta.sample_fields must name two fields",
            ));
        }
        Ok(Some(SampleLayout { time }))
    }
}

/// What the trace members read so far hold, until the strings are there to check them.
#[derive(Default)]
pub(super) struct TraceParts {
    pub(super) layout: Option<TraceLayout>,
    pub(super) sample_layout: Option<SampleLayout>,
    raw_functions: Vec<u32>,
    trace: AllocationTrace,
    pub(super) samples: Samples,
}

/// Reads an array of unsigned integers one at a time (the trace arrays are small),
/// at most `cap` of them.
fn read_numbers(
    lx: &mut Lexer<'_, impl Source>,
    what: &str,
    cap: usize,
    mut on: impl FnMut(u64) -> Result<(), String>,
) -> Result<(), RawError> {
    lx.expect(b'[', &format!("'[' to open {what}"))?;
    if lx.peek()? == Some(b']') {
        return lx.expect(b']', "']'");
    }
    let mut n = 0usize;
    loop {
        if n >= cap {
            return Err(lx.err(format!("{what} is longer than the file allows")));
        }
        let v = lx.unsigned(what)?;
        on(v).map_err(|m| lx.err(m))?;
        n += 1;
        if !lx.comma_or(b']')? {
            return Ok(());
        }
    }
}

fn small(v: u64, what: &str) -> Result<u32, String> {
    u32::try_from(v).map_err(|_| format!("number too large in {what}"))
}

impl TraceParts {
    pub(super) fn read_functions(
        &mut self,
        lx: &mut Lexer<'_, impl Source>,
        cap: usize,
    ) -> Result<(), RawError> {
        if self.layout.is_none() {
            return lx.skip_value();
        }
        let out = &mut self.raw_functions;
        read_numbers(lx, "trace_function_infos", cap, |v| {
            out.push(small(v, "trace_function_infos")?);
            Ok(())
        })
    }

    pub(super) fn read_samples(
        &mut self,
        lx: &mut Lexer<'_, impl Source>,
        cap: usize,
    ) -> Result<(), RawError> {
        let Some(sl) = &self.sample_layout else {
            return lx.skip_value();
        };
        let mut k = 0usize;
        let s = &mut self.samples;
        read_numbers(lx, "samples", cap, |v| {
            if k % 2 == sl.time {
                s.timestamp_us.push(v);
            } else {
                s.last_assigned_id.push(small(v, "samples")?);
            }
            k += 1;
            Ok(())
        })?;
        if !k.is_multiple_of(2) {
            return Err(lx.err("samples array length is not a multiple of its fields"));
        }
        Ok(())
    }

    /// Reads the nested `trace_tree` (`[id, function, count, size, [children...]]` per
    /// node, fields in the header's order) without recursion: one open list per level.
    pub(super) fn read_tree(
        &mut self,
        lx: &mut Lexer<'_, impl Source>,
        cap: usize,
    ) -> Result<(), RawError> {
        let Some(tl) = &self.layout else {
            return lx.skip_value();
        };
        let t = &mut self.trace;
        const WHAT: &str = "trace_tree";
        lx.expect(b'[', "'[' to open trace_tree")?;
        if lx.peek()? == Some(b']') {
            return lx.expect(b']', "']'");
        }
        // Per open list: the node its records are children of, the record being read and
        // the field of it that comes next.
        let mut open: Vec<(u32, u32, usize)> = vec![(NO_PARENT, 0, 0)];
        loop {
            let Some(top) = open.last_mut() else {
                return Ok(());
            };
            if top.2 == 0 {
                if t.node_count() >= cap {
                    return Err(lx.err("trace_tree is longer than the file allows"));
                }
                top.1 = t.push_node(top.0);
            }
            let (node, f) = (top.1, top.2);
            top.2 += 1;
            if f == tl.tn_children {
                lx.expect(b'[', "'[' to open a trace node's children")?;
                if lx.peek()? != Some(b']') {
                    open.push((node, 0, 0));
                    continue;
                }
                lx.expect(b']', "']'")?;
            } else {
                let v = lx.unsigned(WHAT)?;
                let k = node as usize;
                let v32 = || small(v, WHAT).map_err(|m| lx.err(m));
                match f {
                    _ if f == tl.tn_id => t.node_id[k] = v32()?,
                    _ if f == tl.tn_function => t.node_function[k] = v32()?,
                    _ if f == tl.tn_count => t.node_count[k] = v32()?,
                    _ if f == tl.tn_size => t.node_size[k] = v32()?,
                    _ => {}
                }
            }
            close_lists(lx, &mut open, tl.tn_fields)?;
        }
    }

    /// Checks the trace against the strings and itself, and hands it out (None when the
    /// file tracked nothing).
    pub(super) fn finish(
        self,
        string_count: usize,
    ) -> Result<(Option<AllocationTrace>, Samples), RawError> {
        let TraceParts {
            layout,
            raw_functions,
            mut trace,
            samples,
            ..
        } = self;
        if samples.timestamp_us.len() != samples.last_assigned_id.len() {
            return Err(RawError::bad(
                "samples array length is not a multiple of its fields",
            ));
        }
        let Some(tl) = layout else {
            return Ok((None, samples));
        };
        if trace.node_count() == 0 {
            return Ok((None, samples));
        }
        functions_from(&tl, &raw_functions, string_count, &mut trace)?;
        check_nodes(&mut trace)?;
        Ok((Some(trace), samples))
    }
}

/// After a value in the trace tree: ends the record when its last field was read, takes
/// the comma or closes the list (and every list that closes with it).
fn close_lists(
    lx: &mut Lexer<'_, impl Source>,
    open: &mut Vec<(u32, u32, usize)>,
    fields: usize,
) -> Result<(), RawError> {
    while let Some(top) = open.last_mut() {
        if top.2 == fields {
            top.2 = 0;
        }
        let cut = top.2 != 0;
        if lx.comma_or(b']')? {
            return Ok(());
        }
        if cut {
            return Err(lx.err(format!(
                "a trace_tree node has fewer than the {fields} fields the header declares"
            )));
        }
        open.pop();
    }
    Ok(())
}

fn functions_from(
    tl: &TraceLayout,
    raw: &[u32],
    string_count: usize,
    t: &mut AllocationTrace,
) -> Result<(), RawError> {
    if !raw.len().is_multiple_of(tl.fi_fields) {
        return Err(RawError::bad(
            "trace_function_infos length is not a multiple of its fields",
        ));
    }
    // The array's real length counts, not the header's trace_function_count: V8 can
    // write more functions than it declared (compiled while the snapshot was taken).
    for (k, r) in raw.chunks_exact(tl.fi_fields).enumerate() {
        for s in [r[tl.fi_name], r[tl.fi_script_name]] {
            if s as usize >= string_count {
                return Err(RawError::bad(format!(
                    "trace function {k} names string {s}, but there are only {string_count} strings"
                )));
            }
        }
        t.function_id.push(r[tl.fi_id]);
        t.function_name.push(r[tl.fi_name]);
        t.function_script_name.push(r[tl.fi_script_name]);
        t.function_script_id.push(r[tl.fi_script_id]);
        t.function_line.push(r[tl.fi_line]);
        t.function_column.push(r[tl.fi_column]);
    }
    Ok(())
}

fn check_nodes(t: &mut AllocationTrace) -> Result<(), RawError> {
    let functions = t.function_count();
    for k in 0..t.node_count() {
        let f = t.node_function[k];
        if f as usize >= functions {
            return Err(RawError::bad(format!(
                "trace tree node {} refers to function {f}, but there are only {functions} functions",
                t.node_id[k]
            )));
        }
    }
    let mut by_id: Vec<(u32, u32)> = t
        .node_id
        .iter()
        .enumerate()
        .map(|(k, &id)| (id, k as u32))
        .collect();
    by_id.sort_unstable();
    if let Some(w) = by_id.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(RawError::bad(format!(
            "the trace tree has two nodes with id {}",
            w[0].0
        )));
    }
    t.by_id = by_id;
    // Subtree ends from the parents, children before their parents (reverse preorder).
    let n = t.node_count();
    let mut end: Vec<u32> = (1..=n as u32).collect();
    for k in (0..n).rev() {
        let p = t.node_parent[k];
        if p != NO_PARENT {
            end[p as usize] = end[p as usize].max(end[k]);
        }
    }
    t.node_end = end;
    Ok(())
}

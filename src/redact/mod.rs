//! A copy of a snapshot that can be handed to someone else: every string value of the heap
//! (string, concatenated string and sliced string nodes, which include script sources) is
//! replaced by a placeholder, while the graph, every size and every name that is not a value
//! (classes, properties, variables, functions, scripts) stay, so DevTools and heapdive show
//! the same Summary. Two streamed passes over the file: the first marks which string indexes
//! are values and which are names, the second writes the copy. Memory stays constant except
//! for a few bits per string.

mod json;
mod marks;
mod rewrite;
mod usage;

pub use rewrite::placeholder;
pub use usage::VALUE_TYPES;

use crate::analysis::Control;
use json::{JsonReader, Sink};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What a redaction replaced, for the user to see.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RedactReport {
    /// Value nodes by kind, in [`VALUE_TYPES`] order.
    pub value_nodes: [u64; 3],
    /// Distinct strings used only as values, replaced where they stood.
    pub values_replaced: u64,
    /// Distinct values that are also a name: the name keeps the text, the value nodes point
    /// to a placeholder appended to the string table.
    pub values_shared_with_names: u64,
    /// Strings nothing refers to, replaced too.
    pub unreferenced_replaced: u64,
    /// Strings kept as they were: the names of everything that is not a value.
    pub names_kept: u64,
    pub bytes_written: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("{path}: cannot write the copy: {source}")]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: redaction was cancelled")]
    Cancelled { path: PathBuf },
}

/// Why a pass stopped, before the paths are attached.
#[derive(Debug)]
pub(crate) enum Fail {
    Read(std::io::Error),
    Write(std::io::Error),
    Bad(String, Option<u64>),
}

/// Writes a redacted copy of `input` (plain or gzip) to `output` (gzip when its name ends in
/// `.gz`). The copy is written beside `output` and renamed into place once complete, so a
/// failed or cancelled run leaves no half-written file. Progress: ("Scanning", fraction of
/// the file), then ("Writing", fraction).
pub fn redact_file(
    input: &Path,
    output: &Path,
    ctl: &Control<'_>,
) -> Result<RedactReport, RedactError> {
    let in_err = |message: String| RedactError::Input {
        path: input.to_path_buf(),
        message,
    };
    if same_file(input, output) {
        return Err(in_err("the copy must go to another file".into()));
    }
    let usage = read_pass(input, ctl, "Scanning", usage::scan)?;
    let plan = rewrite::Plan::new(&usage);
    let partial = partial_path(output);
    let written = AtomicU64::new(0);
    let result = read_pass(input, ctl, "Writing", |r| {
        let file = File::create(&partial).map_err(Fail::Write)?;
        let counted = CountingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            written: &written,
        };
        write_copy(r, counted, is_gz_name(output), &plan)
    });
    let finished = result.and_then(|_| {
        std::fs::rename(&partial, output).map_err(|source| RedactError::Output {
            path: output.to_path_buf(),
            source,
        })
    });
    if let Err(e) = finished {
        let _ = std::fs::remove_file(&partial);
        return Err(match e {
            RedactError::Output { source, .. } => RedactError::Output {
                path: output.to_path_buf(),
                source,
            },
            e => e,
        });
    }
    Ok(report(&usage, &plan, written.into_inner()))
}

fn report(usage: &usage::Usage, plan: &rewrite::Plan<'_>, bytes_written: u64) -> RedactReport {
    let values = usage.values.count();
    let shared = plan.shared.count();
    let names = usage.names.count();
    RedactReport {
        value_nodes: usage.value_nodes,
        values_replaced: values - shared,
        values_shared_with_names: shared,
        unreferenced_replaced: (usage.string_count as u64).saturating_sub(values - shared + names),
        names_kept: names,
        bytes_written,
    }
}

fn write_copy(
    r: &mut JsonReader<impl Read>,
    out: impl Write,
    gz: bool,
    plan: &rewrite::Plan<'_>,
) -> Result<(), Fail> {
    if gz {
        let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::new(6));
        rewrite::rewrite(r, &mut enc, plan)?;
        enc.finish()
            .map_err(Fail::Write)?
            .flush()
            .map_err(Fail::Write)
    } else {
        let mut out = out;
        rewrite::rewrite(r, &mut out, plan)?;
        out.flush().map_err(Fail::Write)
    }
}

/// Opens `input` (inflating gzip), runs one pass over it, and puts the paths on its errors.
fn read_pass<'c, T>(
    input: &Path,
    ctl: &'c Control<'_>,
    phase: &'c str,
    pass: impl FnOnce(&mut JsonReader<Box<dyn Read + 'c>>) -> Result<T, Fail>,
) -> Result<T, RedactError> {
    let open_err = |e: std::io::Error| RedactError::Input {
        path: input.to_path_buf(),
        message: e.to_string(),
    };
    let total = std::fs::metadata(input).map_err(open_err)?.len().max(1);
    let mut file = File::open(input).map_err(open_err)?;
    let mut magic = [0u8; 2];
    let gz = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    let file = File::open(input).map_err(open_err)?;
    let watched = Watched {
        inner: file,
        read: 0,
        total,
        ctl,
        phase,
    };
    let src: Box<dyn Read + 'c> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 20,
            watched,
        )))
    } else {
        Box::new(watched)
    };
    (ctl.progress)(phase, 0.0);
    let mut r = JsonReader::new(src);
    pass(&mut r).map_err(|f| fail_to_error(f, input, ctl))
}

fn fail_to_error(f: Fail, input: &Path, ctl: &Control<'_>) -> RedactError {
    let path = input.to_path_buf();
    match f {
        // The input reader stops with an error once cancelled.
        _ if ctl.cancelled() => RedactError::Cancelled { path },
        Fail::Read(e) => RedactError::Input {
            path,
            message: match e.kind() {
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => {
                    format!("cannot decompress: {e}")
                }
                _ => e.to_string(),
            },
        },
        Fail::Bad(message, Some(offset)) => RedactError::Input {
            path,
            message: format!("{message} (at byte {offset})"),
        },
        Fail::Bad(message, None) => RedactError::Input { path, message },
        // The caller names the output file.
        Fail::Write(source) => RedactError::Output { path, source },
    }
}

/// Reads the top-level object's members, calling `f` with each key and the reader at its
/// value; `out` receives the object's own punctuation and keys (nothing in a read-only pass).
pub(crate) fn members<R: Read>(
    r: &mut JsonReader<R>,
    out: &mut Sink<'_>,
    mut f: impl FnMut(&str, &mut JsonReader<R>, &mut Sink<'_>) -> Result<(), Fail>,
) -> Result<(), Fail> {
    let put = |out: &mut Sink<'_>, b: &[u8]| match out {
        Some(w) => w.write_all(b).map_err(Fail::Write),
        None => Ok(()),
    };
    match r.peek()? {
        None => return Err(Fail::Bad("the file is empty".into(), None)),
        Some(b'{') => {}
        Some(_) => return Err(r.bad("not a heap snapshot: it does not start with a JSON object")),
    }
    r.expect(b'{', "'{'")?;
    put(out, b"{")?;
    if r.peek()? == Some(b'}') {
        r.expect(b'}', "'}'")?;
    } else {
        loop {
            let key = r.key()?;
            r.expect(b':', "':' after a key")?;
            let quoted = serde_json::to_string(&key).unwrap_or_default();
            put(out, format!("{quoted}:").as_bytes())?;
            f(&key, r, out)?;
            if !r.comma_or(b'}', "the snapshot object")? {
                break;
            }
            put(out, b",\n")?;
        }
    }
    put(out, b"}\n")?;
    if !r.at_end()? {
        return Err(r.bad("unexpected data after the end of the snapshot"));
    }
    Ok(())
}

/// The raw text of the (small) value at the reader, at most 16 MiB.
pub(crate) fn capture(r: &mut JsonReader<impl Read>) -> Result<Vec<u8>, Fail> {
    let mut text = Vec::new();
    let mut limited = Limited(&mut text);
    r.copy_value(&mut Some(&mut limited as &mut dyn Write))?;
    Ok(text)
}

/// A writer into a vector that refuses to grow past 16 MiB.
struct Limited<'a>(&'a mut Vec<u8>);

impl Write for Limited<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + b.len() > 16 << 20 {
            return Err(std::io::Error::other(
                "the \"snapshot\" header is too large",
            ));
        }
        self.0.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The input file, counting what was read for progress and stopping when cancelled.
struct Watched<'a, 'c> {
    inner: File,
    read: u64,
    total: u64,
    ctl: &'a Control<'c>,
    phase: &'a str,
}

impl Read for Watched<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.ctl.cancelled() {
            return Err(std::io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        let before = self.read * 100 / self.total;
        self.read += n as u64;
        if self.read * 100 / self.total != before {
            (self.ctl.progress)(self.phase, self.read as f32 / self.total as f32);
        }
        Ok(n)
    }
}

struct CountingWriter<'a, W> {
    inner: W,
    written: &'a AtomicU64,
}

impl<W: Write> Write for CountingWriter<'_, W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(b)?;
        self.written.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn is_gz_name(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// `OUT.partial` beside `OUT`.
fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    output.with_file_name(name)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

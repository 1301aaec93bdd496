//! Where captured snapshots go: each streams into a hidden `.PREFIX-N.heapsnapshot.partial`
//! beside its final name and is renamed to `PREFIX-N.heapsnapshot` only when complete, so a
//! final name always holds a whole snapshot; an unfinished one is removed (also on drop).

use super::cdp::Cdp;
use super::{CaptureError, failed};
use serde_json::{Value, json};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// A snapshot being written.
pub struct PartialSnapshot {
    file: Option<BufWriter<File>>,
    partial: PathBuf,
    final_path: PathBuf,
    bytes: u64,
    /// Renamed to the final name: nothing to clean up.
    done: bool,
}

impl PartialSnapshot {
    /// Creates the partial file for the first `PREFIX-N` free in `dir` (N from 1), so that
    /// earlier captures, of this run or another, are never overwritten.
    pub fn create(dir: &Path, prefix: &str) -> Result<PartialSnapshot, CaptureError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| failed(format!("creating {}: {e}", dir.display())))?;
        for n in 1u32.. {
            let final_path = dir.join(format!("{prefix}-{n}.heapsnapshot"));
            let partial = dir.join(format!(".{prefix}-{n}.heapsnapshot.partial"));
            if final_path.exists() {
                continue;
            }
            // create_new: another capture writing into the same folder keeps its own file.
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&partial)
            {
                Ok(f) => {
                    return Ok(PartialSnapshot {
                        file: Some(BufWriter::with_capacity(1 << 20, f)),
                        partial,
                        final_path,
                        bytes: 0,
                        done: false,
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(failed(format!("creating {}: {e}", partial.display()))),
            }
        }
        unreachable!("u32 names run out only after 4 billion files")
    }

    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Appends one chunk of the snapshot's JSON.
    pub fn write(&mut self, chunk: &str) -> Result<(), CaptureError> {
        let f = self.file.as_mut().expect("written after finish");
        f.write_all(chunk.as_bytes())
            .map_err(|e| self.write_error(e))?;
        self.bytes += chunk.len() as u64;
        Ok(())
    }

    /// Flushes, syncs and renames the file to its final name: (path, size).
    pub fn finish(mut self) -> Result<(PathBuf, u64), CaptureError> {
        if self.bytes == 0 {
            return Err(failed("the target sent an empty snapshot"));
        }
        let f = self.file.take().expect("finished once");
        // A full disk may only show when the buffer is flushed or the file synced.
        let file = f
            .into_inner()
            .map_err(|e| self.write_error(e.into_error()))?;
        file.sync_all().map_err(|e| self.write_error(e))?;
        drop(file);
        std::fs::rename(&self.partial, &self.final_path).map_err(|e| {
            failed(format!(
                "renaming {} to {}: {e}",
                self.partial.display(),
                self.final_path.display()
            ))
        })?;
        self.done = true;
        Ok((self.final_path.clone(), self.bytes))
    }

    fn write_error(&self, e: std::io::Error) -> CaptureError {
        failed(format!("writing {}: {e}", self.partial.display()))
    }

    /// The partial file's name, for messages saying it was removed.
    pub fn partial_path(&self) -> &Path {
        &self.partial
    }
}

impl Drop for PartialSnapshot {
    /// An unfinished snapshot (an error, a detach, a panic) leaves no file behind.
    fn drop(&mut self) {
        if !self.done {
            self.file = None;
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// How one snapshot is taken over a connection.
pub struct Take {
    /// A full garbage collection first, waiting at most this long for it.
    pub gc: Option<Duration>,
    /// How long the snapshot itself may take (None: as long as it streams).
    pub limit: Option<Duration>,
}

/// Optional GC, then the snapshot's chunks straight into `file` as they arrive (the capture
/// session's and `heapdive check`'s one way to stream). `progress` hears (objects done,
/// objects total, bytes written) every 2% of the objects and every MiB written.
pub fn stream_snapshot(
    cdp: &mut Cdp,
    file: &mut PartialSnapshot,
    take: &Take,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64, u64),
) -> Result<(), CaptureError> {
    let ignore = &mut |_: &str, _: &Value| Ok(());
    if let Some(limit) = take.gc {
        cdp.call(
            "HeapProfiler.collectGarbage",
            json!({}),
            Some(limit),
            stop,
            ignore,
        )?;
    }
    let (mut done, mut total, mut told_bytes) = (0u64, 0u64, 0u64);
    // After a write error the rest of the snapshot is still read, unwritten, up to the
    // command's reply: left in the connection, it would end up in the next snapshot.
    let mut write_error = None;
    let mut on_event = |m: &str, p: &Value| -> Result<(), CaptureError> {
        if write_error.is_some() {
            return Ok(());
        }
        match m {
            "HeapProfiler.addHeapSnapshotChunk" => {
                if let Err(e) = file.write(p["chunk"].as_str().unwrap_or("")) {
                    write_error = Some(e);
                    return Ok(());
                }
                // Progress while streaming: every MiB.
                if file.bytes() - told_bytes < 1 << 20 {
                    return Ok(());
                }
                told_bytes = file.bytes();
            }
            "HeapProfiler.reportHeapSnapshotProgress" => {
                let (d, t) = (p["done"].as_u64(), p["total"].as_u64());
                let (d, t) = (d.unwrap_or(0), t.unwrap_or(0).max(1));
                // Every 2% of the objects, and the last.
                let step = |x: u64| x * 50 / t;
                let changed = step(d) != step(done) || d == t || total == 0;
                (done, total) = (d, t);
                if !changed {
                    return Ok(());
                }
            }
            _ => return Ok(()),
        }
        progress(done, total, file.bytes());
        Ok(())
    };
    cdp.call(
        "HeapProfiler.takeHeapSnapshot",
        json!({"reportProgress": true}),
        take.limit,
        stop,
        &mut on_event,
    )?;
    write_error.map_or(Ok(()), Err)
}

/// The window's default folder for captures: `heapdive-captures` in the user's data
/// directory (`$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application Support`
/// on macOS, `%APPDATA%` on Windows), or the current folder where none is known.
pub fn default_capture_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    };
    match data {
        Some(d) => d.join("heapdive").join("heapdive-captures"),
        None => PathBuf::from("heapdive-captures"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("heapdive-stream-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn finished_files_take_the_next_free_number_and_drops_leave_nothing() {
        let dir = scratch("numbers");
        let mut a = PartialSnapshot::create(&dir, "s").unwrap();
        a.write("{\"a\":").unwrap();
        a.write("1}").unwrap();
        let (path, size) = a.finish().unwrap();
        assert_eq!((path.clone(), size), (dir.join("s-1.heapsnapshot"), 7));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":1}");
        // An unfinished second snapshot leaves neither a partial nor a final file.
        let mut b = PartialSnapshot::create(&dir, "s").unwrap();
        assert_eq!(b.final_path(), dir.join("s-2.heapsnapshot"));
        b.write("{\"half").unwrap();
        let partial = b.partial_path().to_path_buf();
        assert!(partial.exists());
        drop(b);
        assert!(!partial.exists() && !dir.join("s-2.heapsnapshot").exists());
        // The first file is untouched, and the next capture does not overwrite it.
        let c = PartialSnapshot::create(&dir, "s").unwrap();
        assert_eq!(c.final_path(), dir.join("s-2.heapsnapshot"));
        assert!(c.finish().is_err(), "an empty snapshot is an error");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Reading ahead on a second thread: the next chunk of the file (read, or inflated for
//! `.gz`) is ready while the parser scans the current one. Chunks are handed over whole,
//! not copied: each has room at its front for the few unread bytes of the previous one.

use super::lexer::Source;
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// About five chunks are alive at once (two queued, one being filled, one being parsed, one
/// coming back): at 1 MiB that is 5 MiB of a small file's peak memory instead of 20, and
/// still long enough that a hand-over costs nothing next to scanning it.
const CHUNK: usize = 1 << 20;
/// Room before a chunk's data for the previous chunk's unread tail (a cut number or key).
const HEAD: usize = 64 << 10;

/// The consuming side: a [`Source`] over chunks produced by [`Producer::run`].
pub struct Prefetch {
    rx: Receiver<io::Result<Vec<u8>>>,
    back: SyncSender<Vec<u8>>,
    done: bool,
}

/// Creates the pair: run `producer.run(reader)` on another thread, read from the `Prefetch`.
pub fn channel() -> (Prefetch, Producer) {
    let (tx, rx) = sync_channel(2);
    let (back, back_rx) = sync_channel(4);
    (
        Prefetch {
            rx,
            back,
            done: false,
        },
        Producer { tx, back_rx },
    )
}

pub struct Producer {
    tx: SyncSender<io::Result<Vec<u8>>>,
    back_rx: Receiver<Vec<u8>>,
}

impl Producer {
    /// Reads `r` to the end in chunks (data after `HEAD` spare bytes); stops early when the
    /// consumer is gone.
    pub fn run(self, mut r: impl Read) {
        loop {
            let mut buf = self
                .back_rx
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(HEAD + CHUNK));
            buf.resize(HEAD + CHUNK, 0);
            let mut n = HEAD;
            let result = loop {
                if n == buf.len() {
                    break Ok(());
                }
                match r.read(&mut buf[n..]) {
                    Ok(0) => break Ok(()),
                    Ok(k) => n += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            buf.truncate(n);
            let end = n == HEAD;
            let failed = result.is_err();
            // Data read before an error (a cut .gz inflates up to its cut) is handed over
            // first, so that a salvage sees everything the file holds.
            let msg = match result {
                Err(e) if !end => {
                    if self.tx.send(Ok(buf)).is_err() {
                        return;
                    }
                    Err(e)
                }
                other => other.map(|_| buf),
            };
            if self.tx.send(msg).is_err() || end || failed {
                return;
            }
        }
    }
}

impl Source for Prefetch {
    fn refill(&mut self, buf: &mut Vec<u8>, keep_from: usize) -> io::Result<Option<usize>> {
        if self.done {
            return Ok(None);
        }
        let mut chunk = match self.rx.recv() {
            Ok(Ok(chunk)) => chunk,
            // A cut .gz ends like a cut plain file: the parser says where the text stopped.
            Ok(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.done = true;
                return Ok(None);
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                self.done = true;
                return Ok(None);
            }
        };
        if chunk.len() == HEAD {
            self.done = true;
            return Ok(None);
        }
        let keep = buf.len() - keep_from;
        let start = if keep <= HEAD {
            chunk[HEAD - keep..HEAD].copy_from_slice(&buf[keep_from..]);
            HEAD - keep
        } else {
            // A tail longer than the room (a long string cut by the chunk end): join by copy.
            let mut joined = Vec::with_capacity(keep + chunk.len() - HEAD);
            joined.extend_from_slice(&buf[keep_from..]);
            joined.extend_from_slice(&chunk[HEAD..]);
            chunk = joined;
            0
        };
        let old = std::mem::replace(buf, chunk);
        if old.capacity() >= HEAD + CHUNK {
            let _ = self.back.try_send(old);
        }
        Ok(Some(start))
    }
}

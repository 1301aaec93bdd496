//! Reading ahead on a second thread: the next chunk of the file (read, or inflated for
//! `.gz`) is ready while the parser scans the current one.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

const CHUNK: usize = 4 << 20;

/// The consuming side: a `Read` over chunks produced by [`produce`].
pub struct Prefetch {
    rx: Receiver<io::Result<Vec<u8>>>,
    back: SyncSender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    done: bool,
}

/// Creates the pair: run `produce(reader, ...)` on another thread, read from the `Prefetch`.
pub fn channel() -> (Prefetch, Producer) {
    let (tx, rx) = sync_channel(2);
    let (back, back_rx) = sync_channel(4);
    (
        Prefetch {
            rx,
            back,
            cur: Vec::new(),
            pos: 0,
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
    /// Reads `r` to the end in chunks; stops early when the consumer is gone.
    pub fn run(self, mut r: impl Read) {
        loop {
            let mut buf = self
                .back_rx
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
            buf.resize(CHUNK, 0);
            let mut n = 0;
            let result = loop {
                if n == CHUNK {
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
            let end = n == 0;
            let msg = result.map(|_| buf);
            let failed = msg.is_err();
            if self.tx.send(msg).is_err() || end || failed {
                return;
            }
        }
    }
}

impl Read for Prefetch {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.cur.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    let old = std::mem::replace(&mut self.cur, chunk);
                    let _ = self.back.try_send(old);
                    self.pos = 0;
                    if self.cur.is_empty() {
                        self.done = true;
                    }
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    self.done = true;
                }
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

//! The scaling benchmark's generator (tests/bench/tile.rs) on the real fixtures/node/small
//! snapshot: the tiled file is one graph of K copies, so its counts, sizes and every
//! Summary row's count are K times the original's.

use crate::bench_tile as tile;
use crate::common;

use common::{fixture, gunzip_text};
use heapdive::load_quiet;
use std::collections::HashMap;
use std::path::PathBuf;

/// A temporary file, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(tag: &str) -> Self {
        Temp(std::env::temp_dir().join(format!(
            "heapdive-tile-{tag}-{}.heapsnapshot",
            std::process::id()
        )))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Class name -> (count, shallow size) of the Summary.
fn rows(h: &mut heapdive::Heap) -> HashMap<String, (u64, u64)> {
    h.take_summary()
        .into_iter()
        .map(|a| (a.name, (a.count, a.shallow_size)))
        .collect()
}

/// Plain objects are named by inferred interfaces ("{a, b}"), which need at least two
/// objects of a shape: a shape seen once in the original becomes an interface of its own
/// in the copies, so those rows are compared as one sum with "Object".
fn is_plain(name: &str) -> bool {
    name == "Object" || name.starts_with('{')
}

#[test]
fn three_copies_have_three_times_every_count() {
    let k = 3u64;
    let one = Temp::new("one");
    let many = Temp::new("many");
    std::fs::write(&one.0, gunzip_text(&fixture("node/small.heapsnapshot.gz"))).unwrap();
    let t = tile::tile(&one.0, &many.0, k).unwrap();
    let mut a = load_quiet(&one.0).unwrap();
    let mut b = load_quiet(&many.0).unwrap();

    let (n, m) = (a.node_count() as u64, a.snap.edge_count() as u64);
    assert_eq!((t.node_count, t.edge_count), (k * n, k * m + k - 1));
    assert_eq!(b.node_count() as u64, k * n);
    // The links from the first root to the other copies' roots are the only new edges.
    assert_eq!(b.snap.edge_count() as u64, k * m + k - 1);
    assert_eq!(b.total_size, k * a.total_size);
    // Not K times: dominators, retained sizes and reachability over essential edges are
    // not, as DevTools' rules for the snapshot root's edges (its shortcuts are essential)
    // apply to the first copy's root only; the copies' roots are ordinary nodes.

    // Ids: unique, and each keeps its original's parity (odd: JS objects).
    let mut ids = b.snap.node_id.clone();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as u64, k * n);
    for (o, &id) in b.snap.node_id.iter().enumerate() {
        assert_eq!(id & 1, a.snap.node_id[o % n as usize] & 1, "node {o}");
    }

    let (ra, rb) = (rows(&mut a), rows(&mut b));
    let plain = |r: &HashMap<String, (u64, u64)>| {
        r.iter()
            .filter(|(name, _)| is_plain(name))
            .fold((0, 0), |s, (_, v)| (s.0 + v.0, s.1 + v.1))
    };
    let (pa, pb) = (plain(&ra), plain(&rb));
    assert!(pa.0 > 0);
    assert_eq!(pb, (k * pa.0, k * pa.1));
    for (name, &(count, shallow)) in ra.iter().filter(|(name, _)| !is_plain(name)) {
        assert_eq!(rb.get(name), Some(&(k * count, k * shallow)), "{name}");
    }
    assert_eq!(
        ra.keys().filter(|c| !is_plain(c)).count(),
        rb.keys().filter(|c| !is_plain(c)).count()
    );
}

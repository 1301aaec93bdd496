//! Objects whose name matches a search, listed in a small window.

use super::ids::SnapId;
use crate::analysis::Heap;

/// How many matches are listed (the largest retained sizes first).
pub const SHOWN: usize = 200;

pub struct ObjectSearch {
    pub query: String,
    pub snap: SnapId,
    pub found: Vec<u32>,
    pub total: usize,
}

impl ObjectSearch {
    /// Runs on a worker thread: the search reads every node's name.
    pub fn run(heap: &Heap, snap: SnapId, query: String) -> ObjectSearch {
        let (found, total) = crate::analysis::search::find_objects(heap, &query, SHOWN);
        ObjectSearch {
            query,
            snap,
            found,
            total,
        }
    }
}

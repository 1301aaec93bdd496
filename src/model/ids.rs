//! Stable names for open snapshots and the objects in them. Positions in the list of
//! snapshots change when one closes; these never do.

/// An open snapshot. Ids are never reused within a run, so a result computed for a snapshot
/// that has since closed can always be recognised and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SnapId(pub u32);

/// One object: a node ordinal within one snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjRef {
    pub snap: SnapId,
    pub node: u32,
}

impl ObjRef {
    pub fn new(snap: SnapId, node: u32) -> Self {
        ObjRef { snap, node }
    }
}

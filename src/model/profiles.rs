//! Open sampling heap profiles (`.heapprofile`): told apart from snapshots when opened,
//! loaded as a job, kept by their own ids; the flame graph's layout and zoom.

use crate::profile::{FunctionRow, SamplingProfile};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open profile. Ids are never reused within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileId(pub u32);

pub struct OpenProfile {
    pub id: ProfileId,
    pub path: PathBuf,
    pub name: String,
    pub profile: Arc<SamplingProfile>,
    /// Per node: its bytes and its descendants' (the flame graph's widths).
    pub subtree: Vec<u64>,
    /// The bottom-up table: functions by self size.
    pub functions: Vec<FunctionRow>,
    /// The flame graph's root (the head, or the frame zoomed into).
    pub zoom: u32,
}

impl OpenProfile {
    /// Reads and prepares a profile (a job's work); the error is in words, with the file.
    pub fn load(id: ProfileId, path: PathBuf) -> Result<OpenProfile, String> {
        let profile = crate::profile::read_profile(&path).map_err(|e| e.to_string())?;
        if profile.head().is_none() {
            return Err(format!("{}: the heap profile is empty", path.display()));
        }
        Ok(OpenProfile {
            id,
            name: crate::paths::display_name(&path),
            path,
            subtree: profile.subtree_sizes(),
            functions: profile.functions_by_self_size(),
            profile: Arc::new(profile),
            zoom: 0,
        })
    }

    /// The frame's name for display ("(anonymous)" when it has none).
    pub fn name_of(&self, node: u32) -> &str {
        let n = &self.profile.frame(node).name;
        if n.is_empty() { "(anonymous)" } else { n }
    }

    /// "url:line:column", 1-based (0 where unknown).
    pub fn location_of_function(&self, function: u32) -> String {
        let f = &self.profile.functions[function as usize];
        format!("{}:{}:{}", f.url, f.line1(), f.column1())
    }

    /// The zoomed frame and its ancestors, from the head down.
    pub fn zoom_path(&self) -> Vec<u32> {
        let mut path = vec![self.zoom];
        let mut at = self.zoom;
        while let Some(&p) = self.profile.node_parent.get(at as usize) {
            if p == crate::profile::NO_PARENT {
                break;
            }
            path.push(p);
            at = p;
        }
        path.reverse();
        path
    }

    /// One level up from the zoomed frame.
    pub fn zoom_out(&mut self) {
        let p = self.profile.node_parent[self.zoom as usize];
        if p != crate::profile::NO_PARENT {
            self.zoom = p;
        }
    }

    /// The flame graph's boxes for a width of `width` units, top-down from the zoomed frame:
    /// widths by size; frames narrower than `min_width` (and what they called) left out.
    pub fn flame(&self, width: f64, min_width: f64) -> Vec<FlameBox> {
        let p = &self.profile;
        let total = self.subtree[self.zoom as usize].max(1) as f64;
        let mut out = Vec::new();
        let mut todo = vec![(self.zoom, 0.0f64, 0usize)];
        while let Some((k, x, depth)) = todo.pop() {
            let w = self.subtree[k as usize] as f64 / total * width;
            if w < min_width {
                continue;
            }
            out.push(FlameBox {
                node: k,
                x,
                width: w,
                depth,
            });
            let mut cx = x;
            for c in p.children(k) {
                todo.push((c, cx, depth + 1));
                cx += self.subtree[c as usize] as f64 / total * width;
            }
        }
        out
    }
}

/// A frame of the flame graph: `x` and `width` in the units asked for, `depth` 0 at the top.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlameBox {
    pub node: u32,
    pub x: f64,
    pub width: f64,
    pub depth: usize,
}

/// Whether `path` holds a sampling heap profile rather than a snapshot: by its name
/// (`.heapprofile`, `.heapprofile.gz`), else by its first bytes (`{"head"`).
pub fn is_heap_profile(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".heapprofile") || name.ends_with(".heapprofile.gz") {
        return true;
    }
    if name.ends_with(".heapsnapshot")
        || name.ends_with(".heapsnapshot.gz")
        || name.ends_with(".heaptimeline")
        || name.ends_with(".heaptimeline.gz")
    {
        return false;
    }
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(256);
    let mut raw = Vec::with_capacity(256);
    if f.take(256).read_to_end(&mut raw).is_err() {
        return false;
    }
    if raw.starts_with(&[0x1f, 0x8b]) {
        let Ok(f) = std::fs::File::open(path) else {
            return false;
        };
        let _ = flate2::read::MultiGzDecoder::new(f)
            .take(256)
            .read_to_end(&mut head);
    } else {
        head = raw;
    }
    let text = String::from_utf8_lossy(&head);
    let t = text
        .trim_start()
        .strip_prefix('{')
        .unwrap_or("")
        .trim_start();
    t.starts_with("\"head\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampled() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/alloc/sampled.heapprofile")
    }

    #[test]
    fn profiles_are_told_from_snapshots_by_name_and_content() {
        assert!(is_heap_profile(&sampled()));
        let snap =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/node/small.heapsnapshot.gz");
        assert!(!is_heap_profile(&snap));
        let dir = std::env::temp_dir().join(format!("heapdive-profiles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let plain = dir.join("renamed.json");
        std::fs::write(&plain, b"  {\n \"head\": {}}").unwrap();
        assert!(is_heap_profile(&plain));
        let other = dir.join("other.json");
        std::fs::write(&other, b"{\"snapshot\": {}}").unwrap();
        assert!(!is_heap_profile(&other));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_flame_graph_splits_each_frame_among_its_children_and_zooms() {
        let mut p = OpenProfile::load(ProfileId(1), sampled()).unwrap();
        let boxes = p.flame(1000.0, 0.0);
        assert_eq!(boxes.len(), p.profile.node_count());
        let at = |k: u32| boxes.iter().find(|b| b.node == k).unwrap();
        assert!((at(0).width - 1000.0).abs() < 1e-6);
        for b in &boxes {
            let kids: Vec<&FlameBox> = p.profile.children(b.node).map(at).collect();
            let sum: f64 = kids.iter().map(|c| c.width).sum();
            assert!(sum <= b.width + 1e-6);
            for c in kids {
                assert_eq!(c.depth, b.depth + 1);
                assert!(c.x >= b.x - 1e-6 && c.x + c.width <= b.x + b.width + 1e-6);
            }
        }
        // Zoomed into the widest child of the head: it fills the width.
        let child = p
            .profile
            .children(0)
            .max_by_key(|&c| p.subtree[c as usize])
            .unwrap();
        p.zoom = child;
        let zoomed = p.flame(1000.0, 0.0);
        assert_eq!(zoomed[0].node, child);
        assert!((zoomed[0].width - 1000.0).abs() < 1e-6);
        assert_eq!(p.zoom_path(), vec![0, child]);
        p.zoom_out();
        assert_eq!(p.zoom, 0);
    }
}

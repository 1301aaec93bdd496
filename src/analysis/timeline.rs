//! The allocation timeline of a snapshot with `samples` (DevTools "Allocation instrumentation
//! on timeline"): how many bytes of what is still alive were allocated in each sample's
//! stretch of time, and which objects a selected time range covers. The numbers and the
//! selection rule are DevTools' (`buildSamples`, `HeapTimelineOverview.updateGrid`).

use super::filters::NodeFilter;
use crate::snapshot::Snapshot;

/// Samples placed on a time axis, with the live bytes allocated in each.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Per sample: milliseconds since recording began.
    pub time_ms: Vec<f64>,
    /// Per sample: the highest object id handed out when it was taken.
    pub last_assigned_id: Vec<u32>,
    /// Per sample: bytes (shallow, as shown) of live JS objects whose ids it handed out,
    /// i.e. ids in (previous sample's last id, this sample's last id].
    pub size: Vec<u64>,
    /// The time axis' length in ms (DevTools shows at least 10 s).
    pub total_ms: f64,
}

/// One bar of the chart: the samples that fall in one column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// The column (0-based) out of the width asked for.
    pub column: usize,
    /// Where the column starts on the time axis (ms since the first sample).
    pub start_ms: f64,
    pub size: u64,
}

/// What a selected time range covers: the objects with `min_id < id <= max_id`
/// (`max_id` is `u64::MAX` when the range runs past the last sample) and their bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    pub min_id: u64,
    pub max_id: u64,
    pub size: u64,
}

impl Selection {
    /// The Summary filter that shows the selected objects.
    pub fn filter(&self) -> NodeFilter {
        NodeFilter::IdRange {
            min: self.min_id,
            max: self.max_id,
        }
    }
}

impl Timeline {
    /// None when the snapshot has no samples. `shallow` are the sizes DevTools shows.
    pub fn new(snap: &Snapshot, shallow: &[u32]) -> Option<Timeline> {
        let s = &snap.samples;
        if s.timestamp_us.is_empty() {
            return None;
        }
        let ids = &s.last_assigned_id;
        let mut size = vec![0u64; ids.len()];
        for (o, &id) in snap.node_id.iter().enumerate() {
            // JS objects have odd ids; native ones are left out, as in DevTools.
            if id % 2 == 0 {
                continue;
            }
            // The first sample whose last id is at least the object's (lower bound).
            let k = ids.partition_point(|&x| x < id);
            if k < ids.len() {
                size[k] += shallow[o] as u64;
            }
        }
        let time_ms: Vec<f64> = s.timestamp_us.iter().map(|&t| t as f64 / 1000.0).collect();
        let total_ms = time_ms.last().copied().unwrap_or(0.0).max(10_000.0);
        Some(Timeline {
            time_ms,
            last_assigned_id: ids.clone(),
            size,
            total_ms,
        })
    }

    /// The bars for a chart `width` columns wide, as DevTools draws them: samples after the
    /// first (which holds what existed before recording) summed per column; empty columns
    /// left out.
    pub fn bars(&self, width: usize) -> Vec<Bar> {
        let mut out = Vec::new();
        if self.time_ms.len() < 2 || width == 0 {
            return out;
        }
        let start = self.time_ms[0];
        let scale = width as f64 / self.total_ms;
        let mut column = 0usize;
        let mut size = 0u64;
        for i in 1..self.time_ms.len() {
            let x = ((self.time_ms[i] - start) * scale).floor().max(0.0) as usize;
            if x != column {
                if size != 0 {
                    out.push(self.bar(column, width, size));
                }
                size = 0;
                column = x;
            }
            size += self.size[i];
        }
        out.push(self.bar(column, width, size));
        out
    }

    fn bar(&self, column: usize, width: usize, size: u64) -> Bar {
        Bar {
            column,
            start_ms: column as f64 * self.total_ms / width as f64,
            size,
        }
    }

    /// The objects a selection from `left_ms` to `right_ms` (on the time axis, 0 at the
    /// first sample) covers: samples from the first at or after `left_ms` to the first
    /// after `right_ms`, which closes the last stretch.
    pub fn select(&self, left_ms: f64, right_ms: f64) -> Selection {
        let start = self.time_ms.first().copied().unwrap_or(0.0);
        let (left, right) = (start + left_ms, start + right_ms);
        let n = self.time_ms.len();
        let min_index = self.time_ms.partition_point(|&t| t < left);
        let max_index = self.time_ms.partition_point(|&t| t <= right);
        let size = (min_index..=max_index.min(n.saturating_sub(1)))
            .map(|i| self.size[i])
            .sum();
        Selection {
            min_id: if min_index > 0 {
                self.last_assigned_id[min_index - 1] as u64
            } else {
                0
            },
            max_id: if max_index < n {
                self.last_assigned_id[max_index] as u64
            } else {
                u64::MAX
            },
            size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four samples 100 ms apart handing out ids up to 10, 20, 30, 40.
    fn four() -> Timeline {
        Timeline {
            time_ms: vec![0.0, 100.0, 200.0, 300.0],
            last_assigned_id: vec![10, 20, 30, 40],
            size: vec![5, 7, 11, 13],
            total_ms: 10_000.0,
        }
    }

    #[test]
    fn a_selection_runs_to_the_first_sample_after_it() {
        let t = four();
        // Samples 1 and 2 are inside; sample 3 closes the stretch after sample 2.
        let s = t.select(100.0, 200.0);
        assert_eq!((s.min_id, s.max_id, s.size), (10, 40, 7 + 11 + 13));
        let s = t.select(50.0, 150.0);
        assert_eq!((s.min_id, s.max_id, s.size), (10, 30, 7 + 11));
        // Past the last sample there is no upper bound.
        let s = t.select(0.0, 10_000.0);
        assert_eq!((s.min_id, s.max_id, s.size), (0, u64::MAX, 36));
        assert_eq!(
            s.filter(),
            NodeFilter::IdRange {
                min: 0,
                max: u64::MAX
            }
        );
    }

    #[test]
    fn bars_sum_the_samples_of_a_column_and_skip_the_first() {
        let t = four();
        let bars = t.bars(100);
        let got: Vec<(usize, u64)> = bars.iter().map(|b| (b.column, b.size)).collect();
        assert_eq!(got, [(1, 7), (2, 11), (3, 13)]);
        let got: Vec<(usize, u64)> = t.bars(10).iter().map(|b| (b.column, b.size)).collect();
        assert_eq!(got, [(0, 31)]);
        // 100 columns over the 10 s axis: 100 ms each.
        assert_eq!(bars[2].start_ms, 300.0);
    }
}

//! The process's resident memory, for the load timings (`--timings`): where in a load the
//! peak is reached. Linux only (`/proc/self/status`); `None` elsewhere.

/// Resident bytes now and the peak so far.
#[derive(Clone, Copy, Debug)]
pub struct Resident {
    pub now: u64,
    pub peak: u64,
}

pub fn resident() -> Option<Resident> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        let kb: u64 = line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb * 1024)
    };
    Some(Resident {
        now: field("VmRSS:")?,
        peak: field("VmHWM:")?,
    })
}

/// Pins glibc's mmap threshold at its initial 128 KiB. Left dynamic, glibc raises it to the
/// size of each large block freed (up to 32 MiB), so that later blocks below that size come
/// from the heap and stay resident once freed: a load frees many such blocks (read-ahead
/// chunks, per-phase scratch columns), and measured on a 264 MB snapshot the freed ones
/// still held 38 MB at the end of the load, the peak. Called before a file is read; once.
pub fn pin_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            unsafe extern "C" {
                fn mallopt(param: i32, value: i32) -> i32;
            }
            const M_MMAP_THRESHOLD: i32 = -3;
            // SAFETY: glibc's mallopt takes two ints, may be called at any time, and only
            // changes where later allocations come from.
            unsafe { mallopt(M_MMAP_THRESHOLD, 128 << 10) };
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn reads_a_nonzero_resident_size_not_above_the_peak() {
        let r = super::resident().expect("/proc/self/status");
        assert!(r.now > 0 && r.now <= r.peak, "{r:?}");
    }
}

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

/// Columns smaller than this are left to fault in page by page.
#[cfg(target_os = "linux")]
const POPULATE_MIN: usize = 1 << 20;
/// The pages asked for are whole 4 KiB pages (where pages are larger the kernel refuses).
#[cfg(target_os = "linux")]
const PAGE: usize = 4096;

/// Has the kernel back a fresh column's pages now, half of them from each core, instead of
/// one page fault per page as the column is first written: on this class of VM a fault
/// costs about 1.7 µs a page and the call 1.2 µs, and a column whose zeros are read before
/// they are written (a count) faults twice, once for the shared zero page and again to copy
/// it, with a TLB flush on every core. Only for columns the load writes whole, and soon: a
/// column left mostly zero (the node flags of a Node heap) would become resident for
/// nothing (measured: 10 MB more at the near-heap-limit snapshot's peak). Linux only; a
/// kernel without `MADV_POPULATE_WRITE` (before 5.14) refuses it, and the pages fault in
/// as before.
pub fn populated<T>(v: Vec<T>) -> Vec<T> {
    #[cfg(target_os = "linux")]
    {
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes >= POPULATE_MIN {
            let start = v.as_ptr() as usize;
            let mid = (start + bytes / 2) & !(PAGE - 1);
            rayon::join(|| populate(start, mid), || populate(mid, start + bytes));
        }
    }
    v
}

/// Asks for the whole pages inside `start..end`; whether the kernel did.
#[cfg(target_os = "linux")]
fn populate(start: usize, end: usize) -> bool {
    unsafe extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    const MADV_POPULATE_WRITE: i32 = 23;
    let (first, last) = (start.next_multiple_of(PAGE), end & !(PAGE - 1));
    if last <= first {
        return true;
    }
    // SAFETY: whole pages inside a live allocation this process owns; the advice only
    // makes them resident (their contents stay as they are), and a refusal is harmless.
    unsafe {
        madvise(
            first as *mut std::ffi::c_void,
            last - first,
            MADV_POPULATE_WRITE,
        ) == 0
    }
}

#[cfg(test)]
mod tests {
    /// The pages become resident and keep what they held.
    #[test]
    #[cfg(target_os = "linux")]
    fn populated_columns_are_resident_and_unchanged() {
        const N: usize = 256 << 20;
        let mut v = vec![0u8; N];
        v[12_345] = 7;
        v[N - 1] = 9;
        let before = super::resident().expect("/proc/self/status").now;
        if !super::populate(v.as_ptr() as usize, v.as_ptr() as usize + 8192) {
            eprintln!("this kernel has no MADV_POPULATE_WRITE: nothing to check");
            return;
        }
        let v = super::populated(v);
        let after = super::resident().expect("/proc/self/status").now;
        assert!(after >= before + (N as u64) * 3 / 4, "{before} -> {after}");
        assert_eq!((v.len(), v[12_345], v[N - 1]), (N, 7, 9));
        assert_eq!(v.iter().map(|&b| b as u64).sum::<u64>(), 16);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn reads_a_nonzero_resident_size_not_above_the_peak() {
        let r = super::resident().expect("/proc/self/status");
        assert!(r.now > 0 && r.now <= r.peak, "{r:?}");
    }
}

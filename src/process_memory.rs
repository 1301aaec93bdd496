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

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn reads_a_nonzero_resident_size_not_above_the_peak() {
        let r = super::resident().expect("/proc/self/status");
        assert!(r.now > 0 && r.now <= r.peak, "{r:?}");
    }
}

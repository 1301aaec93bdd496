//! The snapshot's string table: one text buffer and offsets, so millions of names cost no
//! per-string allocation. Analyses append strings (class names such as `(system)`,
//! `Detached <div>`, `{a, b}`) exactly where DevTools appends them, so that class identity
//! (a string index) behaves as in DevTools.

#[derive(Default, Clone)]
pub struct Strings {
    text: String,
    /// offsets[i]..offsets[i+1] is string i; len = count + 1. The low 32 bits only: 4 bytes
    /// a string instead of 8 (millions of strings in a real heap).
    offsets: Vec<u32>,
    /// Where the offsets pass a multiple of 4 GiB: offset `j` is
    /// `offsets[j] + 2^32 * (entries <= j here)`. Empty below 4 GiB of text.
    wraps: Vec<u32>,
    /// How many strings came from the file; later ones were appended by the analysis.
    original: u32,
}

impl Strings {
    pub fn new() -> Self {
        Strings {
            text: String::new(),
            offsets: vec![0],
            wraps: Vec::new(),
            original: 0,
        }
    }

    pub fn with_capacity(bytes: usize) -> Self {
        let mut s = Strings::new();
        s.text.reserve(bytes);
        s
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of strings that were read from the file.
    pub fn original_len(&self) -> usize {
        self.original as usize
    }

    pub(crate) fn seal_original(&mut self) {
        self.original = self.len() as u32;
        self.text.shrink_to_fit();
        self.offsets.shrink_to_fit();
        self.wraps.shrink_to_fit();
    }

    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) if self.wraps.is_empty() => &self.text[a as usize..b as usize],
            (Some(_), Some(_)) => &self.text[self.offset(i)..self.offset(i + 1)],
            _ => "",
        }
    }

    /// Offset `j` in full, past 4 GiB of text.
    fn offset(&self, j: usize) -> usize {
        let high = self.wraps.partition_point(|&w| w as usize <= j);
        ((high as u64) << 32 | self.offsets[j] as u64) as usize
    }

    pub fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        let end = self.text.len() as u64;
        let j = self.offsets.len() as u32;
        while (self.wraps.len() as u64) < end >> 32 {
            self.wraps.push(j);
        }
        self.offsets.push(end as u32);
        (self.len() - 1) as u32
    }

    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.offsets.capacity() * 4 + self.wraps.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::Strings;

    /// Offsets keep their low 32 bits; past 4 GiB the wraps give the rest. Simulated by
    /// placing a wrap by hand, as 4 GiB of text is too much for a unit test.
    #[test]
    fn strings_read_back_across_a_simulated_wrap() {
        let mut s = Strings::new();
        for t in ["", "a", "bc", "def"] {
            s.push(t);
        }
        assert_eq!((s.get(1), s.get(3), s.get(9)), ("a", "def", ""));
        // Offset 2 onwards as if past 4 GiB: the same text, read through the wrap path.
        let mut w = s.clone();
        w.wraps.push(2);
        w.text = String::new();
        assert_eq!(w.offset(1), 0);
        assert_eq!(w.offset(2), (1 << 32) + 1);
        assert_eq!(w.offset(4), (1 << 32) + 6);
    }
}

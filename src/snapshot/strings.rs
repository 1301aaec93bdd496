//! The snapshot's string table: one text buffer and offsets, so millions of names cost no
//! per-string allocation. Analyses append strings (class names such as `(system)`,
//! `Detached <div>`, `{a, b}`) exactly where DevTools appends them, so that class identity
//! (a string index) behaves as in DevTools.

#[derive(Default, Clone)]
pub struct Strings {
    text: String,
    /// offsets[i]..offsets[i+1] is string i; len = count + 1.
    offsets: Vec<u64>,
    /// How many strings came from the file; later ones were appended by the analysis.
    original: u32,
}

impl Strings {
    pub fn new() -> Self {
        Strings {
            text: String::new(),
            offsets: vec![0],
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
    }

    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.text[a as usize..b as usize],
            _ => "",
        }
    }

    pub fn push(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.offsets.push(self.text.len() as u64);
        (self.len() - 1) as u32
    }

    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.offsets.capacity() * 8
    }
}

//! Bit sets over string indexes: the only memory the redaction holds that grows with the
//! file (one bit per string and set, plus a count per 64 strings for ranks).

#[derive(Default)]
pub(crate) struct Marks {
    words: Vec<u64>,
    /// Set bits before each word, once frozen by [`Marks::build_ranks`].
    ranks: Vec<u32>,
}

impl Marks {
    pub fn set(&mut self, i: u32) {
        let w = i as usize >> 6;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << (i & 63);
    }

    pub fn get(&self, i: u32) -> bool {
        self.words
            .get(i as usize >> 6)
            .is_some_and(|w| w >> (i & 63) & 1 != 0)
    }

    /// The marks set in both.
    pub fn and(&self, other: &Marks) -> Marks {
        Marks {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a & b)
                .collect(),
            ranks: Vec::new(),
        }
    }

    pub fn count(&self) -> u64 {
        self.words.iter().map(|w| w.count_ones() as u64).sum()
    }

    /// The largest index set, if any.
    pub fn max(&self) -> Option<u32> {
        let (w, bits) = self
            .words
            .iter()
            .enumerate()
            .rev()
            .find(|(_, w)| **w != 0)?;
        Some((w * 64 + 63 - bits.leading_zeros() as usize) as u32)
    }

    pub fn build_ranks(&mut self) {
        let mut sum = 0u32;
        self.ranks = self
            .words
            .iter()
            .map(|w| {
                let before = sum;
                sum += w.count_ones();
                before
            })
            .collect();
    }

    /// How many marks lie below `i` (after [`Marks::build_ranks`]).
    pub fn rank(&self, i: u32) -> u32 {
        let w = i as usize >> 6;
        let below = self.words[w] & ((1u64 << (i & 63)) - 1);
        self.ranks[w] + below.count_ones()
    }

    /// The marked indexes in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &bits)| {
            let mut b = bits;
            std::iter::from_fn(move || {
                if b == 0 {
                    return None;
                }
                let t = b.trailing_zeros();
                b &= b - 1;
                Some((w * 64) as u32 + t)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_count_the_marks_below() {
        let mut m = Marks::default();
        let set = [0u32, 3, 63, 64, 65, 200, 1000];
        for &i in &set {
            m.set(i);
        }
        m.build_ranks();
        for (k, &i) in set.iter().enumerate() {
            assert!(m.get(i));
            assert_eq!(m.rank(i), k as u32);
        }
        assert!(!m.get(4) && !m.get(5000));
        assert_eq!(m.iter().collect::<Vec<_>>(), set);
        assert_eq!(m.max(), Some(1000));
        assert_eq!(m.count(), set.len() as u64);
    }
}

//! A line of code with the lines around it, read from the file itself (V8 cuts the
//! snapshot's copy of a script's source to 1,024 characters).

use std::path::{Path, PathBuf};

/// Lines `first_line..` of a file, one of them the line asked for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Excerpt {
    pub path: PathBuf,
    /// 1-based number of `lines[0]`.
    pub first_line: u32,
    /// 1-based number of the line asked for.
    pub line: u32,
    pub lines: Vec<String>,
}

impl Excerpt {
    /// The lines with their numbers, the asked-for line marked with `>`.
    pub fn numbered(&self) -> Vec<String> {
        let width = (self.first_line as usize + self.lines.len())
            .to_string()
            .len();
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let n = self.first_line + i as u32;
                let mark = if n == self.line { '>' } else { ' ' };
                format!("{mark} {n:>width$} | {l}")
            })
            .collect()
    }
}

/// Longest piece of a line kept; minified bundles have lines of megabytes.
const MAX_LINE_CHARS: usize = 240;

/// A window of at most [`MAX_LINE_CHARS`] characters around `column` (1-based).
fn window(line: &str, column: u32) -> String {
    let count = line.chars().count();
    if count <= MAX_LINE_CHARS {
        return line.to_string();
    }
    let col = (column.max(1) - 1) as usize;
    let start = col
        .saturating_sub(MAX_LINE_CHARS / 3)
        .min(count - MAX_LINE_CHARS);
    let piece: String = line.chars().skip(start).take(MAX_LINE_CHARS).collect();
    let head = if start > 0 { "…" } else { "" };
    let tail = if start + MAX_LINE_CHARS < count {
        "…"
    } else {
        ""
    };
    format!("{head}{piece}{tail}")
}

/// Line `line` (1-based) of `path` with up to `around` lines before and after; long lines
/// are cut to a window around `column`.
pub fn excerpt(path: &Path, line: u32, column: u32, around: u32) -> Result<Excerpt, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    if line == 0 || line as usize > all.len() {
        return Err(format!(
            "{} has {} lines, not line {line}",
            path.display(),
            all.len()
        ));
    }
    let first = line.saturating_sub(around).max(1);
    let last = (line + around).min(all.len() as u32);
    let lines = (first..=last)
        .map(|n| window(all[n as usize - 1], column))
        .collect();
    Ok(Excerpt {
        path: path.to_path_buf(),
        first_line: first,
        line,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = "a".repeat(1000) + "X" + &"b".repeat(1000);
        let w = window(&line, 1001);
        assert!(w.starts_with('…') && w.ends_with('…'));
        assert!(w.contains('X'));
        assert_eq!(window("short", 3), "short");
    }
}

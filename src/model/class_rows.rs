//! The rows of a table of classes that open to their objects, shared by the Summary and the
//! Comparison: each class passing the name filter, then, when it is open, its first objects
//! and one "more" row for the rest.

/// The visible rows: `class(i)` for each class whose name passes `filter` (a case-insensitive
/// substring), each followed by what `objects` pushes for it when it is open; `objects`
/// returns None for a closed class, else how many of its objects it left out, which a
/// `more(i, hidden)` row then stands for.
pub fn class_rows<'a, R>(
    names: impl Iterator<Item = &'a str>,
    filter: &str,
    mut objects: impl FnMut(usize, &mut Vec<R>) -> Option<usize>,
    class: impl Fn(usize) -> R,
    more: impl Fn(usize, usize) -> R,
) -> Vec<R> {
    let filter = filter.to_lowercase();
    let mut rows = Vec::new();
    for (i, name) in names.enumerate() {
        if !super::name_matches(name, &filter) {
            continue;
        }
        rows.push(class(i));
        if let Some(hidden) = objects(i, &mut rows)
            && hidden > 0
        {
            rows.push(more(i, hidden));
        }
    }
    rows
}

/// Pushes the first `shown` of a class's `total` object rows; returns how many are left out.
pub fn page<R>(
    objects: impl Iterator<Item = R>,
    total: usize,
    shown: usize,
    rows: &mut Vec<R>,
) -> usize {
    let n = shown.min(total);
    rows.extend(objects.take(n));
    total - n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_classes_show_a_page_of_objects_and_a_more_row() {
        let names = ["Alpha", "beta", "Gamma"];
        let rows = class_rows(
            names.into_iter(),
            "A",
            |i, rows| (i == 0).then(|| page((0..5).map(|o| format!("o{o}")), 5, 2, rows)),
            |i| names[i].to_string(),
            |_, hidden| format!("+{hidden}"),
        );
        assert_eq!(rows, ["Alpha", "o0", "o1", "+3", "beta", "Gamma"]);
    }
}

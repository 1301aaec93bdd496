//! The explorer's state, with no egui in it: what each view shows and how it changes when a
//! user sorts, filters, expands or selects. The `ui` module draws these and dispatches.

pub mod comparison;
pub mod format;
pub mod growth;
pub mod summary;
pub mod tree;

/// The class-name filter of the Summary and Comparison views: a case-insensitive substring
/// (DevTools' `name.toLowerCase().indexOf(filter)`); `filter_lower` is already lowercase.
pub fn name_matches(name: &str, filter_lower: &str) -> bool {
    filter_lower.is_empty() || name.to_lowercase().contains(filter_lower)
}

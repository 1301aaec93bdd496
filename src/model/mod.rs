//! The explorer's state, with no egui in it: what each view shows and how it changes when a
//! user sorts, filters, expands or selects. The `ui` module draws these and dispatches.

pub mod comparison;
pub mod format;
pub mod growth;
pub mod summary;
pub mod tree;

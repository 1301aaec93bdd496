//! What a feature's step asks of the rest of the state: a status line, errors to show, files
//! to open, a view to show. Features own their fields; `AppState` applies these.

use super::settings::Tab;
use std::path::PathBuf;

#[derive(Debug, Default, PartialEq)]
#[must_use]
pub struct Effects {
    pub status: Option<String>,
    pub errors: Vec<String>,
    pub open: Vec<PathBuf>,
    /// A view to show now (it replaces the one waiting for the loads to end).
    pub tab: Option<Tab>,
}

impl Effects {
    pub fn none() -> Self {
        Effects::default()
    }

    pub fn status(s: impl Into<String>) -> Self {
        Effects {
            status: Some(s.into()),
            ..Effects::default()
        }
    }

    pub fn error(e: impl Into<String>) -> Self {
        Effects {
            errors: vec![e.into()],
            ..Effects::default()
        }
    }

    pub fn open(files: Vec<PathBuf>) -> Self {
        Effects {
            open: files,
            ..Effects::default()
        }
    }

    pub fn with_tab(mut self, tab: Tab) -> Self {
        self.tab = Some(tab);
        self
    }

    /// Both: `other`'s status wins, errors and files add up.
    pub fn and(mut self, other: Effects) -> Self {
        self.status = other.status.or(self.status);
        self.errors.extend(other.errors);
        self.open.extend(other.open);
        self.tab = other.tab.or(self.tab);
        self
    }
}

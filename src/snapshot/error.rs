//! Errors met while reading a snapshot. Each one says what is wrong in words a user can act on.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: {message} (at byte {offset})")]
    Syntax {
        path: PathBuf,
        message: String,
        offset: u64,
    },
    #[error("{path}: loading was cancelled")]
    Cancelled { path: PathBuf },
}

impl LoadError {
    pub fn is_cancelled(&self) -> bool {
        matches!(self, LoadError::Cancelled { .. })
    }
}

/// An error inside the parser before the file name is attached.
#[derive(Debug)]
pub(crate) enum RawError {
    Io(std::io::Error),
    /// A problem with the document's content; the offset is known where the lexer found it.
    Bad(String, Option<u64>),
    Cancelled,
}

impl From<std::io::Error> for RawError {
    fn from(e: std::io::Error) -> Self {
        RawError::Io(e)
    }
}

impl RawError {
    pub(crate) fn bad(msg: impl Into<String>) -> Self {
        RawError::Bad(msg.into(), None)
    }
    pub(crate) fn at(msg: impl Into<String>, offset: u64) -> Self {
        RawError::Bad(msg.into(), Some(offset))
    }
    pub(crate) fn with_path(self, path: PathBuf) -> LoadError {
        match self {
            RawError::Io(source) => {
                if source.kind() == std::io::ErrorKind::InvalidData
                    || source.kind() == std::io::ErrorKind::UnexpectedEof
                {
                    LoadError::Invalid {
                        path,
                        message: format!("cannot decompress: {source}"),
                    }
                } else {
                    LoadError::Io { path, source }
                }
            }
            RawError::Bad(message, Some(offset)) => LoadError::Syntax {
                path,
                message,
                offset,
            },
            RawError::Bad(message, None) => LoadError::Invalid { path, message },
            RawError::Cancelled => LoadError::Cancelled { path },
        }
    }
}

//! `heapdive mcp`: a Model Context Protocol server on stdio for coding agents, over the same
//! engine as the CLI. Snapshots are loaded once and kept (`open` gives each an id, `s1`,
//! `s2`...); answers are compact text in words, sizes in human units with the bytes beside
//! them, lists paged with `offset`/`limit`; objects are named by their stable `@id`. A
//! failure is an MCP error whose message is the CLI's one line.

mod answers;

use crate::analysis::Heap;
use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// An open snapshot.
struct Open {
    id: String,
    path: PathBuf,
    canonical: PathBuf,
    heap: Arc<Heap>,
}

#[derive(Clone)]
pub struct HeapTools {
    open: Arc<Mutex<Vec<Open>>>,
    #[allow(dead_code)] // read by the code #[tool_handler] generates
    tool_router: ToolRouter<Self>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct OpenArgs {
    /// A .heapsnapshot or .heapsnapshot.gz file.
    pub path: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct SummaryArgs {
    /// A snapshot id from `open` (`s1`) or a file path.
    pub snapshot: String,
    /// Only classes whose name contains this text.
    pub class_filter: Option<String>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct LeaksArgs {
    /// Three or more snapshots of one process, oldest first (ids or paths), or one for its
    /// leak suspects.
    pub snapshots: Vec<String>,
    pub limit: Option<usize>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ObjectArgs {
    pub snapshot: String,
    /// The object's id, `@12345`.
    pub id: String,
    /// Retaining paths to explain (retainers), or edges to list (object).
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct DiffArgs {
    pub base: String,
    pub target: String,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

fn fail(msg: impl Into<String>) -> ErrorData {
    ErrorData::invalid_params(msg.into(), None)
}

impl HeapTools {
    pub fn new() -> HeapTools {
        HeapTools {
            open: Default::default(),
            tool_router: Self::tool_router(),
        }
    }

    /// The snapshot an id or a path names, loading a path the first time.
    fn heap(&self, which: &str) -> Result<(String, Arc<Heap>), ErrorData> {
        let mut open = self
            .open
            .lock()
            .map_err(|_| fail("the server's state is broken"))?;
        if let Some(o) = open.iter().find(|o| o.id == which) {
            return Ok((o.id.clone(), o.heap.clone()));
        }
        let path = PathBuf::from(which);
        let canonical = crate::paths::canonical(&path);
        if let Some(o) = open.iter().find(|o| o.canonical == canonical) {
            return Ok((o.id.clone(), o.heap.clone()));
        }
        if !path.exists() && which.starts_with('s') && which[1..].parse::<u32>().is_ok() {
            return Err(fail(format!("no open snapshot {which}: open a file first")));
        }
        let heap = crate::cli::load_quietly(&path).map_err(|e| fail(e.0))?;
        let id = format!("s{}", open.len() + 1);
        open.push(Open {
            id: id.clone(),
            path,
            canonical,
            heap: Arc::new(heap),
        });
        Ok((id, open.last().expect("pushed").heap.clone()))
    }

    fn path_of(&self, id: &str) -> PathBuf {
        let open = self.open.lock().expect("state");
        open.iter()
            .find(|o| o.id == id)
            .map_or_else(PathBuf::new, |o| o.path.clone())
    }
}

impl Default for HeapTools {
    fn default() -> Self {
        HeapTools::new()
    }
}

#[tool_router]
impl HeapTools {
    #[tool(description = "Open a heap snapshot (loaded once and kept): its id and totals.")]
    fn open(&self, Parameters(a): Parameters<OpenArgs>) -> Result<String, ErrorData> {
        let (id, h) = self.heap(&a.path)?;
        Ok(answers::opened(&id, &a.path, &h))
    }

    #[tool(
        description = "The Summary: classes by retained size (count, shallow, retained), paged."
    )]
    fn summary(&self, Parameters(a): Parameters<SummaryArgs>) -> Result<String, ErrorData> {
        let (id, h) = self.heap(&a.snapshot)?;
        let page = answers::Page::new(a.offset, a.limit);
        Ok(answers::summary(&id, &h, a.class_filter.as_deref(), page))
    }

    #[tool(
        description = "Compare two snapshots by class: new, deleted and size delta (the Comparison view), paged."
    )]
    fn diff(&self, Parameters(a): Parameters<DiffArgs>) -> Result<String, ErrorData> {
        let (_, b) = self.heap(&a.base)?;
        let (_, t) = self.heap(&a.target)?;
        Ok(answers::diff(&b, &t, answers::Page::new(a.offset, a.limit)))
    }

    #[tool(
        description = "The leak report: over three or more snapshots of one process (oldest first), one row per leak with its pattern, count per snapshot, where it builds up, code and fix; over one snapshot, its leak suspects."
    )]
    fn leaks(&self, Parameters(a): Parameters<LeaksArgs>) -> Result<String, ErrorData> {
        if a.snapshots.len() == 2 || a.snapshots.is_empty() {
            return Err(fail(
                "leaks needs one snapshot (its suspects) or a series of three or more (oldest first)",
            ));
        }
        let mut heaps = Vec::new();
        let mut files = Vec::new();
        for s in &a.snapshots {
            let (id, h) = self.heap(s)?;
            files.push(self.path_of(&id));
            heaps.push(h);
        }
        answers::leaks(&files, &heaps, a.limit.unwrap_or(10)).map_err(|e| fail(e.0))
    }

    #[tool(
        description = "Why an object is alive: its retainers and explaining retaining paths in words, with code locations."
    )]
    fn retainers(&self, Parameters(a): Parameters<ObjectArgs>) -> Result<String, ErrorData> {
        let (id, h) = self.heap(&a.snapshot)?;
        let near = self.path_of(&id);
        answers::retainers(&h, &a.id, a.limit.unwrap_or(3), &near).map_err(|e| fail(e.0))
    }

    #[tool(description = "One object: its details and outgoing edges (paged).")]
    fn object(&self, Parameters(a): Parameters<ObjectArgs>) -> Result<String, ErrorData> {
        let (_, h) = self.heap(&a.snapshot)?;
        answers::object(&h, &a.id, answers::Page::new(a.offset, a.limit)).map_err(|e| fail(e.0))
    }
}

#[tool_handler]
impl ServerHandler for HeapTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("heapdive", env!("CARGO_PKG_VERSION")))
            .with_instructions(
            "heapdive: V8 heap snapshots (.heapsnapshot) in words. Open files, then ask for the \
             leak report over a series, the retainers of an @id, the Summary or a diff.",
        )
    }
}

/// Serves MCP on stdin/stdout until the client closes the connection.
pub fn serve() -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the MCP server: {e}"))?;
    rt.block_on(async {
        let running = HeapTools::new()
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| format!("MCP handshake: {e}"))?;
        running
            .waiting()
            .await
            .map_err(|e| format!("MCP server: {e}"))?;
        Ok(())
    })
}

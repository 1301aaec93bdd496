//! `heapdive mcp`: a Model Context Protocol server on stdio for coding agents, over the same
//! engine as the CLI. Snapshots are loaded once and kept (`open` gives each an id, `s1`,
//! `s2`...); answers are compact text in words, sizes in human units with the bytes beside
//! them, lists paged with `offset`/`limit`; objects are named by their stable `@id`. A
//! failure is an MCP error whose message is the CLI's one line.

mod answers;
mod live;

use crate::analysis::Heap;
use crate::analysis::locations::Locations;
use crate::analysis::scopes::{Scope, scopes};
use crate::sources::SourceMaps;
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
    /// Its closure scopes, once asked for.
    scopes: Option<Arc<Vec<Scope>>>,
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
pub struct PagedArgs {
    /// A snapshot id from `open` (`s1`) or a file path.
    pub snapshot: String,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct CaptureArgs {
    /// The running process: HOST:PORT of its inspector (its first Node or page target), a
    /// ws:// URL, or pid:PID (Node without --inspect: SIGUSR1 opens 127.0.0.1:9229).
    pub target: String,
    /// Snapshots to take (default 1, at most 50).
    pub count: Option<u32>,
    /// Seconds between snapshots, start to start (default 0: back to back).
    pub interval: Option<f64>,
    /// Collect garbage before each snapshot (default true).
    pub gc: Option<bool>,
    /// Folder for the files (default: heapdive-captures in the user's data directory).
    pub dir: Option<String>,
    /// Open the files as snapshots (ids for the other tools; default true).
    pub open: Option<bool>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct CheckToolArgs {
    /// JavaScript evaluated in the program's global scope once per round (awaited when it
    /// returns a promise).
    pub action: String,
    /// The program to start with its inspector on a free loopback port: ["node", "app.js", ...].
    pub program: Option<Vec<String>>,
    /// Environment variables for the program, such as {"NODE_ENV": "test"}.
    pub env: Option<std::collections::BTreeMap<String, String>>,
    /// Use a process that already listens (HOST:PORT) instead.
    pub attach: Option<String>,
    /// Open this page in headless Chromium instead.
    pub url: Option<String>,
    /// The Chromium to run for `url` (default: on PATH).
    pub browser: Option<String>,
    /// JavaScript that is truthy once the program is ready (polled until then).
    pub ready: Option<String>,
    /// Rounds of the action, each followed by a GC and a snapshot (default 3, at least 2).
    pub repeat: Option<u32>,
    /// Rounds before the first snapshot (default 1).
    pub warmup: Option<u32>,
    /// A leak adds at least this many objects per round (default 1).
    pub min_count: Option<u64>,
    /// A leak adds at least this many bytes per round (default 1024).
    pub min_bytes: Option<u64>,
    /// Where the snapshots go (default: a new temporary folder).
    pub out: Option<String>,
    /// Keep the snapshots on a pass too (always kept on a leak).
    pub keep: Option<bool>,
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
            scopes: None,
        });
        Ok((id, open.last().expect("pushed").heap.clone()))
    }

    /// Keeps a snapshot loaded elsewhere (captured, checked) under a new id.
    fn keep(&self, path: PathBuf, heap: Arc<Heap>) -> String {
        let mut open = self.open.lock().expect("state");
        let id = format!("s{}", open.len() + 1);
        let canonical = crate::paths::canonical(&path);
        open.push(Open {
            id: id.clone(),
            path,
            canonical,
            heap,
            scopes: None,
        });
        id
    }

    /// A snapshot's closure scopes, found once.
    fn scopes_of(&self, id: &str, h: &Heap) -> Arc<Vec<Scope>> {
        let known = self.open.lock().expect("state");
        if let Some(s) = known
            .iter()
            .find(|o| o.id == id)
            .and_then(|o| o.scopes.clone())
        {
            return s;
        }
        drop(known);
        let found = Arc::new(scopes(h, &Locations::build(&h.snap)));
        let mut open = self.open.lock().expect("state");
        if let Some(o) = open.iter_mut().find(|o| o.id == id) {
            o.scopes = Some(found.clone());
        }
        found
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

    #[tool(
        description = "Closure scopes (contexts): each with its function's code, retained size and biggest variables, biggest first, paged."
    )]
    fn contexts(&self, Parameters(a): Parameters<PagedArgs>) -> Result<String, ErrorData> {
        let (id, h) = self.heap(&a.snapshot)?;
        let all = self.scopes_of(&id, &h);
        let mut maps = SourceMaps::new();
        maps.search_near(&self.path_of(&id));
        let page = answers::Page::new(a.offset, a.limit);
        Ok(answers::contexts(&id, &all, &mut maps, page))
    }

    #[tool(
        description = "Native contexts (realms: a page, an iframe, a Node vm context) with the bytes attributed to each as DevTools attributes them, then objects shared between contexts and those attributed to none."
    )]
    fn native_contexts(&self, Parameters(a): Parameters<PagedArgs>) -> Result<String, ErrorData> {
        let (id, h) = self.heap(&a.snapshot)?;
        let found = crate::analysis::native_contexts::NativeContexts::compute(&h);
        let page = answers::Page::new(a.offset, a.limit);
        Ok(answers::native_contexts(&id, &found, page))
    }

    #[tool(
        description = "Where objects were allocated (a snapshot taken with allocation tracking): one row per function, allocated and still live, paged."
    )]
    fn allocations(&self, Parameters(a): Parameters<PagedArgs>) -> Result<String, ErrorData> {
        let (id, h) = self.heap(&a.snapshot)?;
        let page = answers::Page::new(a.offset, a.limit);
        answers::allocations(&id, &h, &self.path_of(&id), page).map_err(|e| fail(e.0))
    }

    #[tool(
        description = "Take heap snapshots of a running process over its inspector (target, count, interval in seconds); they are opened as ids for leaks and the other tools."
    )]
    async fn capture(&self, Parameters(a): Parameters<CaptureArgs>) -> Result<String, ErrorData> {
        let ask = live::capture_ask(a.target, a.count, a.interval, a.gc.unwrap_or(true), a.dir)
            .map_err(|e| fail(e.0))?;
        let open = a.open.unwrap_or(true);
        let tools = self.clone();
        blocking(move || {
            let (described, saved) = live::capture(&ask)?;
            let mut ids = Vec::new();
            for f in saved.iter().filter(|_| open) {
                let heap = crate::cli::load_quietly(&f.path)?;
                ids.push(tools.keep(f.path.clone(), Arc::new(heap)));
            }
            Ok(live::captured(&described, &saved, &ids))
        })
        .await
    }

    #[tool(
        description = "A leak test (heapdive check): start a program (or attach, or open a page in headless Chromium), repeat an action, snapshot after each round, and decide: leak (each row that grew in every round, with its count per round, where it builds up, code and fix) or pass. A scenario that fails is an error saying which."
    )]
    async fn check(&self, Parameters(a): Parameters<CheckToolArgs>) -> Result<String, ErrorData> {
        let tools = self.clone();
        blocking(move || {
            let mut v = live::check(a).map_err(crate::cli::CliError)?;
            let mut ids = Vec::new();
            if v.outcome == crate::cli::check::Outcome::Leak {
                let heaps = std::mem::take(&mut v.heaps);
                for (p, h) in v.snapshots.iter().zip(heaps) {
                    ids.push(tools.keep(p.clone(), Arc::new(h)));
                }
            }
            Ok(live::checked(&v, &ids))
        })
        .await
    }

    #[tool(description = "One object: its details and outgoing edges (paged).")]
    fn object(&self, Parameters(a): Parameters<ObjectArgs>) -> Result<String, ErrorData> {
        let (_, h) = self.heap(&a.snapshot)?;
        answers::object(&h, &a.id, answers::Page::new(a.offset, a.limit)).map_err(|e| fail(e.0))
    }
}

/// Runs `work` on a thread of its own, so that the server goes on answering meanwhile.
async fn blocking(
    work: impl FnOnce() -> Result<String, crate::cli::CliError> + Send + 'static,
) -> Result<String, ErrorData> {
    match tokio::task::spawn_blocking(work).await {
        Ok(r) => r.map_err(|e| fail(e.0)),
        Err(e) => Err(ErrorData::internal_error(
            format!("the tool failed: {e}"),
            None,
        )),
    }
}

#[tool_handler]
impl ServerHandler for HeapTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("heapdive", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "heapdive: V8 heap snapshots (.heapsnapshot) in words. Open files (or capture them \
             from a running process, or run a leak test with check), then ask for the leak \
             report over a series, the retainers of an @id, the Summary, a diff, closure \
             scopes or allocations.",
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

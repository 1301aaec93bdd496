//! `heapdive mcp` with a real client: the MCP SDK's own, over the server's stdio.

use crate::common;
use common::node::Node;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use std::path::Path;

/// The text of a tool call's answer, or the error's message.
async fn call<S>(
    client: &rmcp::service::RunningService<rmcp::RoleClient, S>,
    tool: &'static str,
    args: serde_json::Value,
) -> Result<String, String>
where
    S: rmcp::service::Service<rmcp::RoleClient>,
{
    let params = CallToolRequestParams::new(tool)
        .with_arguments(args.as_object().expect("an object").clone());
    match client.call_tool(params).await {
        Ok(r) => Ok(r
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect::<Vec<_>>()
            .join("\n")),
        Err(e) => Err(e.to_string()),
    }
}

/// A size as the answers give it: `1.4 MB (1,423,744 B)`.
fn size(b: u64) -> String {
    format!(
        "{} ({} B)",
        heapdive::fmt::bytes(b),
        heapdive::fmt::group(b)
    )
}

type Client = rmcp::service::RunningService<rmcp::RoleClient, ()>;

/// `heapdive mcp` as a child process (with `env` set for it and the programs it starts),
/// and rmcp's client on its stdio.
async fn client(env: &[(&str, &str)]) -> Client {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_heapdive"));
    cmd.arg("mcp");
    for (k, v) in env {
        cmd.env(k, v);
    }
    ().serve(TokioChildProcess::new(cmd).unwrap())
        .await
        .unwrap()
}

/// The names of the tools the server lists.
async fn tool_names(client: &Client) -> Vec<String> {
    let tools = client.list_all_tools().await.unwrap();
    tools.into_iter().map(|t| t.name.to_string()).collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn an_mcp_client_opens_the_samples_and_hears_the_leak_and_why_it_is_alive() {
    runtime().block_on(async {
        let client = client(&[]).await;
        let tools = tool_names(&client).await;
        for want in ["open", "summary", "diff", "leaks", "retainers", "object"] {
            assert!(tools.iter().any(|t| t == want), "{want} in {tools:?}");
        }
        for i in 0..4 {
            let path = common::leak(i);
            let text = call(&client, "open", json!({ "path": path }))
                .await
                .unwrap();
            assert!(text.starts_with(&format!("s{}: ", i + 1)), "{text}");
        }
        // The same file again is the same snapshot, not a second load.
        let again = call(&client, "open", json!({ "path": common::leak(0) }))
            .await
            .unwrap();
        assert!(again.starts_with("s1: "), "{again}");
        let report = call(
            &client,
            "leaks",
            json!({ "snapshots": ["s1", "s2", "s3", "s4"] }),
        )
        .await
        .unwrap();
        assert!(
            report.contains("1. [collection] Session ×1,200 added"),
            "{report}"
        );
        assert!(
            report.contains("builds up in: Map held by variable cache in module scope of leak.js"),
            "{report}"
        );
        // The top row's object, and why it is alive, in words with its code.
        let id = report
            .split("(e.g. @")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .expect("a representative id");
        let why = call(
            &client,
            "retainers",
            json!({ "snapshot": "s4", "id": format!("@{id}") }),
        )
        .await
        .unwrap();
        assert!(why.contains("module scope of leak.js @"), "{why}");
        assert!(why.contains("variable cache"), "{why}");
        assert!(why.contains("leak.js:7"), "{why}");
        // Errors are MCP errors with the CLI's words.
        let err = call(&client, "leaks", json!({ "snapshots": ["s1", "s2"] }))
            .await
            .unwrap_err();
        assert!(err.contains("a series of three or more"), "{err}");
        let err = call(&client, "object", json!({ "snapshot": "s1", "id": "@1" })).await;
        assert!(err.is_ok(), "{err:?}");
        let err = call(&client, "object", json!({ "snapshot": "s1", "id": "x" }))
            .await
            .unwrap_err();
        assert!(err.contains("is not an object id"), "{err}");
        client.cancel().await.unwrap();
    });
}

#[test]
fn an_mcp_client_hears_closure_scopes_and_allocations() {
    runtime().block_on(async {
        let client = client(&[]).await;
        let tools = tool_names(&client).await;
        for want in [
            "contexts",
            "native_contexts",
            "allocations",
            "capture",
            "check",
        ] {
            assert!(tools.iter().any(|t| t == want), "{want} in {tools:?}");
        }
        // The leaking app's module scope is the biggest, its Map first among its variables.
        let leak3 = common::leak(3);
        let scopes = call(
            &client,
            "contexts",
            json!({ "snapshot": leak3, "limit": 2 }),
        )
        .await
        .unwrap();
        let lines: Vec<&str> = scopes.lines().collect();
        assert_eq!(
            lines[0], "s1: 2,327 scopes (closure contexts), biggest retained size first",
            "{scopes}"
        );
        let want = format!(
            "1. module scope of leak.js @6165, retained {}  at leak.js:1:1",
            size(1_423_744)
        );
        assert_eq!(lines[1], want, "{scopes}");
        let want = format!(
            "   variable cache: Map @58881, retained {}",
            size(1_094_696)
        );
        assert_eq!(lines[2], want, "{scopes}");
        assert_eq!(lines[6], "   variable timers: Array @58885, retained 184 B");
        assert!(lines[7].starts_with("2. scope in node:internal/bootstrap/realm @73479"));
        assert_eq!(lines[8], "rows 1-2 of 2327; offset 2 for more", "{scopes}");
        // The next page starts at the second scope.
        let next = call(
            &client,
            "contexts",
            json!({ "snapshot": "s1", "offset": 1, "limit": 1 }),
        )
        .await
        .unwrap();
        assert!(next.lines().nth(1).unwrap().starts_with("2. "), "{next}");
        assert!(
            next.ends_with("rows 2-2 of 2327; offset 2 for more"),
            "{next}"
        );

        // A page with an iframe: its realms with the bytes DevTools attributes to each (the
        // oracle's numbers in fixtures/contexts/shop.contexts.json).
        let shop = common::fixture("contexts/shop.heapsnapshot.gz");
        let realms = call(&client, "native_contexts", json!({ "snapshot": shop }))
            .await
            .unwrap();
        let lines: Vec<&str> = realms.lines().collect();
        assert!(
            lines[0].ends_with(": 3 native contexts, biggest attributed size first"),
            "{realms}"
        );
        assert_eq!(
            lines[1],
            format!(
                "1. http://shop.localhost:8080 @7601: {} attributed",
                size(316_100)
            ),
            "{realms}"
        );
        assert_eq!(
            lines[3],
            format!("3. (unnamed) @7415: {} attributed", size(81_596))
        );
        assert_eq!(
            lines[4],
            format!("shared between native contexts: {}", size(250_990))
        );
        assert_eq!(
            lines[5],
            format!("not attributed to a native context: {}", size(353_788))
        );

        // The tracked fixture: Order's constructor allocated in tracked.js, most of it live.
        let tracked = common::fixture("alloc/tracked.heapsnapshot.gz");
        let alloc = call(&client, "allocations", json!({ "snapshot": tracked }))
            .await
            .unwrap();
        assert!(alloc.starts_with("s3: "), "{alloc}");
        let order = alloc
            .lines()
            .find(|l| l.contains(". Order at tracked.js:20:26"))
            .unwrap_or_else(|| panic!("{alloc}"));
        let want = format!(
            "×5,827 allocated, {}; ×6,430 live, {}",
            size(237_528),
            size(195_472)
        );
        assert!(order.ends_with(&want), "{order}");
        // A snapshot without allocation tracking: the CLI's line, as an MCP error.
        let err = call(&client, "allocations", json!({ "snapshot": "s1" }))
            .await
            .unwrap_err();
        assert!(err.contains("has no allocation stacks"), "{err}");
        client.cancel().await.unwrap();
    });
}

#[test]
fn an_mcp_client_captures_a_live_node_and_runs_a_leak_check() {
    let feed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_app/feed.js");
    runtime().block_on(async {
        let client = client(&[]).await;
        // capture: three snapshots of leaky.js, opened as s1-s3, and its leak over them.
        let mut node = Node::inspect(&[]);
        let dir = common::scratch("mcp-capture");
        let args = json!({ "target": node.at(), "count": 3, "interval": 1, "dir": dir });
        let got = call(&client, "capture", args).await.unwrap();
        assert!(got.starts_with("captured 3 snapshot(s) of node "), "{got}");
        for i in 1..=3 {
            let line = format!(
                "s{i}: {}",
                dir.join(format!("capture-{i}.heapsnapshot")).display()
            );
            assert!(got.contains(&line), "{line} in {got}");
        }
        assert!(
            got.ends_with(r#"next: leaks {"snapshots": ["s1", "s2", "s3"]}"#),
            "{got}"
        );
        let report = call(&client, "leaks", json!({ "snapshots": ["s1", "s2", "s3"] }))
            .await
            .unwrap();
        assert!(report.contains("LeakedSession"), "{report}");
        let at = node.at();
        node.kill();
        let err = call(&client, "capture", json!({ "target": at }))
            .await
            .unwrap_err();
        assert!(err.contains(&at), "{err}");

        // check: the feed (LEAK=1) leaks 30 Watchers per round; the snapshots are opened as
        // s4-s7.
        let program = json!(["node", feed]);
        let env = json!({ "LEAK": "1" });
        let dir = common::scratch("mcp-check-leak");
        let args = json!({
            "program": program, "env": env, "ready": "ready", "action": "round()", "out": dir
        });
        let verdict = call(&client, "check", args).await.unwrap();
        assert!(
            verdict.starts_with("leak: 1 row grows in every round"),
            "{verdict}"
        );
        assert!(verdict.contains("(+30 per round)"), "{verdict}");
        assert!(verdict.contains("opened as s4, s5, s6, s7"), "{verdict}");
        let report = call(
            &client,
            "leaks",
            json!({ "snapshots": ["s4", "s5", "s6", "s7"], "limit": 1 }),
        )
        .await
        .unwrap();
        assert!(report.contains("Watcher"), "{report}");
        // A scenario that fails is an MCP error with check's one line.
        let args = json!({ "program": program, "ready": "ready", "action": "missing()" });
        let err = call(&client, "check", args).await.unwrap_err();
        assert!(
            err.contains("the scenario failed: `missing()` threw: ReferenceError"),
            "{err}"
        );
        // Without LEAK=1 the same feed passes, and its snapshots are gone.
        let dir = common::scratch("mcp-check-pass");
        let args = json!({ "program": program, "ready": "ready", "action": "round()", "out": dir });
        let verdict = call(&client, "check", args).await.unwrap();
        assert_eq!(verdict, "pass: no row grew in every round");
        assert_eq!(std::fs::read_dir(&dir).map_or(0, |d| d.count()), 0);
        client.cancel().await.unwrap();
    });
}

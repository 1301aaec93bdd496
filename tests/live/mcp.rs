//! `heapdive mcp` with a real client: the MCP SDK's own, over the server's stdio.

use crate::common;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::json;

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

#[test]
fn an_mcp_client_opens_the_samples_and_hears_the_leak_and_why_it_is_alive() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_heapdive"));
        cmd.arg("mcp");
        let client = ().serve(TokioChildProcess::new(cmd).unwrap()).await.unwrap();
        let tools: Vec<String> = client
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
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

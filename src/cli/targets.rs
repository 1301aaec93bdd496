use super::CliError;
use crate::capture::{Target, list_targets};
use std::io::Write;

/// The targets an inspector lists: one per line (type, title, url, WebSocket URL), or JSON.
pub fn run(at: &str, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let (host, port) = match Target::parse(at)? {
        Target::Inspector { host, port } => (host, port),
        _ => return Err(CliError(format!("{at}: `targets` takes HOST:PORT"))),
    };
    let list = list_targets(&host, port)?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &list)?;
        writeln!(out)?;
        return Ok(());
    }
    for t in &list {
        let ws = if t.ws_url.is_empty() {
            "(attached elsewhere)"
        } else {
            &t.ws_url
        };
        writeln!(out, "{}\t{}\t{}\t{}", t.kind, t.title, t.url, ws)?;
    }
    if list.is_empty() {
        eprintln!("{at} lists no targets");
    }
    Ok(())
}

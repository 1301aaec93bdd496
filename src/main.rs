use clap::Parser;
use heapdive::cli::{Cli, run_to_exit};

fn main() {
    let cli = Cli::parse();
    match cli.command {
        // The MCP server writes stdout from tokio's threads: it must not be locked here.
        Some(heapdive::cli::Command::Mcp) => {
            if let Err(e) = heapdive::mcp::serve() {
                eprintln!("heapdive: {e}");
                std::process::exit(1);
            }
        }
        Some(cmd) => {
            let stdout = std::io::stdout();
            let code = run_to_exit(cmd, &mut stdout.lock());
            if code != 0 {
                std::process::exit(code);
            }
        }
        None => open_window(cli.files, cli.select),
    }
}

#[cfg(feature = "gui")]
fn open_window(files: Vec<std::path::PathBuf>, select: Option<u64>) {
    if let Err(e) = heapdive::ui::run_app(files, select) {
        eprintln!("heapdive: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(_files: Vec<std::path::PathBuf>, _select: Option<u64>) {
    eprintln!(
        "heapdive: this build has no window (built without the `gui` feature); see heapdive --help"
    );
    std::process::exit(2);
}

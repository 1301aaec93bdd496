use clap::Parser;
use heapdive::cli::{Cli, run};

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Some(cmd) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if let Err(e) = run(cmd, &mut out) {
                // A reader that stopped early (`| head`) is not an error worth a message.
                if e.0.contains("Broken pipe") {
                    return;
                }
                eprintln!("heapdive: {}", e.0);
                std::process::exit(1);
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

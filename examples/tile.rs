//! Tiles a snapshot K times (see `tests/bench/tile.rs`):
//!
//!   cargo run --release --example tile -- IN.heapsnapshot OUT.heapsnapshot K

#[path = "../tests/bench/tile.rs"]
mod tile;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, k] = args.as_slice() else {
        eprintln!("usage: tile IN.heapsnapshot OUT.heapsnapshot K");
        std::process::exit(2);
    };
    let Ok(k) = k.parse::<u64>() else {
        eprintln!("tile: K is not a number: {k}");
        std::process::exit(2);
    };
    match tile::tile(input.as_ref(), output.as_ref(), k) {
        Ok(t) => eprintln!(
            "tile: {k} copies: {} nodes, {} edges, id stride {} (0: ids numbered densely)",
            t.node_count, t.edge_count, t.id_stride
        ),
        Err(e) => {
            eprintln!("tile: {e}");
            std::process::exit(1);
        }
    }
}

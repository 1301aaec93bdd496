//! Frame-time benchmark of the explorer on a big snapshot (no GPU: the app's `ui` runs in an
//! egui_kittest harness, which is the UI thread's work without the GPU upload).
//!
//!     cargo run --release --example frame_times -- bench-out/big-16m.heapsnapshot
//!
//! Prints p50 / p95 / max frame times while scrolling Summary, Dominators and Containment,
//! while a class of millions of objects expands, and how long selecting an object takes
//! until its retainers are shown. Each frame is also timed in the UI thread's own CPU time
//! (p50 / p95): on a shared machine the wall time also holds the time other processes
//! had the core, the CPU time mostly not, so two builds compare by it even when busy.

use egui_kittest::Harness;
use heapdive::model::summary::Row;
use heapdive::model::{Command, ObjRef};
use heapdive::ui::{HeapdiveApp, Settings, Tab};
use std::time::{Duration, Instant};

/// One frame's wall time and the UI thread's CPU time in it.
type Times = (Duration, Duration);

fn stats(name: &str, v: Vec<Times>) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let sorted = |mut d: Vec<Duration>| {
        d.sort();
        d
    };
    let wall = sorted(v.iter().map(|t| t.0).collect());
    let cpu = sorted(v.iter().map(|t| t.1).collect());
    let p = |d: &[Duration], q: f64| ms(d[((d.len() as f64 - 1.0) * q) as usize]);
    println!(
        "| {name} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} ms | {:.2} ms |",
        v.len(),
        p(&wall, 0.5),
        p(&wall, 0.95),
        ms(*wall.last().unwrap()),
        p(&cpu, 0.5),
        p(&cpu, 0.95),
    );
}

fn thread_cpu() -> Duration {
    use nix::time::{ClockId, clock_gettime};
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).map_or(Duration::ZERO, Duration::from)
}

fn frame(h: &mut Harness<'static, HeapdiveApp>) -> Times {
    let (t, c) = (Instant::now(), thread_cpu());
    h.step();
    (t.elapsed(), thread_cpu() - c)
}

fn scroll(h: &mut Harness<'static, HeapdiveApp>, frames: usize) -> Vec<Times> {
    let mut v = Vec::new();
    for _ in 0..frames {
        h.hover_at(egui::pos2(600.0, 300.0));
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -400.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        v.push(frame(h));
    }
    v
}

fn main() {
    let file = std::env::args()
        .nth(1)
        .expect("usage: frame_times FILE.heapsnapshot");
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(
            |ui, app: &mut HeapdiveApp| app.ui(ui),
            HeapdiveApp::new(Settings::default()),
        );
    let t = Instant::now();
    h.state_mut().open_files(vec![file.clone().into()]);
    let mut loading_frames = Vec::new();
    while h.state().state.loads.is_loading() {
        loading_frames.push(frame(&mut h));
        std::thread::sleep(Duration::from_millis(16));
    }
    let load = t.elapsed();
    assert!(
        !h.state().state.snaps.is_empty(),
        "{:?}",
        h.state().state.errors
    );
    println!(
        "{file}: loaded in {:.2} s (the window stayed responsive while loading)\n",
        load.as_secs_f64()
    );
    println!("| what | frames | p50 | p95 | max | CPU p50 | CPU p95 |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    stats("frames while loading", loading_frames);
    stats("Summary, idle", (0..30).map(|_| frame(&mut h)).collect());
    stats("Summary, scrolling", scroll(&mut h, 60));

    // Expand the class with the most objects: its sort runs on a worker thread.
    let (ci, count) = {
        let m = &h.state().state.snaps[0].summary;
        m.classes
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.count))
            .max_by_key(|x| x.1)
            .unwrap()
    };
    h.state_mut().state.snaps[0].summary.toggle(ci);
    let t = Instant::now();
    let mut expanding = Vec::new();
    while h.state().state.snaps[0].summary.is_sorting() {
        expanding.push(frame(&mut h));
        std::thread::sleep(Duration::from_millis(8));
    }
    expanding.push(frame(&mut h));
    let sorted_in = t.elapsed();
    stats(
        &format!(
            "expanding a class of {count} objects (sorted in {:.0} ms off the UI thread)",
            sorted_in.as_secs_f64() * 1e3
        ),
        expanding,
    );
    stats(
        "Summary with the big class open, scrolling",
        scroll(&mut h, 60),
    );

    // Select an object of that class: the retainers tree is built on the UI thread.
    let snap = h.state().state.snaps[0].id;
    let node = h.state().state.snaps[0]
        .summary
        .rows
        .iter()
        .find_map(|r| {
            if let Row::Object { node, .. } = r {
                Some(*node)
            } else {
                None
            }
        })
        .unwrap();
    let t = Instant::now();
    h.state_mut().run(Command::Select(ObjRef::new(snap, node)));
    let sel = t.elapsed();
    let f = frame(&mut h).0;
    println!(
        "| selecting an object until its retainers are drawn | 1 | {:.1} ms | | | | |",
        (sel + f).as_secs_f64() * 1e3
    );

    h.state_mut().run(Command::ShowTab(Tab::Dominators));
    frame(&mut h);
    stats("Dominators, scrolling", scroll(&mut h, 60));
    h.state_mut().run(Command::ShowTab(Tab::Containment));
    frame(&mut h);
    stats("Containment, scrolling", scroll(&mut h, 60));
}

//! The Summary's native-context filters and the Statistics' context picker in the window, on
//! a Chromium page with an iframe and a worker (fixtures/contexts).

use crate::common::{self, CONTEXTS_PAGE, gunzip_text, summary_rows};
use common::window::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use heapdive::analysis::filters::NodeFilter;
use heapdive::model::Command;
use heapdive::model::summary::native_context_filters;
use heapdive::ui::{HeapdiveApp, Tab};
use serde_json::Value;

fn open_page() -> Harness<'static, HeapdiveApp> {
    let mut h = harness();
    let file = common::fixture(&format!("{CONTEXTS_PAGE}.heapsnapshot.gz"));
    h.state_mut().open_files(vec![file]);
    settle(&mut h);
    assert_eq!(h.state().state.snaps.len(), 1);
    h
}

/// The filter menu's native-context entries of the open snapshot, as the window lists them.
fn context_entries(h: &Harness<'static, HeapdiveApp>) -> Vec<(NodeFilter, String)> {
    let s = h.state().state.snaps.current_snap().unwrap();
    let all = s
        .native_contexts
        .as_ref()
        .expect("native contexts computed");
    native_context_filters(all)
}

#[test]
fn picking_a_native_context_filter_shows_the_oracle_s_rows() {
    let mut h = open_page();
    // Not computed after the load: when the filter menu is opened.
    assert!(h.state().state.snaps[0].native_contexts.is_none());
    h.get_by_value("All objects").click();
    settle(&mut h);
    let entries = context_entries(&h);
    // Three contexts, then shared and not attributed, as DevTools lists them.
    assert_eq!(entries.len(), 5);
    assert!(
        entries[0]
            .1
            .starts_with("Native context http://shop.localhost:8080 @")
    );
    assert!(
        entries[3]
            .1
            .starts_with("Objects shared between native contexts (")
    );
    assert!(
        entries[4]
            .1
            .starts_with("Objects not attributed to a native context (")
    );

    let (page, label) = entries[0].clone();
    h.get_by_label(&label).click();
    settle(&mut h);

    let s = h.state().state.snaps.current_snap().unwrap();
    assert_eq!(s.summary.filter, page);
    let NodeFilter::NativeContext { id, .. } = page else {
        panic!("{page:?}");
    };
    // The combo says which context is shown.
    h.get_by_value(&label);
    let path = common::fixture(&format!(
        "{CONTEXTS_PAGE}.summary.nativeContext@{id}.json.gz"
    ));
    let expected: Value = serde_json::from_str(&gunzip_text(&path)).unwrap();
    let mine = serde_json::to_value(&s.summary.classes).unwrap();
    assert_eq!(
        summary_rows(
            &mine,
            ["name", "count", "distance", "shallow_size", "retained_size"]
        ),
        summary_rows(
            &expected,
            ["name", "count", "distance", "shallowSize", "retainedSize"]
        )
    );
}

#[test]
fn statistics_can_be_shown_per_native_context() {
    let mut h = open_page();
    h.state_mut().run(Command::ShowTab(Tab::Statistics));
    settle(&mut h);
    let entries = context_entries(&h);
    let whole = h
        .state()
        .state
        .snaps
        .current_snap()
        .unwrap()
        .heap()
        .statistics
        .total;
    h.get_by_label(&format!("Total: {}", heapdive::fmt::size(whole)));

    h.get_by_value("the whole heap").click();
    h.run_steps(2);
    let (iframe, label) = entries[1].clone();
    h.get_by_label(&label).click();
    h.run_steps(3);
    let s = h.state().state.snaps.current_snap().unwrap();
    assert_eq!(s.statistics_of, iframe);
    let NodeFilter::NativeContext { node, .. } = iframe else {
        panic!("{iframe:?}");
    };
    let size = s
        .native_contexts
        .as_ref()
        .unwrap()
        .by_node(node)
        .unwrap()
        .attributed_size;
    assert!(size < whole);
    h.get_by_label(&format!("Total: {}", heapdive::fmt::size(size)));
}

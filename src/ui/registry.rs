//! The one list of views: it drives the tab bar, the drawing and the keys. Views import the
//! trait (`views.rs`), this file imports the views, so neither depends on the other back.

use super::views::View;

/// Every view, in tab-bar order.
pub fn registry() -> Vec<Box<dyn View>> {
    vec![
        Box::new(super::summary::SummaryView::default()),
        Box::new(super::tree_tab::TreeTab::containment()),
        Box::new(super::tree_tab::TreeTab::dominators()),
        Box::new(super::statistics::StatisticsView),
        Box::new(super::scopes::ScopesView::default()),
        Box::new(super::comparison::ComparisonView::default()),
        Box::new(super::growth::GrowthView),
        Box::new(super::allocations::AllocationsView::default()),
        Box::new(super::profile::ProfileView::default()),
        Box::new(super::timeline::TimelineView::default()),
    ]
}

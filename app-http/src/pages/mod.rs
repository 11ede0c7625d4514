//! The allocation admin pages (http-api.md H6.3–H6.8): server-rendered and autoescaped; the
//! interactive ones call the JSON API from their own scripts under `/static/` (H6.1, S13.2).

mod assets;
mod chart;
mod closures;
pub mod csp;
mod detail;
mod earliest;
mod history;
pub mod landing;
pub mod layout;
mod overrides;
mod query;
mod schedule;

use crate::state::AppState;
use chrono::NaiveDate;
use domain::ports::Clock;
use poem::{Route, get};

/// The pages and their methods, for `Allow` on a 405 (H0.9).
pub const ROUTES: &[(&str, &str)] = &[
    ("/closures/ui", "GET"),
    ("/capacity_overrides/ui", "GET"),
    ("/availability/earliest", "GET"),
    ("/availability/schedule", "GET"),
    ("/allocations/history", "GET"),
    ("/allocations/history/{id}", "GET"),
    ("/static/{file}", "GET"),
];

/// Adds every admin page and the static files to the route tree.
pub fn mount(route: Route) -> Route {
    route
        .at("/static/:file", get(assets::asset))
        .at("/closures/ui", get(closures::page))
        .at("/capacity_overrides/ui", get(overrides::page))
        .at("/availability/earliest", get(earliest::page))
        .at("/availability/schedule", get(schedule::page))
        .at("/allocations/history", get(history::page))
        .at("/allocations/history/:id", get(detail::page))
}

/// Today in the firm's time zone (H6.1: allocation pages show firm-local dates). In demo mode
/// this is the demo firm's day, the one the allocation engine computes with, so the override
/// states agree with the availability pages.
pub fn firm_today(state: &AppState) -> NaiveDate {
    let now = state
        .demo
        .as_ref()
        .map_or_else(|| state.clock.now(), |demo| demo.clock.now());
    now.with_timezone(&state.firm.timezone()).date_naive()
}

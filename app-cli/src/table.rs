//! `--format table`: the result for people (scenario-format.md §5). Not a stable contract.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, CellAlignment, ContentArrangement, Table};
use domain::allocation::{AdviserOutcome, AllocationResult, Schedule, Week};
use std::fmt::Write;

pub fn render(result: &AllocationResult) -> String {
    let mut out = String::new();
    header(&mut out, result);
    for adviser in &result.advisers {
        out.push('\n');
        adviser_block(&mut out, adviser);
    }
    out.push('\n');
    out.push_str(&decision_line(result));
    out
}

fn header(out: &mut String, r: &AllocationResult) {
    let c = r.config.values();
    let _ = writeln!(
        out,
        "Allot dry run · mode {} · today {} · current week {} ({}) · earliest allowed week {} ({})",
        r.mode.code(),
        r.today,
        r.current_week,
        r.current_week.iso_label(),
        r.earliest_allowed_week,
        r.earliest_allowed_week.iso_label(),
    );
    let _ = writeln!(
        out,
        "config: timezone {} · prestart {} wk · buffer {} wk · horizon {} wk · max {} Clarifies/wk · limits {} (base) / {} (solo)",
        r.config.timezone().name(),
        c.prestart_weeks,
        c.buffer_weeks,
        c.horizon_weeks,
        c.max_clarifies_per_week,
        c.base_limit_monthly,
        c.solo_limit_monthly,
    );
}

fn adviser_block(out: &mut String, a: &AdviserOutcome) {
    let status = match a.excluded_reason {
        None => "eligible".to_owned(),
        Some(reason) => format!("excluded: {}", reason.code()),
    };
    let _ = writeln!(out, "■ {} ({}): {status}", a.email, a.name);
    let _ = writeln!(
        out,
        "  limit {} per month ({})",
        a.limit.client_limit_monthly,
        a.limit.source.code()
    );
    if let Some(start) = a.availability_start_week {
        let _ = writeln!(out, "  available from {start} ({})", start.iso_label());
    }
    if let Some(s) = &a.schedule {
        let _ = writeln!(
            out,
            "  earliest open week {} ({}){}",
            s.earliest_open_week,
            s.earliest_open_week.iso_label(),
            if s.fallback { " (fallback)" } else { "" }
        );
    }
    for w in &a.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    if let Some(s) = &a.schedule {
        let _ = writeln!(out, "{}", week_table(s));
    }
}

fn week_table(s: &Schedule) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(
            [
                "Week", "Clarify", "Kick Off", "OOO", "Deals", "Target", "Actual", "Diff", "",
            ]
            .map(|h| Cell::new(h).add_attribute(Attribute::Bold)),
        );
    for row in &s.rows {
        let earliest = row.week == s.earliest_open_week;
        let mut cells = vec![Cell::new(week_cell(row.week))];
        cells.extend(
            [
                row.clarify.to_string(),
                row.kickoff.to_string(),
                row.ooo().to_string(),
                row.deals_no_clarify.to_string(),
                row.target.to_string(),
                row.actual.to_string(),
                signed(row.difference),
            ]
            .into_iter()
            .map(|v| Cell::new(v).set_alignment(CellAlignment::Right)),
        );
        cells.push(Cell::new(if earliest { "◀ earliest" } else { "" }));
        if earliest {
            cells = cells
                .into_iter()
                .map(|c| c.add_attribute(Attribute::Bold))
                .collect();
        }
        t.add_row(cells);
    }
    t
}

fn week_cell(w: Week) -> String {
    format!("{w} {}", w.iso_label())
}

fn decision_line(r: &AllocationResult) -> String {
    match (&r.selection, r.error, r.chosen()) {
        (Some(s), _, Some(chosen)) => format!(
            "selected: {} · week {} ({}) · decided by {}{}",
            chosen.email,
            s.earliest_week,
            s.earliest_week.iso_label(),
            s.decided_by.code(),
            if s.fallback { " (fallback)" } else { "" }
        ),
        (_, Some(e), _) => format!("error: {}: {e}", e.code()),
        _ => "availability listing: no deal, no selection".to_owned(),
    }
}

/// `+n` for positive differences, so an over-booked week stands out; `0` and `-n` as they are.
fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

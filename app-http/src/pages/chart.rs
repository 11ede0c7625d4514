//! The server-rendered capacity charts of H6.5 and H6.6: inline SVG (allowed by CSP S13.2,
//! whose rules forbid inline scripts; the SVG carries classes, never style attributes).

use crate::routes::admin_login::html::escape;
use std::fmt::Write;

const ROW_H: usize = 18;
const LABEL_W: usize = 260;
const WEEK_W: usize = 24;

/// One bar of the earliest-availability chart.
pub struct Bar {
    pub label: String,
    /// Weeks from the current week to the earliest open week; `None` when there is none.
    pub weeks: Option<i64>,
    pub fallback: bool,
}

/// H6.5: one horizontal bar per adviser, a tick per week, fallback bars hatched.
pub fn earliest(bars: &[Bar]) -> String {
    let span = bars
        .iter()
        .filter_map(|b| b.weeks)
        .max()
        .unwrap_or(0)
        .max(1);
    let span = usize::try_from(span).unwrap_or(1);
    let width = LABEL_W + WEEK_W * span + 24; // room for the last tick label
    let height = ROW_H * bars.len() + 24;
    let mut svg = format!(
        "<svg class=\"chart\" id=\"earliest-chart\" role=\"img\" aria-label=\"Weeks until each adviser's earliest open week\" \
xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\
<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"3\" height=\"6\" class=\"hatch\"/></pattern></defs>"
    );
    for w in 0..=span {
        let x = LABEL_W + w * WEEK_W;
        let _ = write!(
            svg,
            "<line class=\"tick\" x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{}\"/><text class=\"tick-label\" x=\"{x}\" y=\"{}\">{w}</text>",
            height - 14,
            height - 2
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = i * ROW_H;
        let _ = write!(
            svg,
            "<text class=\"bar-label\" x=\"0\" y=\"{}\">{}</text>",
            y + 13,
            escape(&b.label)
        );
        if let Some(weeks) = b.weeks.and_then(|w| usize::try_from(w).ok()) {
            let class = if b.fallback { "bar fallback" } else { "bar" };
            let fill = if b.fallback {
                " fill=\"url(#hatch)\""
            } else {
                ""
            };
            let _ = write!(
                svg,
                "<rect class=\"{class}\"{fill} x=\"{LABEL_W}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{} weeks</title></rect>",
                y + 3,
                (weeks * WEEK_W).max(2),
                ROW_H - 6,
                weeks
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One column of the schedule chart.
pub struct Column {
    pub target: i64,
    pub actual: i64,
    pub full: bool,
    pub earliest: bool,
}

/// H6.6: one column per week; Target outlined, Actual filled, Full weeks shaded, the earliest
/// open week marked by a vertical line.
pub fn schedule(columns: &[Column]) -> String {
    const COL_W: usize = 22;
    const H: i64 = 160;
    let top = columns
        .iter()
        .map(|c| c.target.max(c.actual))
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = |v: i64| (v.max(0) * (H - 10)) / top;
    let width = COL_W * columns.len() + 4;
    let mut svg = format!(
        "<svg class=\"chart\" id=\"schedule-chart\" role=\"img\" aria-label=\"Target and actual per week\" \
xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{H}\" viewBox=\"0 0 {width} {H}\">"
    );
    for (i, c) in columns.iter().enumerate() {
        let x = i * COL_W + 2;
        if c.full {
            let _ = write!(
                svg,
                "<rect class=\"full\" x=\"{x}\" y=\"0\" width=\"{COL_W}\" height=\"{H}\"/>"
            );
        }
        let (t, a) = (scale(c.target), scale(c.actual));
        let _ = write!(
            svg,
            "<rect class=\"target\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{t}\"/>\
<rect class=\"actual\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{a}\"/>",
            x + 2,
            H - t,
            COL_W - 4,
            x + 6,
            H - a,
            COL_W - 12
        );
        if c.earliest {
            let _ = write!(
                svg,
                "<line class=\"earliest\" x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{H}\"/>"
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h6_5_fallback_bars_are_hatched_and_labels_escaped() {
        let svg = earliest(&[
            Bar {
                label: "<a>".into(),
                weeks: Some(3),
                fallback: true,
            },
            Bar {
                label: "b".into(),
                weeks: None,
                fallback: false,
            },
        ]);
        assert!(svg.contains("url(#hatch)"));
        assert!(svg.contains("&lt;a&gt;"));
        assert_eq!(svg.matches("<rect class=\"bar").count(), 1);
    }

    #[test]
    fn h6_6_marks_the_earliest_week() {
        let svg = schedule(&[
            Column {
                target: 2,
                actual: 1,
                full: true,
                earliest: false,
            },
            Column {
                target: 2,
                actual: 0,
                full: false,
                earliest: true,
            },
        ]);
        assert_eq!(svg.matches("class=\"earliest\"").count(), 1);
        assert_eq!(svg.matches("class=\"full\"").count(), 1);
    }
}

//! The portfolio report's charts, as inline SVG: the risk matrix, the score sparklines and the
//! monthly action activity (each chart also says its numbers in text).

use std::fmt::Write as _;

use super::words::Words;
use super::{ActivityMonth, CRITICALITIES, MARKS, VERDICT_COLUMNS, criticality_label};
use crate::Lang;
use crate::html::escape;

/// Cell fill by risk: criticality row (0 = critical) and verdict column.
fn risk_fill(row: usize, column: usize) -> &'static str {
    if column == 4 {
        return "#e6e6e6";
    }
    let criticality = 4 - row; // 4 critical … 1 low
    let verdict = column + 1; // 1 favourable … 4 critical
    match criticality * verdict {
        0..=3 => "#d8efd8",
        4..=6 => "#fff1c2",
        7..=9 => "#ffd3a8",
        _ => "#f5b5b5",
    }
}

pub(super) fn risk_matrix_svg(
    out: &mut String,
    counts: &[[u32; VERDICT_COLUMNS]; 4],
    w: &Words,
    lang: Lang,
) {
    const LEFT: usize = 96;
    const TOP: usize = 40;
    const CELL_W: usize = 84;
    const CELL_H: usize = 42;
    let width = LEFT + CELL_W * VERDICT_COLUMNS + 4;
    let height = TOP + CELL_H * 4 + 4;
    let _ = writeln!(
        out,
        "<figure id=\"risk-matrix\"><svg class=\"chart risk-matrix\" xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"{}\">",
        escape(w.matrix)
    );
    for (c, label) in w.verdict_columns.iter().enumerate() {
        let x = LEFT + c * CELL_W + CELL_W / 2;
        let _ = writeln!(
            out,
            "<text x=\"{x}\" y=\"16\" text-anchor=\"middle\" font-size=\"12\">{}</text>\
             <text x=\"{x}\" y=\"32\" text-anchor=\"middle\" font-size=\"13\">{}</text>",
            escape(MARKS[c]),
            escape(label)
        );
    }
    for (r, criticality) in CRITICALITIES.iter().enumerate() {
        let y = TOP + r * CELL_H;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>",
            LEFT - 8,
            y + CELL_H / 2 + 4,
            escape(&criticality_label(criticality, lang))
        );
        for (c, count) in counts[r].iter().enumerate() {
            let x = LEFT + c * CELL_W;
            let _ = writeln!(
                out,
                "<rect class=\"cell\" x=\"{x}\" y=\"{y}\" width=\"{CELL_W}\" height=\"{CELL_H}\" \
                 fill=\"{}\" stroke=\"#555\" stroke-width=\"1\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" \
                 font-weight=\"{}\">{count}</text>",
                risk_fill(r, c),
                x + CELL_W / 2,
                y + CELL_H / 2 + 6,
                if *count > 0 { 18 } else { 13 },
                if *count > 0 { "bold" } else { "normal" },
            );
        }
    }
    let _ = writeln!(
        out,
        "</svg><figcaption>{}</figcaption></figure>",
        escape(w.matrix_caption)
    );
}

/// A score trend as an inline SVG polyline over 0–100, with a dot on the latest score.
pub(super) fn sparkline_svg(scores: &[f64]) -> String {
    const W: f64 = 96.0;
    const H: f64 = 22.0;
    if scores.is_empty() {
        return "—".to_string();
    }
    // A single score sits at the right end, where the latest score of a line would be.
    let (start, step) = if scores.len() > 1 {
        (3.0, (W - 6.0) / (scores.len() - 1) as f64)
    } else {
        (W - 3.0, 0.0)
    };
    let points: Vec<(f64, f64)> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x = start + step * i as f64;
            let y = H - 3.0 - (s.clamp(0.0, 100.0) / 100.0) * (H - 6.0);
            (x, y)
        })
        .collect();
    let mut svg = format!(
        "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" \
         viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">\
         <line x1=\"0\" y1=\"{:.1}\" x2=\"{W}\" y2=\"{:.1}\" stroke=\"#ccc\" stroke-width=\"1\"/>",
        escape(
            &scores
                .iter()
                .map(|s| format!("{s:.0}"))
                .collect::<Vec<_>>()
                .join(" → ")
        ),
        H - 3.0,
        H - 3.0,
    );
    if points.len() > 1 {
        let path = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(
            svg,
            "<polyline points=\"{path}\" fill=\"none\" stroke=\"#1f4e99\" stroke-width=\"2\"/>"
        );
    }
    if let Some((x, y)) = points.last() {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#1f4e99\"/>"
        );
    }
    svg.push_str("</svg>");
    svg
}

pub(super) fn activity_svg(out: &mut String, activity: &[ActivityMonth], w: &Words) {
    if activity.is_empty() {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(w.no_activity));
        return;
    }
    const LEFT: usize = 30;
    const TOP: usize = 22;
    const PLOT_H: usize = 120;
    const GROUP_W: usize = 40;
    let width = LEFT + GROUP_W * activity.len() + 10;
    let height = TOP + PLOT_H + 34;
    let max = activity
        .iter()
        .map(|m| m.opened.max(m.closed))
        .max()
        .unwrap_or(1)
        .max(1);
    let _ = writeln!(
        out,
        "<figure id=\"actions-per-month\"><svg class=\"chart activity\" \
         xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">\
         <defs><pattern id=\"hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" fill=\"#ffffff\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#2e7d32\" stroke-width=\"3\"/></pattern></defs>\
         <line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{max}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">0</text>",
        escape(w.activity),
        TOP + PLOT_H,
        width - 4,
        TOP + PLOT_H,
        LEFT - 4,
        TOP + 4,
        LEFT - 4,
        TOP + PLOT_H,
    );
    for (i, m) in activity.iter().enumerate() {
        let x = LEFT + i * GROUP_W + 4;
        for (k, (n, fill)) in [(m.opened, "#1f4e99"), (m.closed, "url(#hatch)")]
            .into_iter()
            .enumerate()
        {
            let h = (n as usize * PLOT_H) / max as usize;
            let bx = x + k * 15;
            let class = if k == 0 { "bar opened" } else { "bar closed" };
            let _ = writeln!(
                out,
                "<rect class=\"{class}\" x=\"{bx}\" y=\"{}\" width=\"14\" height=\"{h}\" \
                 fill=\"{fill}\" stroke=\"{}\" stroke-width=\"1\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{n}</text>",
                TOP + PLOT_H - h,
                if k == 0 { "#1f4e99" } else { "#2e7d32" },
                bx + 7,
                TOP + PLOT_H - h - 3,
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
            x + 14,
            TOP + PLOT_H + 14,
            escape(m.month.get(2..).unwrap_or(&m.month))
        );
    }
    let _ = writeln!(
        out,
        "</svg><figcaption>{}</figcaption></figure>",
        escape(w.activity_caption)
    );
}

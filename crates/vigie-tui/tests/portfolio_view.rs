//! Snapshots of the portfolio view (`view::portfolio::draw_portfolio`) at 80x24 and 120x40:
//! empty, on the sample portfolio of `vigie demo`, and filtered. The sample is built for a
//! fixed day, so the screens are the same on every run (ids are not shown).
//!
//! Update after an intended change: `INSTA_UPDATE=always cargo test -p vigie-tui --test
//! portfolio_view`, then read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is a failed test.

use std::sync::{Arc, OnceLock};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::text::Span;
use vigie_app::Workbench;
use vigie_app::portfolio::Portfolio;
use vigie_model::{Date, Severity};
use vigie_plugin_host::{Host, Limits};
use vigie_store::{PortfolioFilter, PortfolioSort};
use vigie_tui::theme::Theme;
use vigie_tui::view::portfolio::{PortfolioView, draw_portfolio};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn today() -> Date {
    Date::new(2026, 6, 15).expect("date")
}

fn host() -> Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| Arc::new(Host::new(Limits::default(), None).expect("engine")))
        .clone()
}

/// The sample portfolio, built once for all tests.
fn demo() -> &'static Portfolio {
    static DEMO: OnceLock<Portfolio> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vigie-demo.sqlite");
        vigie_app::demo::create_demo(&path, today(), host()).expect("demo");
        let bench = Workbench::open(&path, "alice", host()).expect("open");
        bench.portfolio(today(), 90).expect("portfolio")
    })
}

fn render(view: &PortfolioView, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| draw_portfolio(frame, frame.area(), view))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut skip = 0usize;
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            if skip == 0 {
                out.push_str(symbol);
            }
            skip = skip.max(Span::raw(symbol).width()).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

fn snap(
    name: &str,
    portfolio: &Portfolio,
    filter: &PortfolioFilter,
    sort: PortfolioSort,
    selected: usize,
    lang: &str,
) {
    let rows = portfolio.view(filter, sort);
    let theme = Theme::new(true);
    let view = PortfolioView {
        portfolio,
        rows: &rows,
        selected,
        sort,
        filter,
        lang: lang.into(),
        theme: &theme,
    };
    for (width, height) in SIZES {
        let text = render(&view, width, height);
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}@{width}x{height}"), text);
        });
    }
}

#[test]
fn portfolio_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bench = Workbench::open(&dir.path().join("vigie.sqlite"), "alice", host()).expect("open");
    let portfolio = bench.portfolio(today(), 90).expect("portfolio");
    snap(
        "portfolio_empty",
        &portfolio,
        &PortfolioFilter::default(),
        PortfolioSort::Risk,
        0,
        "fr",
    );
}

#[test]
fn portfolio_demo() {
    snap(
        "portfolio_demo",
        demo(),
        &PortfolioFilter::default(),
        PortfolioSort::Risk,
        2,
        "fr",
    );
    snap(
        "portfolio_demo_en",
        demo(),
        &PortfolioFilter::default(),
        PortfolioSort::Risk,
        0,
        "en",
    );
}

#[test]
fn portfolio_filtered() {
    let overdue = PortfolioFilter {
        overdue: true,
        ..PortfolioFilter::default()
    };
    snap(
        "portfolio_filtered_overdue",
        demo(),
        &overdue,
        PortfolioSort::Due,
        1,
        "fr",
    );
    let nothing = PortfolioFilter {
        name: Some("zzz".into()),
        verdict_at_least: Some(Severity::High),
        ..PortfolioFilter::default()
    };
    snap(
        "portfolio_filtered_none",
        demo(),
        &nothing,
        PortfolioSort::Name,
        0,
        "en",
    );
}

/// Without colour every verdict still has its mark and its word, the selection its `▸`,
/// and no row is cut off the smallest screen's table before the attention panel.
#[test]
fn no_colour_keeps_marks_and_words() {
    let portfolio = demo();
    let rows = portfolio.view(&PortfolioFilter::default(), PortfolioSort::Risk);
    let theme = Theme::new(false);
    let view = PortfolioView {
        portfolio,
        rows: &rows,
        selected: 0,
        sort: PortfolioSort::Risk,
        filter: &PortfolioFilter::default(),
        lang: vigie_model::Lang::En,
        theme: &theme,
    };
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    terminal
        .draw(|frame| draw_portfolio(frame, frame.area(), &view))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    for cell in buffer.content() {
        assert_eq!(
            cell.fg,
            ratatui::style::Color::Reset,
            "no colour with NO_COLOR"
        );
    }
    let text = render(&view, 80, 24);
    assert!(text.contains('▸'), "{text}");
    for mark in ["✓", "⚠", "✖"] {
        assert!(text.contains(mark), "verdict mark {mark}: {text}");
    }
    assert!(text.contains("Needs attention"), "{text}");
}

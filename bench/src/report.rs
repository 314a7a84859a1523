//! The benchmark report: sections of Markdown tables, printed as they are measured and written to
//! docs/BENCHMARKS.md at the end.

use std::fmt::Write as _;

#[derive(Default)]
pub struct Report {
    markdown: String,
}

impl Report {
    pub fn section(&mut self, title: &str, intro: &str) {
        let text = format!("\n## {title}\n\n{intro}\n\n");
        print!("{text}");
        self.markdown.push_str(&text);
    }

    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let mut text = String::new();
        let _ = writeln!(text, "| {} |", header.join(" | "));
        let _ = writeln!(text, "|{}", " --- |".repeat(header.len()));
        for row in rows {
            let _ = writeln!(text, "| {} |", row.join(" | "));
        }
        print!("{text}");
        self.markdown.push_str(&text);
    }

    pub fn paragraph(&mut self, text: &str) {
        let text = format!("\n{text}\n");
        print!("{text}");
        self.markdown.push_str(&text);
    }

    pub fn into_markdown(self) -> String {
        self.markdown
    }
}

/// `1.23e9`-style figure.
pub fn sci(x: f64) -> String {
    format!("{x:.3e}")
}

/// `1.234 ms`-style duration, from milliseconds.
pub fn ms(x: f64) -> String {
    format!("{x:.3} ms")
}

/// `12.3×`-style ratio.
pub fn ratio(x: f64) -> String {
    format!("{x:.2}×")
}

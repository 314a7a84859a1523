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

/// `old` with every section of `fresh` put in place of the section of the same title, for a run
/// that measured only some sections. Sections end at the next `## ` heading or at `end_marker`
/// (where the hand-written part starts); a section `old` lacks (one a new benchmark adds) goes
/// after the last measured one.
pub fn splice_sections(old: &str, fresh: &str, end_marker: &str) -> String {
    let measured_end = old.find(end_marker).unwrap_or(old.len());
    let (mut measured, kept) = (old[..measured_end].to_string(), &old[measured_end..]);
    for section in fresh.split("\n## ").skip(1) {
        let title_line = section.lines().next().unwrap_or_default();
        let heading = format!("\n## {title_line}\n");
        let Some(start) = measured.find(&heading) else {
            let body = measured.trim_end_matches('\n').len();
            measured.replace_range(body.., &format!("\n\n## {}\n\n", section.trim_end()));
            continue;
        };
        let body_start = start + 1;
        let end = measured[body_start..]
            .find("\n## ")
            .map_or(measured.len(), |i| body_start + i + 1);
        // A blank line before whatever follows, as a whole run writes it.
        measured.replace_range(body_start..end, &format!("## {}\n\n", section.trim_end()));
    }
    format!("{measured}{kept}")
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

#[cfg(test)]
mod tests {
    use super::splice_sections;

    const MARKER: &str = "<!-- kept -->";

    #[test]
    fn splice_replaces_only_the_named_sections_and_keeps_the_rest() {
        let old = "# B\n\n## One\n\nold one\n\n## Two\n\nold two\n\n<!-- kept -->\n\n## Notes\n";
        let fresh = "\n## Two\n\nnew two\n| a |\n";
        let spliced = splice_sections(old, fresh, MARKER);
        assert_eq!(
            spliced,
            "# B\n\n## One\n\nold one\n\n## Two\n\nnew two\n| a |\n\n<!-- kept -->\n\n## Notes\n"
        );
        let fresh = "\n## One\n\nnew one\n";
        let spliced = splice_sections(old, fresh, MARKER);
        assert_eq!(
            spliced,
            "# B\n\n## One\n\nnew one\n\n## Two\n\nold two\n\n<!-- kept -->\n\n## Notes\n"
        );
    }

    #[test]
    fn splice_adds_a_section_the_report_lacks_after_the_measured_ones() {
        let old = "# B\n\n## One\n\nx\n\n<!-- kept -->\n";
        let spliced = splice_sections(old, "\n## New\n\ny\n", MARKER);
        assert_eq!(
            spliced,
            "# B\n\n## One\n\nx\n\n## New\n\ny\n\n<!-- kept -->\n"
        );
    }
}

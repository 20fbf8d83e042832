//! Writing a report: the format, the file, the job.

use super::*;

impl App {
    /// The assessment a report would be about, on this screen.
    pub(super) fn report_target(&self) -> Option<String> {
        match self.screen() {
            Screen::Home => match self.home.rows.get(self.home.selected) {
                Some(HomeRow::Assessment(a)) => Some(a.id.to_string()),
                _ => None,
            },
            Screen::Interview(iv) => Some(iv.assessment.id.to_string()),
            Screen::Findings(view) => Some(view.assessment.id.to_string()),
            _ => None,
        }
    }

    pub(super) fn ask_report(&mut self) {
        match self.report_target() {
            Some(assessment) => self.overlay = Some(Overlay::ReportFormat { assessment }),
            None => self.error(self.l(
                "Choisissez d'abord une évaluation.",
                "Select an assessment first.",
            )),
        }
    }

    /// Asks where to write the report, offering a name in the current folder
    /// that no file has yet.
    pub(super) fn ask_report_path(&mut self, assessment: String, format: vigie_report::Format) {
        let short = vigie_app::short_id(&assessment);
        let ext = format.extension();
        let mut name = format!("vigie-report-{short}.{ext}");
        for n in 2..1000 {
            if !std::path::Path::new(&name).exists() {
                break;
            }
            name = format!("vigie-report-{short}-{n}.{ext}");
        }
        self.overlay = Some(Overlay::Input {
            purpose: InputPurpose::ReportPath {
                assessment,
                format,
                replace: None,
            },
            prompt: self.report_path_prompt(),
            edit: LineEdit::with_value(name),
            error: None,
        });
    }

    pub(super) fn report_path_prompt(&self) -> String {
        self.l(
            "Écrire le rapport dans le fichier",
            "Write the report to the file",
        )
        .to_string()
    }

    /// Writes the report to `path`, on the worker when there is one.
    pub(super) fn write_report(
        &mut self,
        assessment: &str,
        format: vigie_report::Format,
        path: std::path::PathBuf,
    ) {
        let request = ReportRequest {
            assessment_id: assessment.to_string(),
            format,
            lang: self.lang,
            path,
        };
        let l = self.lang;
        self.info(l.pick("Rapport en cours d'écriture…", "Writing the report…"));
        self.execute(Request::Report(request));
    }
}

//! "Save redacted copy": the streamed rewrite of `redact::redact_file` as a background job,
//! with the job's progress and cancel flag.

use super::job_output::JobOutput;
use super::jobs::Progress;
use crate::analysis::Control;
use std::path::Path;

/// Writes a redacted copy of `input` to `output`; the outcome, in words, for the status line.
pub fn redact_job(input: &Path, output: &Path, progress: &Progress) -> JobOutput {
    let report = |phase: &str, f: f32| progress.report(phase, f);
    let ctl = Control::new(&report, progress.cancel_flag());
    JobOutput::Saved(
        crate::redact::redact_file(input, output, &ctl)
            .map(|r| {
                format!(
                    "Saved a redacted copy to {}: {} string values replaced, {} names kept",
                    output.display(),
                    crate::model::format::group(r.values_replaced + r.values_shared_with_names),
                    crate::model::format::group(r.names_kept)
                )
            })
            .map_err(|e| e.to_string()),
    )
}

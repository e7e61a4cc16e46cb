//! ValidateStateMachineDefinition: the static validator's diagnostics on the wire.

use estado_api::shapes::{
    ValidateStateMachineDefinitionDiagnostic, ValidateStateMachineDefinitionInput,
    ValidateStateMachineDefinitionOutput,
};
use estado_asl::validate::{self, Options, Severity};

use super::state_machines::machine_type;
use super::{ApiResult, Ctx, Service};

/// The most diagnostics one answer lists (also the default).
pub const MAX_DIAGNOSTICS: usize = 100;

impl Service {
    /// Validates a definition for a machine `type` (default `STANDARD`). `result` is `FAIL`
    /// when any error is found, warnings or not. `severity` `ERROR` (the default) lists only
    /// errors, `WARNING` errors and warnings; at most `maxResults` (0 or absent: 100) are
    /// listed, and `truncated` says whether some were left out.
    pub async fn validate_state_machine_definition(
        &self,
        _ctx: &Ctx,
        req: ValidateStateMachineDefinitionInput,
    ) -> ApiResult<ValidateStateMachineDefinitionOutput> {
        let kind = machine_type(req.r#type.as_deref())?;
        let diagnostics = validate::validate_text(&req.definition, &Options { machine_type: kind });
        let ok = validate::is_valid(&diagnostics);
        let with_warnings = req.severity.as_deref() == Some("WARNING");
        let listed: Vec<_> = diagnostics
            .into_iter()
            .filter(|d| with_warnings || d.severity == Severity::Error)
            .collect();
        let limit = match req.max_results {
            Some(n) if n > 0 => usize::try_from(n)
                .unwrap_or(MAX_DIAGNOSTICS)
                .min(MAX_DIAGNOSTICS),
            _ => MAX_DIAGNOSTICS,
        };
        let truncated = listed.len() > limit;
        Ok(ValidateStateMachineDefinitionOutput {
            result: if ok { "OK" } else { "FAIL" }.to_owned(),
            diagnostics: listed
                .into_iter()
                .take(limit)
                .map(|d| ValidateStateMachineDefinitionDiagnostic {
                    severity: d.severity.as_str().to_owned(),
                    code: d.code,
                    message: d.message,
                    location: d.location,
                })
                .collect(),
            truncated: Some(truncated),
        })
    }
}

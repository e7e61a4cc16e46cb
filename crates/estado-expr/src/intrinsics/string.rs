//! `States.StringSplit`.

use estado_json::Value;
use estado_types::StatesError;

use super::args::Invocation;

/// `States.StringSplit(string, delimiters)`: the pieces of `string` between any of the
/// characters of `delimiters`, empty pieces dropped (Java's `StringTokenizer`): `",,a,"` split
/// at `","` is `["a"]`.
pub(crate) fn string_split(inv: &Invocation) -> Result<Value, StatesError> {
    let text = inv.string(0)?;
    let delimiters = inv.string(1)?;
    Ok(Value::Array(
        text.split(|c: char| delimiters.contains(c))
            .filter(|piece| !piece.is_empty())
            .map(|piece| Value::String(piece.to_string()))
            .collect(),
    ))
}

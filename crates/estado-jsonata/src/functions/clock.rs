//! `$now()` and `$millis()` on the execution's clock value.
//!
//! `$now(picture[, timezone])` is rewritten at compile time into `$fromMillis($millis(), ...)`
//! (see `analysis`), so only the forms without arguments arrive here.

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::JValue;

use super::check_arity;

/// `$millis()`: the execution's "now" in milliseconds since the epoch.
pub(crate) fn millis(args: &[JValue], now_millis: i64) -> Result<JValue, EvaluatorError> {
    check_arity("millis", args, 0)?;
    Ok(JValue::Number(now_millis as f64))
}

/// `$now()`: the execution's "now" as jsonata-js writes it, `2024-01-31T12:34:56.789Z`.
pub(crate) fn now(args: &[JValue], now_millis: i64) -> Result<JValue, EvaluatorError> {
    check_arity("now", args, 0)?;
    Ok(JValue::from(iso8601_utc(now_millis)))
}

/// Milliseconds since the epoch as an ISO 8601 UTC timestamp with milliseconds.
pub(crate) fn iso8601_utc(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let ms_of_day = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::iso8601_utc;

    #[test]
    fn formats_like_javascripts_to_iso_string() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(1_709_210_096_789), "2024-02-29T12:34:56.789Z");
        assert_eq!(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso8601_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}

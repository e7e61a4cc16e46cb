//! Event timestamps, in AWS's awsJson1_0 wire form.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A point in time as milliseconds since the Unix epoch (AWS's precision for history events).
///
/// Serialises as AWS does on the wire: a JSON number of epoch seconds with the milliseconds as
/// fraction (`1700000000.123`; whole seconds as `1700000000.0`). Deserialises from any JSON
/// number of epoch seconds, rounded to the millisecond; non-finite numbers and numbers beyond
/// 2^40 seconds (about year 36,800) either side of the epoch are rejected, and instants beyond
/// that range lose millisecond precision when serialised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

/// 2^40 seconds (about year 36,800): within it, epoch seconds in an `f64` resolve milliseconds
/// exactly both ways (the spacing of `f64`s there is under 2^-12 s). AWS dates lie far inside it,
/// so larger inputs are errors rather than silently rounded.
const MAX_ABS_SECONDS: f64 = 1_099_511_627_776.0;

impl Timestamp {
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Epoch seconds with fraction, as sent on the wire.
    pub fn as_secs_f64(self) -> f64 {
        // i64 -> f64 is exact below 2^53 ms; the division then rounds correctly, so the shortest
        // decimal form of the result is exactly `secs.mmm` (within `MAX_ABS_SECONDS`).
        self.0 as f64 / 1000.0
    }

    /// From epoch seconds with fraction, rounded to the millisecond; `None` when not finite or
    /// beyond 2^40 seconds either side of the epoch.
    pub fn from_secs_f64(secs: f64) -> Option<Self> {
        if !secs.is_finite() || secs.abs() > MAX_ABS_SECONDS {
            return None;
        }
        // In range by the check above, so the cast neither saturates nor truncates.
        Some(Timestamp((secs * 1000.0).round() as i64))
    }

    /// The same instant as a `jiff` timestamp, for calendar formatting (e.g. the context object's
    /// ISO-8601 times). `None` outside jiff's range (years -9999..=9999).
    pub fn to_jiff(self) -> Option<jiff::Timestamp> {
        jiff::Timestamp::from_millisecond(self.0).ok()
    }
}

impl From<jiff::Timestamp> for Timestamp {
    /// Truncates to the millisecond, as AWS records event times.
    fn from(t: jiff::Timestamp) -> Self {
        Timestamp(t.as_millisecond())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_secs_f64())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_f64(TimestampVisitor)
    }
}

struct TimestampVisitor;

impl TimestampVisitor {
    fn whole_seconds<E: de::Error>(secs: i128) -> Result<Timestamp, E> {
        secs.checked_mul(1000)
            .and_then(|ms| i64::try_from(ms).ok())
            .filter(|ms| ms.unsigned_abs() <= (MAX_ABS_SECONDS as u64) * 1000)
            .map(Timestamp)
            .ok_or_else(|| E::custom(format_args!("timestamp {secs} out of range")))
    }
}

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number of seconds since the Unix epoch")
    }

    fn visit_f64<E: de::Error>(self, secs: f64) -> Result<Timestamp, E> {
        Timestamp::from_secs_f64(secs)
            .ok_or_else(|| E::custom(format_args!("timestamp {secs} out of range")))
    }

    fn visit_i64<E: de::Error>(self, secs: i64) -> Result<Timestamp, E> {
        Self::whole_seconds(secs.into())
    }

    fn visit_u64<E: de::Error>(self, secs: u64) -> Result<Timestamp, E> {
        Self::whole_seconds(secs.into())
    }
}

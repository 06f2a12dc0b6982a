//! Timestamps in the form Auth0 prints them: ISO-8601 UTC with milliseconds.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant, serialized as `2024-05-01T12:00:00.000Z`.
///
/// The text form is fixed-width, so timestamps compare and sort the same as text and as time;
/// adapters rely on that to store them portably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    /// Truncates to whole milliseconds, the precision Auth0 (and our storage) keeps.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        let millis = at.timestamp_millis();
        Self(DateTime::from_timestamp_millis(millis).unwrap_or(at))
    }

    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        DateTime::from_timestamp(seconds, 0).map(Self)
    }

    pub fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|at| Self::from_datetime(at.with_timezone(&Utc)))
    }

    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    pub fn unix_seconds(&self) -> i64 {
        self.0.timestamp()
    }

    /// `self` moved forward by `seconds` (saturating at the far future).
    pub fn plus_seconds(&self, seconds: i64) -> Self {
        let delta = chrono::TimeDelta::try_seconds(seconds).unwrap_or(chrono::TimeDelta::MAX);
        Self(
            self.0
                .checked_add_signed(delta)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        )
    }

    pub fn to_iso(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not an ISO-8601 timestamp: {text}")))
    }
}

/// A timestamp is described as the ISO-8601 string it is written as.
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_auth0_form_with_millis() {
        let at = Timestamp::parse("2024-05-01T12:00:00.123456+02:00").unwrap();
        assert_eq!(at.to_iso(), "2024-05-01T10:00:00.123Z");
        assert_eq!(
            serde_json::to_string(&at).unwrap(),
            "\"2024-05-01T10:00:00.123Z\""
        );
    }

    #[test]
    fn text_order_is_time_order() {
        let earlier = Timestamp::parse("2024-05-01T09:59:59.999Z").unwrap();
        let later = earlier.plus_seconds(1);
        assert!(earlier < later);
        assert!(earlier.to_iso() < later.to_iso());
    }

    #[test]
    fn rejects_non_timestamps() {
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}

//! Timestamps: stored as Unix milliseconds, written as RFC 3339 UTC with
//! millisecond precision (`2026-11-26T12:00:00.123Z`), so every event's `ts`
//! has the same width and sorts as text.

use time::OffsetDateTime;
use time::macros::format_description;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}

fn to_datetime(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 in UTC with milliseconds.
pub fn rfc3339_ms(ms: i64) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    to_datetime(ms).format(format).unwrap_or_default()
}

/// `HH:MM` in UTC, the seed endpoint's `time`.
pub fn hour_minute(ms: i64) -> String {
    to_datetime(ms)
        .format(format_description!("[hour]:[minute]"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_fixed_width_utc() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(1_764_158_400_123), "2025-11-26T12:00:00.123Z");
        assert_eq!(hour_minute(1_764_158_400_123), "12:00");
    }
}

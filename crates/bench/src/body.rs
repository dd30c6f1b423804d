//! The body of a bench message: which run and sender it comes from, its place
//! in that sender's sequence and when it was sent, so that every receiver can
//! compute latency and account for loss, duplicates and reordering from the
//! message alone, with no side channel between the tool's tasks.
//!
//! Format: `b:<run, 8 hex digits>:<sender>:<seq>:<send time, Unix ns>`,
//! optionally followed by one space and padding (`--body-bytes`). Plain text
//! rather than JSON: it reads well in the web client, it is the same for v1
//! and the seed endpoint (whose frames carry only the text), and decoding it
//! allocates nothing. The run tag keeps traffic of other runs (or of people
//! chatting in `lobby`) out of the counts.

use std::time::{SystemTime, UNIX_EPOCH};

/// The server's default `max_body_chars`: padding beyond it would only be refused.
pub const MAX_BODY_CHARS: usize = 4000;

/// What a bench message says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Tells this run's messages from any others in the room.
    pub run: u32,
    /// The sender's index in the run (0-based).
    pub sender: u32,
    /// The message's index in its sender's sequence (0-based, no gaps).
    pub seq: u64,
    /// Wall-clock send time. Sender and receiver share the machine's clock,
    /// so the difference is a latency (loopback only: no clock skew).
    pub sent_unix_ns: u64,
}

impl Stamp {
    /// The body text, padded to at least `min_len` bytes (at most
    /// [`MAX_BODY_CHARS`]; the stamp itself is never cut).
    pub fn encode(&self, min_len: usize) -> String {
        let mut body = format!(
            "b:{:08x}:{}:{}:{}",
            self.run, self.sender, self.seq, self.sent_unix_ns
        );
        let min_len = min_len.min(MAX_BODY_CHARS);
        if body.len() < min_len {
            body.push(' ');
            let pad = min_len.saturating_sub(body.len());
            body.extend(std::iter::repeat_n('x', pad));
        }
        body
    }

    /// The stamp of a body, or `None` for any text that is not one.
    pub fn decode(body: &str) -> Option<Stamp> {
        let head = body.split(' ').next()?;
        let mut parts = head.strip_prefix("b:")?.split(':');
        let run = parts.next()?;
        if run.len() != 8 {
            return None;
        }
        let stamp = Stamp {
            run: u32::from_str_radix(run, 16).ok()?,
            sender: parts.next()?.parse().ok()?,
            seq: parts.next()?.parse().ok()?,
            sent_unix_ns: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(stamp)
    }
}

/// Now, in nanoseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| u64::try_from(since.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAMP: Stamp = Stamp {
        run: 0xdead_beef,
        sender: 3,
        seq: 41,
        sent_unix_ns: 1_764_000_000_123_456_789,
    };

    #[test]
    fn a_stamp_survives_encoding_with_and_without_padding() {
        let plain = STAMP.encode(0);
        assert_eq!(plain, "b:deadbeef:3:41:1764000000123456789");
        assert_eq!(Stamp::decode(&plain), Some(STAMP));
        let padded = STAMP.encode(100);
        assert_eq!(padded.len(), 100);
        assert_eq!(Stamp::decode(&padded), Some(STAMP));
    }

    #[test]
    fn padding_stops_at_the_servers_body_limit() {
        assert_eq!(STAMP.encode(1_000_000).len(), MAX_BODY_CHARS);
    }

    #[test]
    fn other_text_is_not_a_stamp() {
        for text in [
            "",
            "hello",
            "Connect",
            "b:",
            "b:deadbeef:3:41",
            "b:deadbee:3:41:5",
            "b:deadbeef:3:41:5:6",
            "b:deadbeef:x:41:5",
            "b:deadbeef:3:-1:5",
        ] {
            assert_eq!(Stamp::decode(text), None, "{text:?}");
        }
    }
}

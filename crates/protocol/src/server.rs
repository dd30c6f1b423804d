//! Frames the server sends over `/api/v1/ws`. Each is one JSON text frame
//! tagged by `"type"`; replies to a command carry `"re"` = the command's `req`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ErrorCode;
use crate::views::{EventView, UserView};

/// Limits announced in `welcome`, so clients can validate before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_body_chars: usize,
    pub max_frame_bytes: usize,
    pub rate_per_s: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Welcome {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        re: Option<Value>,
        user: UserView,
        heartbeat_ms: u64,
        limits: Limits,
    },
    Subscribed {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        re: Option<Value>,
        room: String,
        head: u64,
        /// Online users, at most 200 of them (see `online`).
        presence: Vec<UserView>,
        /// How many users are online in all.
        online: usize,
    },
    Unsubscribed {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        re: Option<Value>,
        room: String,
        /// Set when the server ended the subscription: `left`, `kicked`, `banned`.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reason: Option<String>,
    },
    Event(EventView),
    Ack {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        re: Option<Value>,
        room: String,
        seq: u64,
        id: i64,
        ts: String,
    },
    Presence {
        room: String,
        joined: Vec<UserView>,
        left: Vec<UserView>,
        /// How many users are present after these changes.
        #[serde(default)]
        online: usize,
        /// Set when more users came or went than the frame names (a storm
        /// in a large room): the lists are a sample, `online` is exact.
        #[serde(skip_serializing_if = "std::ops::Not::not", default)]
        truncated: bool,
    },
    Typing {
        room: String,
        user: UserView,
        active: bool,
    },
    Read {
        room: String,
        seq: u64,
    },
    Pong {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        re: Option<Value>,
    },
    Error {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        re: Option<Value>,
        code: ErrorCode,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        retry_after_ms: Option<u64>,
    },
    Bye {
        reason: String,
        reconnect: bool,
    },
}

impl ServerFrame {
    /// The JSON text of the frame. Serializing these types cannot fail (no
    /// maps with non-string keys, no custom serializers), so a failure would
    /// be a bug; it still yields an `internal` error frame rather than a panic.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"type":"error","code":"internal","message":"could not encode a frame"}"#.to_owned()
        })
    }

    pub fn error(re: Option<Value>, code: ErrorCode, message: impl Into<String>) -> Self {
        ServerFrame::Error {
            re,
            code,
            message: message.into(),
            retry_after_ms: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::{AuthorView, EventKind};
    use serde_json::json;

    #[test]
    fn event_frame_is_flat_with_type_event_and_omits_absent_fields() {
        let frame = ServerFrame::Event(EventView {
            room: "lobby".into(),
            seq: 3,
            id: 42,
            ts: "2026-01-01T00:00:00.000Z".into(),
            kind: EventKind::Message,
            author: AuthorView {
                id: 7,
                name: "ann".into(),
                guest: false,
            },
            body: Some("hi".into()),
            target: None,
            nonce: None,
            actor: None,
            edited: false,
            deleted: false,
        });
        let value: Value = serde_json::from_str(&frame.to_json()).expect("valid json");
        assert_eq!(
            value,
            json!({"type":"event","room":"lobby","seq":3,"id":42,"ts":"2026-01-01T00:00:00.000Z",
                   "kind":"message","author":{"id":7,"name":"ann"},"body":"hi"})
        );
    }

    #[test]
    fn ack_echoes_req_as_re() {
        let frame = ServerFrame::Ack {
            re: Some(json!("r1")),
            room: "lobby".into(),
            seq: 1,
            id: 1,
            ts: "t".into(),
        };
        let value: Value = serde_json::from_str(&frame.to_json()).expect("valid json");
        assert_eq!(value["type"], "ack");
        assert_eq!(value["re"], "r1");
    }
}

//! One bench connection's conversation: `hello`/`welcome` and
//! `subscribe`/`subscribed` on v1, and reading what either dialect delivers
//! (an `event` frame on v1, a `{time, clientId, message}` frame on the seed
//! endpoint) down to the text a [`Stamp`](crate::body::Stamp) is read from.

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use webchat_protocol::server::ServerFrame;
use webchat_protocol::views::EventKind;

use crate::counters::Counters;
use crate::target::{Refused, Target, Ws};

/// The room every scenario uses: the one v1 and seed clients share.
pub(crate) const ROOM: &str = "lobby";

/// What a text frame from the server was, as far as the bench cares.
#[derive(Debug, PartialEq)]
pub(crate) enum Incoming {
    /// A message: its body, and on v1 its seq in the room.
    Message {
        body: String,
        seq: Option<u64>,
    },
    /// Any other event (join, leave…), with its seq.
    OtherEvent {
        seq: u64,
    },
    Frame(ServerFrame),
    /// Not something this tool reads (a seed `Connect`, say).
    Ignored,
}

/// The frame of the seed endpoint (`webchat_protocol::seed::SeedFrame` is
/// the server's, serialize-only; this is its reading side).
#[derive(Debug, Deserialize)]
struct SeedIn {
    message: String,
}

/// Reads one text frame. Error frames are counted here, whatever the caller.
pub(crate) fn parse(text: &str, counters: &Counters) -> Incoming {
    // Seed frames have no `type`; v1 frames (and the seed's error frames) do.
    if !text.contains("\"type\"")
        && let Ok(seed) = serde_json::from_str::<SeedIn>(text)
    {
        return Incoming::Message {
            body: seed.message,
            seq: None,
        };
    }
    match serde_json::from_str::<ServerFrame>(text) {
        Ok(ServerFrame::Event(event)) if event.kind == EventKind::Message => Incoming::Message {
            body: event.body.unwrap_or_default(),
            seq: Some(event.seq),
        },
        Ok(ServerFrame::Event(event)) => Incoming::OtherEvent { seq: event.seq },
        Ok(frame) => {
            if let ServerFrame::Error { code, .. } = &frame {
                counters.error(code.as_str());
            }
            Incoming::Frame(frame)
        }
        Err(_) => Incoming::Ignored,
    }
}

/// Counts how the server ended a connection and says whether it did.
pub(crate) fn note_end(
    message: Option<&Result<Message, impl std::fmt::Debug>>,
    counters: &Counters,
) -> bool {
    match message {
        Some(Ok(Message::Close(frame))) => {
            let code = frame
                .as_ref()
                .map_or_else(|| "none".to_owned(), |f| u16::from(f.code).to_string());
            counters.close(&code);
            true
        }
        Some(Err(_)) | None => {
            counters.close("abnormal");
            true
        }
        Some(Ok(_)) => false,
    }
}

/// Sends a JSON command.
pub(crate) async fn send_json(ws: &mut Ws, value: &Value) -> Result<(), Refused> {
    ws.send(Message::text(value.to_string()))
        .await
        .map_err(|_| Refused)
}

/// Reads frames until `want` picks one, the step times out or the socket
/// ends; frames it does not pick are dropped (set-up traffic: others' joins
/// and presence).
async fn until<T>(
    ws: &mut Ws,
    target: &Target,
    mut want: impl FnMut(Incoming) -> Option<Result<T, Refused>>,
) -> Result<T, Refused> {
    let deadline = Instant::now() + target.step_timeout;
    loop {
        let next = match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(next) => next,
            Err(_) => {
                target.counters.error("timeout");
                return Err(Refused);
            }
        };
        if note_end(next.as_ref(), &target.counters) {
            return Err(Refused);
        }
        if let Some(Ok(Message::Text(text))) = next
            && let Some(answer) = want(parse(text.as_str(), &target.counters))
        {
            return answer;
        }
    }
}

/// `hello` with the token, answered by `welcome`.
pub(crate) async fn hello(ws: &mut Ws, target: &Target, token: &str) -> Result<(), Refused> {
    send_json(ws, &json!({"type": "hello", "token": token, "req": "h"})).await?;
    until(ws, target, |incoming| match incoming {
        Incoming::Frame(ServerFrame::Welcome { .. }) => Some(Ok(())),
        Incoming::Frame(ServerFrame::Error { .. }) => Some(Err(Refused)),
        _ => None,
    })
    .await
}

/// `subscribe` to `room`; the room's head at that moment.
pub(crate) async fn subscribe(
    ws: &mut Ws,
    target: &Target,
    room: &str,
    since: Option<u64>,
) -> Result<u64, Refused> {
    let mut command = json!({"type": "subscribe", "room": room, "req": "s"});
    if let Some(since) = since {
        command["since"] = json!(since);
    }
    send_json(ws, &command).await?;
    until(ws, target, |incoming| match incoming {
        Incoming::Frame(ServerFrame::Subscribed { head, .. }) => Some(Ok(head)),
        Incoming::Frame(ServerFrame::Error { re: Some(re), .. }) if re == "s" => Some(Err(Refused)),
        _ => None,
    })
    .await
}

/// Closes politely, without waiting long for the server's answer.
pub(crate) async fn close(mut ws: Ws) {
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), ws.close(None)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects_yield_the_message_text() {
        let counters = Counters::default();
        let v1 = r#"{"type":"event","room":"lobby","seq":7,"id":9,"ts":"t","kind":"message","author":{"id":1,"name":"a"},"body":"b:1"}"#;
        assert_eq!(
            parse(v1, &counters),
            Incoming::Message {
                body: "b:1".into(),
                seq: Some(7)
            }
        );
        let seed = r#"{"time":"13:25","clientId":111,"message":"b:2"}"#;
        assert_eq!(
            parse(seed, &counters),
            Incoming::Message {
                body: "b:2".into(),
                seq: None
            }
        );
        let join = r#"{"type":"event","room":"lobby","seq":8,"id":10,"ts":"t","kind":"join","author":{"id":1,"name":"a"}}"#;
        assert_eq!(parse(join, &counters), Incoming::OtherEvent { seq: 8 });
        assert_eq!(parse("{\"type\":\"dance\"}", &counters), Incoming::Ignored);
        assert!(counters.errors().is_empty());
    }

    #[test]
    fn error_frames_are_counted_by_code() {
        let counters = Counters::default();
        let error = r#"{"type":"error","code":"rate_limited","message":"too many requests","retry_after_ms":72}"#;
        assert!(matches!(
            parse(error, &counters),
            Incoming::Frame(ServerFrame::Error { .. })
        ));
        assert_eq!(counters.errors()["rate_limited"], 1);
    }
}

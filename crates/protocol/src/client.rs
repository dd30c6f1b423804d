//! Commands a client sends over `/api/v1/ws`, and their parsing.
//!
//! Parsing is done in two steps on purpose: first the envelope (a JSON object
//! with a string `type` and an optional `req`), then the command's own fields.
//! That way every bad frame gets a precise `bad_request` message ("unknown
//! type", "missing field `room`") and, whenever the frame had a usable `req`,
//! the error carries it as `re` so the client can match it to its command.

use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Hello {
    #[serde(default)]
    pub token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Subscribe {
    pub room: String,
    #[serde(default)]
    pub since: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Unsubscribe {
    pub room: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Send {
    pub room: String,
    pub body: String,
    pub nonce: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Edit {
    pub room: String,
    pub id: i64,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Delete {
    pub room: String,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Typing {
    pub room: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Read {
    pub room: String,
    pub seq: u64,
}

/// A parsed client command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Hello(Hello),
    Subscribe(Subscribe),
    Unsubscribe(Unsubscribe),
    Send(Send),
    Edit(Edit),
    Delete(Delete),
    Typing(Typing),
    Read(Read),
    Ping,
}

/// A command with the client's correlation id.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub req: Option<Value>,
    pub command: Command,
}

/// Why a frame is not a valid command. `req` is kept when it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub req: Option<Value>,
    pub message: String,
}

impl Request {
    /// Parses one text frame.
    pub fn parse(text: &str) -> Result<Request, ParseError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ParseError {
            req: None,
            message: format!("invalid JSON: {e}"),
        })?;
        let Value::Object(mut map) = value else {
            return Err(ParseError {
                req: None,
                message: "a frame must be a JSON object".into(),
            });
        };
        let req = match map.remove("req") {
            None | Some(Value::Null) => None,
            Some(v @ (Value::String(_) | Value::Number(_))) => Some(v),
            Some(_) => {
                return Err(ParseError {
                    req: None,
                    message: "`req` must be a string or a number".into(),
                });
            }
        };
        let fail = |message: String| ParseError {
            req: req.clone(),
            message,
        };
        let kind = match map.remove("type") {
            Some(Value::String(s)) => s,
            Some(_) => return Err(fail("`type` must be a string".into())),
            None => return Err(fail("missing field `type`".into())),
        };
        let command = match kind.as_str() {
            "hello" => Command::Hello(fields(map).map_err(fail)?),
            "subscribe" => Command::Subscribe(fields(map).map_err(fail)?),
            "unsubscribe" => Command::Unsubscribe(fields(map).map_err(fail)?),
            "send" => Command::Send(fields(map).map_err(fail)?),
            "edit" => Command::Edit(fields(map).map_err(fail)?),
            "delete" => Command::Delete(fields(map).map_err(fail)?),
            "typing" => Command::Typing(fields(map).map_err(fail)?),
            "read" => Command::Read(fields(map).map_err(fail)?),
            "ping" => Command::Ping,
            other => return Err(fail(format!("unknown type `{}`", truncate(other, 32)))),
        };
        Ok(Request { req, command })
    }
}

fn fields<T: serde::de::DeserializeOwned>(map: Map<String, Value>) -> Result<T, String> {
    serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())
}

/// Echoing client input back is useful, but never at unbounded length.
fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_send_with_req() {
        let r =
            Request::parse(r#"{"type":"send","room":"lobby","body":"hi","nonce":"n1","req":5}"#)
                .expect("valid");
        assert_eq!(r.req, Some(json!(5)));
        assert_eq!(
            r.command,
            Command::Send(Send {
                room: "lobby".into(),
                body: "hi".into(),
                nonce: "n1".into()
            })
        );
    }

    #[test]
    fn subscribe_since_is_optional() {
        let r = Request::parse(r#"{"type":"subscribe","room":"lobby"}"#).expect("valid");
        assert_eq!(
            r.command,
            Command::Subscribe(Subscribe {
                room: "lobby".into(),
                since: None
            })
        );
    }

    #[test]
    fn invalid_json_is_reported() {
        let e = Request::parse("{nope").expect_err("invalid");
        assert!(e.message.starts_with("invalid JSON"), "{}", e.message);
    }

    #[test]
    fn unknown_type_keeps_req() {
        let e = Request::parse(r#"{"type":"dance","req":"a"}"#).expect_err("unknown");
        assert_eq!(e.req, Some(json!("a")));
        assert_eq!(e.message, "unknown type `dance`");
    }

    #[test]
    fn missing_field_is_named() {
        let e = Request::parse(r#"{"type":"send","room":"lobby","nonce":"x","req":1}"#)
            .expect_err("missing body");
        assert!(e.message.contains("missing field `body`"), "{}", e.message);
        assert_eq!(e.req, Some(json!(1)));
    }

    #[test]
    fn mistyped_field_is_reported() {
        let e = Request::parse(r#"{"type":"subscribe","room":"lobby","since":"x"}"#)
            .expect_err("mistyped");
        assert!(e.message.contains("invalid type"), "{}", e.message);
    }

    /// Found by `proptests::valid_commands_round_trip`: without serde_json's
    /// `float_roundtrip` this came back as `-7.997951483103743e-178`, so a
    /// client comparing `re === req` never matched its reply.
    #[test]
    fn float_req_is_echoed_exactly() {
        for text in [
            "-7.997951483103744e-178",
            "-9.04135202452002e63",
            "0.1",
            "5e-324",
        ] {
            let frame = format!(r#"{{"type":"ping","req":{text}}}"#);
            let req = Request::parse(&frame).expect("valid").req.expect("req");
            let sent: f64 = text.parse().expect("a float");
            assert_eq!(req.as_f64(), Some(sent), "{text}");
        }
    }

    #[test]
    fn non_object_and_missing_type_are_errors() {
        assert!(Request::parse("[1,2]").is_err());
        assert_eq!(
            Request::parse(r#"{"room":"x"}"#)
                .expect_err("no type")
                .message,
            "missing field `type`"
        );
        assert!(Request::parse(r#"{"type":"ping","req":{"a":1}}"#).is_err());
    }
}

#[cfg(test)]
mod proptests;

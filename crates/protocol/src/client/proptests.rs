//! Property tests of [`Request::parse`] with arbitrary input (the security
//! issue asked for fuzzing; cargo-fuzz needs nightly, so proptest it is).
//!
//! Three families of input: arbitrary strings and JSON-ish text (broken
//! syntax, huge numbers, lone surrogates, deep nesting), arbitrary JSON
//! values built by a recursive strategy (wrong types for known fields, known
//! `type`s with random fields), and valid commands serialized as a client
//! would. Every JSON input is checked against a hand-written oracle of the
//! documented envelope and field rules, so "does not panic" is not the only
//! thing these tests can catch.

use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};

use super::*;

/// The `type`s the protocol knows; generators pick them often so random
/// fields meet the real field deserializers, not only "unknown type".
const KINDS: [&str; 9] = [
    "hello",
    "subscribe",
    "unsubscribe",
    "send",
    "edit",
    "delete",
    "typing",
    "read",
    "ping",
];

/// Every field name some command reads.
const FIELDS: [&str; 8] = [
    "token", "room", "since", "body", "nonce", "id", "active", "seq",
];

/// Characters that tend to break text handling: controls, BOM, bidi
/// overrides, noncharacters, the edges of the surrogate gap, combining marks,
/// astral characters, and JSON's own metacharacters.
fn odd_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        1 => prop::sample::select(vec![
            '\u{0}', '\u{1}', '\u{1b}', '\u{7f}', '\u{85}', '\u{a0}', '\u{ad}', '\u{200b}',
            '\u{202e}', '\u{2028}', '\u{feff}', '\u{fffd}', '\u{ffff}', '\u{d7ff}', '\u{e000}',
            '\u{10ffff}', '\u{301}', '😀', 'é', '"', '\\', '/', '\n', '\t', ' ', '`',
        ]),
    ]
}

fn odd_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(odd_char(), 0..40).prop_map(|cs| cs.into_iter().collect()),
    ]
}

/// Any JSON number serde_json can hold: the integer extremes and every
/// finite float (a non-finite one has no JSON form, so it becomes null).
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            0u64,
            1,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
            u64::MAX
        ])
        .prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        odd_string().prop_map(Value::String),
    ]
}

/// Object keys: mostly the protocol's own names, so collisions happen.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(FIELDS.to_vec()).prop_map(str::to_owned),
        1 => prop::sample::select(vec!["type", "req"]).prop_map(str::to_owned),
        2 => odd_string(),
    ]
}

/// Arbitrary JSON: nested arrays and objects around the leaves.
fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kvs| Value::Object(kvs.into_iter().collect())),
        ]
    })
}

/// A well-typed value for a field, or (as often) any value at all.
fn field_value(name: &'static str) -> BoxedStrategy<Value> {
    let typed: BoxedStrategy<Value> = match name {
        "since" | "seq" => any::<u64>().prop_map(Value::from).boxed(),
        "id" => any::<i64>().prop_map(Value::from).boxed(),
        "active" => any::<bool>().prop_map(Value::Bool).boxed(),
        _ => odd_string().prop_map(Value::String).boxed(),
    };
    prop_oneof![typed, json_value()].boxed()
}

/// Something shaped like a frame: an object with maybe a `req`, maybe a
/// `type` (known, random, or not a string), some known fields and some junk.
fn frame_object() -> impl Strategy<Value = Value> {
    let req = prop::option::of(prop_oneof![
        3 => odd_string().prop_map(Value::String),
        3 => number(),
        2 => json_value(),
    ]);
    let kind = prop::option::of(prop_oneof![
        4 => prop::sample::select(KINDS.to_vec()).prop_map(|k| Value::String(k.to_owned())),
        1 => odd_string().prop_map(Value::String),
        1 => json_value(),
    ]);
    let known = FIELDS.map(|name| prop::option::of(field_value(name)));
    let extra = prop::collection::vec((odd_string(), json_value()), 0..3);
    (req, kind, known, extra).prop_map(|(req, kind, known, extra)| {
        let mut map: Map<String, Value> = extra.into_iter().collect();
        for (name, value) in FIELDS.iter().zip(known) {
            if let Some(value) = value {
                map.insert((*name).to_owned(), value);
            }
        }
        if let Some(kind) = kind {
            map.insert("type".into(), kind);
        }
        if let Some(req) = req {
            map.insert("req".into(), req);
        }
        Value::Object(map)
    })
}

/// Number tokens serde_json's `Value` cannot all hold: overflowing
/// integers, exponents past f64's range, subnormals, `-0`.
fn number_token() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,40}(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,4})?",
        prop::sample::select(vec![
            "-0",
            "1e400",
            "-1e400",
            "1e-400",
            "18446744073709551616",
            "-9223372036854775809",
            "9007199254740993",
            "4.9e-324",
            "1.7976931348623157e308",
            "00",
            "01",
            "1.",
            ".5",
            "+1",
            "NaN",
            "Infinity",
            "0x10",
        ])
        .prop_map(str::to_owned),
    ]
}

/// String tokens written with escapes, lone surrogates included.
fn string_token() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-z ]{0,4}",
            "\\\\u[dD][89abAB][0-9a-fA-F]{2}",
            "\\\\u[dD][c-fC-F][0-9a-fA-F]{2}",
            "\\\\u[0-9a-fA-F]{4}",
            "\\\\[\"\\\\/bfnrtx0]",
        ],
        0..6,
    )
    .prop_map(|parts| format!("\"{}\"", parts.concat()))
}

/// `depth` arrays or objects around `inner`, to meet the parser's recursion limit.
fn nest(depth: usize, objects: bool, inner: &str) -> String {
    let (open, close) = if objects {
        ("{\"a\":", "}")
    } else {
        ("[", "]")
    };
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

/// JSON-ish frame text: a frame whose `req` and one field are odd tokens,
/// possibly nested very deep, possibly cut short or with a key repeated.
fn frame_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        number_token(),
        string_token(),
        prop::sample::select(vec!["null", "true", "false", "[]", "{}", "nul", "tru"])
            .prop_map(str::to_owned),
    ];
    let kind = prop::sample::select(KINDS.to_vec());
    let field = prop::sample::select(FIELDS.to_vec());
    (
        kind,
        token.clone(),
        field,
        token,
        0usize..300,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(kind, req, field, value, depth, objects, repeat, cut)| {
            let value = nest(depth, objects, &value);
            let again = if repeat { r#","type":"ping""# } else { "" };
            let text = format!(r#"{{"type":"{kind}","req":{req},"{field}":{value}{again}}}"#);
            match cut {
                // Cutting at a char boundary keeps it a `&str`, as a text frame is.
                Some(index) => text.chars().take(index.index(text.len())).collect(),
                None => text,
            }
        })
}

/// What the protocol documents for a JSON frame, written independently of
/// the parser: `Ok(command)` or `Err(())`, and the `req` that must be kept.
fn oracle(frame: &Value) -> (Result<Command, ()>, Option<Value>) {
    let Value::Object(map) = frame else {
        return (Err(()), None);
    };
    let req = match map.get("req") {
        None | Some(Value::Null) => None,
        Some(v @ (Value::String(_) | Value::Number(_))) => Some(v.clone()),
        Some(_) => return (Err(()), None),
    };
    let Some(Value::String(kind)) = map.get("type") else {
        return (Err(()), req);
    };
    (command_oracle(kind, map).ok_or(()), req)
}

fn command_oracle(kind: &str, map: &Map<String, Value>) -> Option<Command> {
    // Required fields: present and of the right JSON type.
    let string = |name: &str| map.get(name)?.as_str().map(str::to_owned);
    // Optional fields: absent and null both mean "not given".
    let optional = |name: &str| match map.get(name) {
        None | Some(Value::Null) => Some(None),
        Some(v) => Some(Some(v)),
    };
    let opt_string = |name| match optional(name)? {
        None => Some(None),
        Some(v) => v.as_str().map(|s| Some(s.to_owned())),
    };
    let opt_u64 = |name| match optional(name)? {
        None => Some(None),
        Some(v) => v.as_u64().map(Some),
    };
    // `as_u64`/`as_i64` refuse floats and out-of-range integers, as serde does.
    let u64_field = |name: &str| map.get(name)?.as_u64();
    let i64_field = |name: &str| map.get(name)?.as_i64();
    Some(match kind {
        "hello" => Command::Hello(Hello {
            token: opt_string("token")?,
        }),
        "subscribe" => Command::Subscribe(Subscribe {
            room: string("room")?,
            since: opt_u64("since")?,
        }),
        "unsubscribe" => Command::Unsubscribe(Unsubscribe {
            room: string("room")?,
        }),
        "send" => Command::Send(Send {
            room: string("room")?,
            body: string("body")?,
            nonce: string("nonce")?,
        }),
        "edit" => Command::Edit(Edit {
            room: string("room")?,
            id: i64_field("id")?,
            body: string("body")?,
        }),
        "delete" => Command::Delete(Delete {
            room: string("room")?,
            id: i64_field("id")?,
        }),
        "typing" => Command::Typing(Typing {
            room: string("room")?,
            active: map.get("active")?.as_bool()?,
        }),
        "read" => Command::Read(Read {
            room: string("room")?,
            seq: u64_field("seq")?,
        }),
        "ping" => Command::Ping,
        _ => return None,
    })
}

/// Parses `text` and checks the result against the oracle when the text is
/// JSON at all, and the invariants every answer must keep otherwise.
fn check(text: &str) -> Result<(), TestCaseError> {
    let parsed = Request::parse(text);
    match serde_json::from_str::<Value>(text) {
        Ok(frame) => {
            let (expected, req) = oracle(&frame);
            match (&parsed, expected) {
                (Ok(request), Ok(command)) => {
                    prop_assert_eq!(&request.command, &command);
                    prop_assert_eq!(&request.req, &req);
                }
                (Err(error), Err(())) => {
                    prop_assert_eq!(&error.req, &req);
                    prop_assert!(!error.message.is_empty());
                }
                (got, want) => prop_assert!(false, "parse gave {got:?}, oracle {want:?}"),
            }
        }
        Err(_) => {
            let error = parsed.expect_err("text that is not JSON cannot be a command");
            prop_assert!(
                error.message.starts_with("invalid JSON"),
                "{}",
                error.message
            );
            prop_assert_eq!(error.req, None);
        }
    }
    Ok(())
}

/// A valid command's fields, as a JavaScript client would send them.
/// Optional fields left unset are either omitted (`undefined`) or `null`.
fn client_json(command: &Command, null_for_none: bool) -> Map<String, Value> {
    let opt = |v: Option<Value>| match v {
        Some(v) => Some(v),
        None if null_for_none => Some(Value::Null),
        None => None,
    };
    let (kind, fields): (&str, Vec<(&str, Option<Value>)>) = match command {
        Command::Hello(c) => (
            "hello",
            vec![("token", opt(c.token.clone().map(Value::from)))],
        ),
        Command::Subscribe(c) => (
            "subscribe",
            vec![
                ("room", Some(json!(c.room))),
                ("since", opt(c.since.map(Value::from))),
            ],
        ),
        Command::Unsubscribe(c) => ("unsubscribe", vec![("room", Some(json!(c.room)))]),
        Command::Send(c) => (
            "send",
            vec![
                ("room", Some(json!(c.room))),
                ("body", Some(json!(c.body))),
                ("nonce", Some(json!(c.nonce))),
            ],
        ),
        Command::Edit(c) => (
            "edit",
            vec![
                ("room", Some(json!(c.room))),
                ("id", Some(json!(c.id))),
                ("body", Some(json!(c.body))),
            ],
        ),
        Command::Delete(c) => (
            "delete",
            vec![("room", Some(json!(c.room))), ("id", Some(json!(c.id)))],
        ),
        Command::Typing(c) => (
            "typing",
            vec![
                ("room", Some(json!(c.room))),
                ("active", Some(json!(c.active))),
            ],
        ),
        Command::Read(c) => (
            "read",
            vec![("room", Some(json!(c.room))), ("seq", Some(json!(c.seq)))],
        ),
        Command::Ping => ("ping", vec![]),
    };
    let mut map = Map::new();
    map.insert("type".into(), json!(kind));
    for (name, value) in fields {
        if let Some(value) = value {
            map.insert(name.into(), value);
        }
    }
    map
}

fn valid_command() -> impl Strategy<Value = Command> {
    let s = odd_string;
    prop_oneof![
        prop::option::of(s()).prop_map(|token| Command::Hello(Hello { token })),
        (s(), prop::option::of(any::<u64>()))
            .prop_map(|(room, since)| Command::Subscribe(Subscribe { room, since })),
        s().prop_map(|room| Command::Unsubscribe(Unsubscribe { room })),
        (s(), s(), s()).prop_map(|(room, body, nonce)| Command::Send(Send { room, body, nonce })),
        (s(), any::<i64>(), s()).prop_map(|(room, id, body)| Command::Edit(Edit {
            room,
            id,
            body
        })),
        (s(), any::<i64>()).prop_map(|(room, id)| Command::Delete(Delete { room, id })),
        (s(), any::<bool>()).prop_map(|(room, active)| Command::Typing(Typing { room, active })),
        (s(), any::<u64>()).prop_map(|(room, seq)| Command::Read(Read { room, seq })),
        Just(Command::Ping),
    ]
}

/// A `req` as clients send it: a string, or a number (integer or float).
fn valid_req() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop_oneof![
        odd_string().prop_map(Value::String),
        number().prop_filter("a number", Value::is_number),
    ])
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn arbitrary_odd_strings_never_panic(text in odd_string()) {
        check(&text)?;
    }

    #[test]
    fn json_ish_text_matches_the_oracle(text in frame_text()) {
        check(&text)?;
    }

    #[test]
    fn arbitrary_json_matches_the_oracle(frame in json_value()) {
        let text = serde_json::to_string(&frame).expect("a Value serializes");
        check(&text)?;
    }

    #[test]
    fn frame_shaped_json_matches_the_oracle(frame in frame_object()) {
        let text = serde_json::to_string(&frame).expect("a Value serializes");
        check(&text)?;
    }

    #[test]
    fn valid_commands_round_trip(
        command in valid_command(),
        req in valid_req(),
        null_for_none in any::<bool>(),
    ) {
        let mut map = client_json(&command, null_for_none);
        if let Some(req) = &req {
            map.insert("req".into(), req.clone());
        }
        let text = serde_json::to_string(&Value::Object(map)).expect("serializes");
        let request = Request::parse(&text).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(request.command, command);
        // The correlation id comes back exactly as sent, string or number.
        prop_assert_eq!(request.req, req);
    }

    #[test]
    fn req_of_a_frame_is_kept_whatever_else_is_wrong(
        frame in frame_object(),
        req in valid_req(),
    ) {
        let Value::Object(mut map) = frame else { unreachable!("frame_object builds objects") };
        match &req {
            Some(req) => map.insert("req".into(), req.clone()),
            None => map.remove("req"),
        };
        let text = serde_json::to_string(&Value::Object(map)).expect("serializes");
        let kept = match Request::parse(&text) {
            Ok(request) => request.req,
            Err(error) => error.req,
        };
        prop_assert_eq!(kept, req);
    }
}

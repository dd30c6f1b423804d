//! The frame of the original seed endpoint `/ws/{client_id}` (spec §4):
//! `{"time": "HH:MM", "clientId": <id>, "message": "<text>"}`.
//!
//! The seed's React client builds its id from `Date.now()` and compares the
//! `clientId` it receives with `===`, so a seed client's id made only of
//! digits must be a JSON number, and anything else a string. Only seed
//! clients are ever sent as numbers: anyone else's name is a string even
//! when it is all digits, so a v1 user named `123` cannot pass for the seed
//! client `123`.

use serde::Serialize;
use serde_json::{Number, Value};

#[derive(Debug, Clone, Serialize)]
pub struct SeedFrame {
    pub time: String,
    #[serde(rename = "clientId")]
    pub client_id: Value,
    pub message: String,
}

impl SeedFrame {
    /// A frame from `sender`: a seed client's id when `seed_client`, else the
    /// name of a v1 user.
    pub fn new(time: String, sender: &str, seed_client: bool, message: String) -> Self {
        let client_id = if seed_client {
            seed_client_id_value(sender)
        } else {
            Value::String(sender.to_owned())
        };
        SeedFrame {
            time,
            client_id,
            message,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// An all-digit id becomes a JSON number when it is exactly representable as
/// one in JavaScript too (no leading zero, at most 2^53 - 1); otherwise it is
/// sent as a string, which is what a JavaScript client could compare safely.
pub fn seed_client_id_value(client_id: &str) -> Value {
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    let all_digits = !client_id.is_empty() && client_id.bytes().all(|b| b.is_ascii_digit());
    let canonical = client_id == "0" || !client_id.starts_with('0');
    if all_digits
        && canonical
        && let Ok(n) = client_id.parse::<u64>()
        && n <= MAX_SAFE_INTEGER
    {
        return Value::Number(Number::from(n));
    }
    Value::String(client_id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn digit_ids_are_numbers_others_strings() {
        assert_eq!(
            seed_client_id_value("1732621234567"),
            json!(1732621234567u64)
        );
        assert_eq!(seed_client_id_value("0"), json!(0));
        assert_eq!(seed_client_id_value("bob"), json!("bob"));
        assert_eq!(seed_client_id_value("12a"), json!("12a"));
        assert_eq!(seed_client_id_value("0123"), json!("0123"));
        assert_eq!(
            seed_client_id_value("99999999999999999999"),
            json!("99999999999999999999")
        );
    }

    #[test]
    fn frame_uses_camel_case_client_id() {
        let v: Value = serde_json::from_str(
            &SeedFrame::new("12:30".into(), "42", true, "hi".into()).to_json(),
        )
        .expect("json");
        assert_eq!(v, json!({"time": "12:30", "clientId": 42, "message": "hi"}));
    }

    #[test]
    fn only_seed_clients_are_numbers() {
        let from_v1 = SeedFrame::new("12:30".into(), "123", false, "hi".into());
        assert_eq!(from_v1.client_id, json!("123"));
        let from_seed = SeedFrame::new("12:30".into(), "123", true, "hi".into());
        assert_eq!(from_seed.client_id, json!(123));
    }
}

#[cfg(test)]
mod proptests;

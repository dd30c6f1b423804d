//! Property tests of the seed frame: the `clientId` typing rule against an
//! independent statement of it, and that any frame's JSON parses back with
//! the same time, id and message text.

use proptest::prelude::*;
use serde_json::Value;

use super::*;

/// 2^53 - 1, the largest integer a JavaScript number holds exactly.
const MAX_SAFE: &str = "9007199254740991";

/// The rule written out on the text alone: digits only, no leading zero
/// (but "0" itself), and at most `MAX_SAFE` (compared as equal-length digit
/// strings, so no integer parsing is involved).
fn is_number_id(id: &str) -> bool {
    let digits = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    let canonical = id == "0" || !id.starts_with('0');
    let safe = id.len() < MAX_SAFE.len() || (id.len() == MAX_SAFE.len() && id <= MAX_SAFE);
    digits && canonical && safe
}

/// Ids near every edge of the rule: leading zeros, the 2^53 boundary,
/// 20-digit overflow of u64, non-ASCII digits, signs and spaces.
fn seed_id() -> impl Strategy<Value = String> {
    let boundary = (1u64 << 53) - 1;
    prop_oneof![
        "[0-9]{0,25}",
        "0[0-9]{0,5}",
        (boundary - 3..=boundary + 3).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "[+ -]?[0-9]{1,4}[ a_-]?",
        prop::sample::select(vec!["١٢٣", "１２", "1e3", "0x1f", "-0", ""]).prop_map(str::to_owned),
        "[A-Za-z0-9_-]{1,64}",
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn client_id_is_a_number_exactly_when_the_rule_says(id in seed_id()) {
        match seed_client_id_value(&id) {
            Value::Number(n) => {
                prop_assert!(is_number_id(&id), "{:?} became a number", id);
                // The number is the id itself, not a rounding of it.
                prop_assert_eq!(n.as_u64().map(|n| n.to_string()), Some(id));
            }
            Value::String(s) => {
                prop_assert!(!is_number_id(&id), "{:?} stayed a string", id);
                prop_assert_eq!(s, id);
            }
            other => prop_assert!(false, "{:?} became {:?}", id, other),
        }
    }

    #[test]
    fn frame_json_parses_back(time in any::<String>(), id in seed_id(), message in any::<String>()) {
        let json = SeedFrame::new(time.clone(), &id, true, message.clone()).to_json();
        let value: Value = serde_json::from_str(&json).expect("a frame is JSON");
        let expected = serde_json::json!({
            "time": time,
            "clientId": seed_client_id_value(&id),
            "message": message,
        });
        prop_assert_eq!(value, expected);
    }
}

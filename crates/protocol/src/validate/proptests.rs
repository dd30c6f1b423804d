//! Property tests of the validation rules: for arbitrary input none of them
//! panics, and each agrees with its documented rule written out again here
//! as a plain predicate (`regex` is not a dependency of this crate, so the
//! room id pattern is spelled out by hand rather than used as an oracle).

use proptest::prelude::*;

use super::*;

/// Strings near the rules' edges: the characters the rules care about
/// (allowed, not allowed, white space, controls, multi-byte look-alikes),
/// at lengths around every limit.
fn edgy_string() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => prop::sample::select(vec!['a', 'z', '0', '9', '_', '-']),
        1 => prop::sample::select(vec![
            'A', 'Z', ' ', '.', '/', '\t', '\n', '\r', '\u{0}', '\u{1b}', '\u{7f}', '\u{85}',
            '\u{a0}', '\u{3000}', '\u{200b}', '\u{feff}', 'ä', 'é', 'ı', '\u{ff41}', '😀',
        ]),
        1 => any::<char>(),
    ];
    prop_oneof![
        prop::collection::vec(ch, 0..300).prop_map(|cs| cs.into_iter().collect()),
        any::<String>(),
    ]
}

/// The rule of `room_id` as the documentation states it, char by char:
/// `^[a-z0-9][a-z0-9_-]{0,63}$`.
fn room_id_rule(id: &str) -> bool {
    let chars: Vec<char> = id.chars().collect();
    let first = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let rest = |c: char| first(c) || c == '_' || c == '-';
    (1..=64).contains(&chars.len()) && first(chars[0]) && chars[1..].iter().all(|&c| rest(c))
}

/// `[A-Za-z0-9_-]{1,64}`.
fn seed_client_id_rule(id: &str) -> bool {
    let n = id.chars().count();
    (1..=64).contains(&n)
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// The documented rule for names: no control (Cc), format (Cf) or
/// line/paragraph separator (Zl, Zp) characters.
fn has_invisible(s: &str) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    s.chars().any(|c| {
        matches!(
            c.general_category(),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
    })
}

proptest! {
    #[test]
    fn room_id_is_exactly_the_pattern(id in edgy_string()) {
        prop_assert_eq!(room_id(&id).is_ok(), room_id_rule(&id), "{:?}", id);
    }

    #[test]
    fn room_id_accepts_everything_the_pattern_generates(id in "[a-z0-9][a-z0-9_-]{0,63}") {
        prop_assert!(room_id(&id).is_ok(), "{:?}", id);
    }

    #[test]
    fn body_counts_characters(body_text in edgy_string(), max in prop_oneof![
        0usize..300,
        Just(usize::MAX),
    ]) {
        let expected = if body_text.trim().is_empty() {
            Err(BodyError::Empty)
        } else if chars(&body_text) > max {
            Err(BodyError::TooLong { max_chars: max })
        } else {
            Ok(())
        };
        prop_assert_eq!(body(&body_text, max), expected);
    }

    #[test]
    fn nonce_rule(n in edgy_string()) {
        let expected = (1..=64).contains(&chars(&n)) && !has_control(&n);
        prop_assert_eq!(nonce(&n).is_ok(), expected);
    }

    #[test]
    fn display_name_rule(name in edgy_string()) {
        let trimmed = name.trim();
        let expected = (1..=32).contains(&chars(trimmed)) && !has_invisible(trimmed);
        match display_name(&name) {
            Ok(got) => {
                prop_assert!(expected);
                prop_assert_eq!(got, trimmed);
            }
            Err(_) => prop_assert!(!expected),
        }
    }

    #[test]
    fn seed_client_id_rule_holds(id in edgy_string()) {
        prop_assert_eq!(seed_client_id(&id).is_ok(), seed_client_id_rule(&id));
    }

    #[test]
    fn topic_rule(t in edgy_string()) {
        let trimmed = t.trim();
        // Empty is allowed: it clears the topic.
        let expected = chars(trimmed) <= MAX_TOPIC_CHARS && !has_control(trimmed);
        match topic(&t) {
            Ok(got) => {
                prop_assert!(expected);
                prop_assert_eq!(got, trimmed);
            }
            Err(_) => prop_assert!(!expected),
        }
    }

    #[test]
    fn room_name_rule(name in edgy_string()) {
        let trimmed = name.trim();
        let expected =
            (1..=MAX_ROOM_NAME_CHARS).contains(&chars(trimmed)) && !has_invisible(trimmed);
        match room_name(&name) {
            Ok(got) => {
                prop_assert!(expected);
                prop_assert_eq!(got, trimmed);
            }
            Err(_) => prop_assert!(!expected),
        }
    }

    #[test]
    fn search_query_rule(q in edgy_string()) {
        let trimmed = q.trim();
        let expected = (1..=MAX_QUERY_CHARS).contains(&chars(trimmed)) && !has_control(trimmed);
        match search_query(&q) {
            Ok(got) => {
                prop_assert!(expected);
                prop_assert_eq!(got, trimmed);
            }
            Err(_) => prop_assert!(!expected),
        }
    }
}

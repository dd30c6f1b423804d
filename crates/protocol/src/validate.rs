//! Validation rules for client input that the protocol fixes (spec §1, §2).
//! Each returns a message fit to show the client as a `bad_request`.

/// Room ids of named rooms: `^[a-z0-9][a-z0-9_-]{0,63}$`.
pub fn room_id(id: &str) -> Result<(), String> {
    let bytes = id.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-');
    if ok {
        Ok(())
    } else {
        Err("room id must match ^[a-z0-9][a-z0-9_-]{0,63}$".into())
    }
}

/// Why a message body was refused; `TooLong` maps to `too_large`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    Empty,
    TooLong { max_chars: usize },
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::Empty => write!(f, "body must not be empty or only white space"),
            BodyError::TooLong { max_chars } => {
                write!(f, "body must be at most {max_chars} characters")
            }
        }
    }
}

/// Message bodies: 1..=max characters (Unicode scalar values), not only white space.
pub fn body(body: &str, max_chars: usize) -> Result<(), BodyError> {
    if body.trim().is_empty() {
        return Err(BodyError::Empty);
    }
    // Counting stops one past the limit so a huge body costs no more than a
    // legal one; saturating, because `usize::MAX` means "no limit", not a panic.
    if body.chars().take(max_chars.saturating_add(1)).count() > max_chars {
        return Err(BodyError::TooLong { max_chars });
    }
    Ok(())
}

/// Idempotency keys: 1–64 characters (as the spec says), none of them a
/// control character (they end up in logs and JSON lines exports).
pub fn nonce(nonce: &str) -> Result<(), String> {
    let count = nonce.chars().count();
    let ok = (1..=64).contains(&count) && !nonce.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err("nonce must be 1-64 characters without control characters".into())
    }
}

/// The one check of the characters of a name a person chooses (guest and
/// display names, usernames, room and token names): no control characters
/// (Cc), no format characters (Cf: zero-width space, joiner and non-joiner,
/// bidi embeddings, overrides and isolates, the BOM, the soft hyphen…) and no
/// line or paragraph separators (Zl, Zp). They are invisible or reorder the
/// text around them, so a name holding one can pass for another name
/// (`alice` + U+200B) or scramble the line it is shown in (U+202E).
pub fn name_chars(name: &str) -> Result<(), String> {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let invisible = name.chars().any(|c| {
        matches!(
            c.general_category(),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
    });
    if invisible {
        Err("name must not contain control or invisible formatting characters (such as zero-width or bidi characters)".into())
    } else {
        Ok(())
    }
}

/// The key under which usernames are compared for look-alikes: the UTS #39
/// skeleton (Unicode's confusables mapping, `unicode-security`) of the
/// lower-cased skeleton. Skeleton first, so that `0` (mapped to `O`) and `I`
/// (to `l`) meet their look-alikes; lower case, so that `O` meets `o`; and
/// skeleton again for what lower-casing made. `аlice` (Cyrillic а), `alіce`
/// (Cyrillic і), `a1ice` and `aIice` all have the key of `alice`. A
/// comparison key only, never shown. Usernames are lower-case, so one key
/// is theirs; a name of any case has two, see [`name_skeletons`].
pub fn name_skeleton(name: &str) -> String {
    let first: String = unicode_security::skeleton(name).collect();
    unicode_security::skeleton(&first.to_lowercase()).collect()
}

/// The keys of a name that may be in any case (a guest's): the
/// [`name_skeleton`] of the name lower-cased (`ALICE` looks like `alice`)
/// and of the name as written (`aIice`, with an upper-case i, looks like
/// `alice` too, though lower-cased it is `aiice`). Case and confusables
/// cannot share one key: `I` is `i` by case but looks like `l`, and `i` does
/// not look like `l`. The name looks like a username whose key is either.
pub fn name_skeletons(name: &str) -> [String; 2] {
    [name_skeleton(&name.to_lowercase()), name_skeleton(name)]
}

/// Display names: 1–32 characters after trimming, and [`name_chars`].
/// Returns the trimmed name.
pub fn display_name(name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    let count = trimmed.chars().count();
    if count == 0 || count > 32 {
        return Err("name must be 1-32 characters".into());
    }
    name_chars(trimmed)?;
    Ok(trimmed.to_owned())
}

/// Seed endpoint client ids: 1–64 of `[A-Za-z0-9_-]`.
pub fn seed_client_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err("client id must be 1-64 characters of [A-Za-z0-9_-]".into())
    }
}

/// Longest room topic, in characters.
pub const MAX_TOPIC_CHARS: usize = 256;
/// Longest room name, in characters.
pub const MAX_ROOM_NAME_CHARS: usize = 64;
/// Longest search query, in characters.
pub const MAX_QUERY_CHARS: usize = 256;

/// Room topics, at creation and when set: at most [`MAX_TOPIC_CHARS`]
/// characters after trimming (empty clears it), no control characters (a
/// topic is shown on one line, and a NUL or an escape has no business in it).
/// Returns the trimmed topic.
pub fn topic(topic: &str) -> Result<String, String> {
    let trimmed = topic.trim();
    if trimmed.chars().take(MAX_TOPIC_CHARS + 1).count() > MAX_TOPIC_CHARS
        || trimmed.chars().any(char::is_control)
    {
        return Err(format!(
            "topic must be at most {MAX_TOPIC_CHARS} characters without control characters"
        ));
    }
    Ok(trimmed.to_owned())
}

/// Room names: 1–[`MAX_ROOM_NAME_CHARS`] characters after trimming, no
/// control characters. Returns the trimmed name.
pub fn room_name(name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    let count = trimmed.chars().take(MAX_ROOM_NAME_CHARS + 1).count();
    if count == 0 || count > MAX_ROOM_NAME_CHARS {
        return Err(format!("name must be 1-{MAX_ROOM_NAME_CHARS} characters"));
    }
    // No control or invisible formatting characters: the rule of every name.
    name_chars(trimmed)?;
    Ok(trimmed.to_owned())
}

/// Search queries: 1–[`MAX_QUERY_CHARS`] characters after trimming, no
/// control characters (a NUL would reach the full-text engine). Returns the
/// trimmed query.
pub fn search_query(q: &str) -> Result<String, String> {
    let trimmed = q.trim();
    let count = trimmed.chars().take(MAX_QUERY_CHARS + 1).count();
    if count == 0 || count > MAX_QUERY_CHARS {
        return Err(format!("q must be 1-{MAX_QUERY_CHARS} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("q must not contain control characters".into());
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids() {
        for ok in ["lobby", "a", "0", "rust-lang_2", &"a".repeat(64)] {
            assert!(room_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Lobby", "-a", "_a", "a b", "ä", &"a".repeat(65), "a/b"] {
            assert!(room_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bodies() {
        assert_eq!(body("", 10), Err(BodyError::Empty));
        assert_eq!(body(" \n\t", 10), Err(BodyError::Empty));
        assert!(body("hi", 10).is_ok());
        // Limits count characters, not bytes.
        assert!(body(&"é".repeat(10), 10).is_ok());
        assert_eq!(
            body(&"é".repeat(11), 10),
            Err(BodyError::TooLong { max_chars: 10 })
        );
    }

    /// Found by `proptests::body_counts_characters`: `max_chars + 1`
    /// overflowed (a panic in debug builds) for the largest limit.
    #[test]
    fn body_limit_of_usize_max_does_not_overflow() {
        assert!(body("a", usize::MAX).is_ok());
        assert_eq!(body(" ", usize::MAX), Err(BodyError::Empty));
    }

    #[test]
    fn nonces() {
        assert!(nonce("abc-123").is_ok());
        assert!(nonce("").is_err());
        assert!(nonce("a b").is_ok(), "any characters, as the spec says");
        assert!(nonce(&"é".repeat(64)).is_ok(), "counted in characters");
        assert!(nonce("a\nb").is_err(), "no control characters");
        assert!(nonce(&"x".repeat(65)).is_err());
        assert!(nonce(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn names() {
        assert_eq!(display_name("  ann ").as_deref(), Ok("ann"));
        assert!(display_name("   ").is_err());
        assert!(display_name("a\u{7}b").is_err());
        assert!(display_name(&"n".repeat(33)).is_err());
    }

    #[test]
    fn names_refuse_control_format_and_separator_characters() {
        for bad in [
            "alice\u{200B}",      // zero-width space
            "al\u{200D}ice",      // zero-width joiner
            "al\u{200C}ice",      // zero-width non-joiner
            "\u{202E}ecila",      // right-to-left override
            "a\u{2066}b\u{2069}", // left-to-right isolate, pop isolate
            "\u{200F}alice",      // right-to-left mark
            "\u{FEFF}alice",      // byte order mark
            "al\u{AD}ice",        // soft hyphen
            "alice\u{E0001}",     // language tag
            "a\u{2028}b",         // line separator
            "a\u{2029}b",         // paragraph separator
            "a\u{7}b",
            "a\u{85}b", // C1 control
        ] {
            assert!(name_chars(bad).is_err(), "{bad:?}");
            assert!(display_name(bad).is_err(), "{bad:?}");
        }
        for ok in [
            "alice",
            "Ann Smith",
            "Zoë",
            "Ελένη",
            "محمد",
            "李雷",
            "bob 🎉",
        ] {
            assert!(name_chars(ok).is_ok(), "{ok:?}");
            assert!(display_name(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn look_alike_names_share_a_skeleton() {
        let alice = name_skeleton("alice");
        let looks_like_alice = |name: &str| name_skeletons(name).contains(&alice);
        for same in [
            "alice",
            "ALICE",
            "Alice",
            "\u{430}lice", // Cyrillic а
            "al\u{456}ce", // Cyrillic і
            "a1ice",
            "aIice",                                    // upper-case i for l
            "\u{FF41}\u{FF4C}\u{FF49}\u{FF43}\u{FF45}", // fullwidth
        ] {
            assert!(looks_like_alice(same), "{same:?}");
        }
        // Between usernames (lower-case ASCII), one key.
        assert_eq!(name_skeleton("rnallory"), name_skeleton("mallory"));
        assert_eq!(name_skeleton("bob0"), name_skeleton("bobo"));
        assert_eq!(name_skeleton("a1ice"), alice);
        for other in ["alicia", "bob", "al ice", "alice2", "aiice", "AIICE"] {
            assert!(!looks_like_alice(other), "{other:?}");
        }
    }

    #[test]
    fn seed_ids() {
        assert!(seed_client_id("1732621234567").is_ok());
        assert!(seed_client_id("bob_1-x").is_ok());
        assert!(seed_client_id("").is_err());
        assert!(seed_client_id("a.b").is_err());
    }

    #[test]
    fn topics_names_and_queries() {
        assert_eq!(topic("  hi  ").as_deref(), Ok("hi"));
        assert_eq!(topic("").as_deref(), Ok(""));
        assert!(topic("a\u{0}b").is_err());
        assert!(topic("a\u{1b}[31mred").is_err());
        assert!(topic(&"t".repeat(257)).is_err());
        assert!(topic(&"t".repeat(256)).is_ok());
        assert!(room_name("Team").is_ok());
        assert!(room_name(" ").is_err());
        assert!(room_name("a\nb").is_err());
        assert!(search_query("zebra").is_ok());
        assert!(search_query("ze\u{0}bra").is_err());
        assert!(search_query("   ").is_err());
        assert!(search_query(&"q".repeat(257)).is_err());
    }
}

#[cfg(test)]
mod proptests;

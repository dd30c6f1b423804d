//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes,
//! 1 lane, as OWASP recommends) and the rules for usernames and passwords.
//! Hashing is deliberately slow, so callers run it on the blocking pool.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Passwords: at least 8 characters; at most 256 bytes so hashing cost stays bounded.
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Usernames: 3–32 of `a-z 0-9 _ . -`, starting with a letter or digit,
/// compared case-insensitively (stored lower-case). Returns the normalized name.
/// (The ASCII rule alone keeps out invisible characters; the shared check
/// runs first anyway, so such a name gets the same answer as everywhere.)
pub fn normalize_username(input: &str) -> Result<String, String> {
    webchat_protocol::validate::name_chars(input.trim())?;
    let name = input.trim().to_ascii_lowercase();
    let bytes = name.as_bytes();
    let ok = (3..=32).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes.iter().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        });
    if ok {
        Ok(name)
    } else {
        Err("username must be 3-32 characters of a-z, 0-9, '_', '.', '-', starting with a letter or digit".into())
    }
}

pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "password must be at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "password must be at most {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    Ok(())
}

/// The PHC string of an argon2id hash of `password` with a random salt.
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// True when `password` matches the stored PHC string.
pub fn verify(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// A valid hash of no one's password: verifying against it when a username
/// does not exist makes "unknown user" take as long as "wrong password".
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not a password of anyone").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse").expect("hashes");
        let b = hash("correct horse").expect("hashes");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify("correct horse", &a));
        assert!(!verify("wrong horse", &a));
        assert!(!verify("x", "not a phc string"));
        assert!(!verify("anything", dummy_hash()));
    }

    #[test]
    fn username_and_password_rules() {
        assert_eq!(normalize_username(" Ann_1 ").as_deref(), Ok("ann_1"));
        for bad in ["ab", "-ann", "ann smith", "änn", &"a".repeat(33)] {
            assert!(normalize_username(bad).is_err(), "{bad}");
        }
        let invisible = normalize_username("alice\u{200B}").expect_err("refused");
        assert!(invisible.contains("invisible"), "{invisible}");
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password(&"x".repeat(300)).is_err());
    }
}

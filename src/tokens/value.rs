//! Token values: how they are made, recognised and stored.
//!
//! A value reads `atk_` + 43 random characters + a 6-character checksum, all from `[A-Za-z0-9]`
//! (53 characters in all), in the style of GitHub's `ghp_` tokens:
//! - the prefix lets secret scanners (GitHub, GitLab, trufflehog) recognise a leaked token;
//! - 43 characters from the OS CSPRNG, uniform over 62 symbols, carry 256 bits;
//! - the checksum (CRC-32 of the random part, in base 62) lets the server refuse a mistyped or
//!   truncated value before it touches the database, and lets scanners skip look-alikes;
//! - letters and digits only, so a double-click selects the whole token and no URL needs escaping.
//!
//! The database keeps only the SHA-256 digest of the value. The random part already carries 256
//! bits, so a fast hash is enough: there is nothing to guess that a slow hash would protect.

use std::fmt;

use rand::{Rng, distributions::Alphanumeric, rngs::OsRng};
use sha2::{Digest, Sha256};

pub const PREFIX: &str = "atk_";
const SECRET_CHARS: usize = 43;
const CHECKSUM_CHARS: usize = 6;
pub const LEN: usize = PREFIX.len() + SECRET_CHARS + CHECKSUM_CHARS;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A well-formed token value. Its `Debug` output never shows it, so it cannot leak into a log.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenValue(String);

/// The SHA-256 digest of a token value: what the database stores and looks up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenDigest(pub Vec<u8>);

/// Why a presented value cannot be a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("it does not start with {PREFIX}")]
    Prefix,
    #[error("it is not {LEN} characters long")]
    Length,
    #[error("it has characters a token never has")]
    Characters,
    #[error("its checksum does not match (mistyped or cut short?)")]
    Checksum,
}

impl TokenValue {
    pub fn generate() -> Self {
        let secret: String = OsRng.sample_iter(&Alphanumeric).take(SECRET_CHARS).map(char::from).collect();
        let checksum = checksum(&secret);
        TokenValue(format!("{PREFIX}{secret}{checksum}"))
    }

    /// Checks the shape and checksum of a presented value, without any database lookup.
    pub fn parse(presented: &str) -> Result<Self, Malformed> {
        let rest = presented.strip_prefix(PREFIX).ok_or(Malformed::Prefix)?;
        if !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Malformed::Characters);
        }
        if presented.len() != LEN {
            return Err(Malformed::Length);
        }
        let (secret, sum) = rest.split_at(SECRET_CHARS);
        if checksum(secret) != sum {
            return Err(Malformed::Checksum);
        }
        Ok(TokenValue(presented.to_owned()))
    }

    pub fn digest(&self) -> TokenDigest {
        TokenDigest(Sha256::digest(self.0.as_bytes()).to_vec())
    }

    /// The value itself, to hand to its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenValue(<redacted>)")
    }
}

/// CRC-32 of `secret`, as exactly six base-62 digits.
fn checksum(secret: &str) -> String {
    let mut n = u64::from(crc32fast::hash(secret.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_CHARS];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(digits.to_vec()).expect("base-62 digits are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_have_the_prefix_the_length_and_a_valid_checksum() {
        let value = TokenValue::generate();
        assert!(value.expose().starts_with("atk_"));
        assert_eq!(value.expose().len(), LEN);
        assert!(value.expose()[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(TokenValue::parse(value.expose()), Ok(value));
    }

    #[test]
    fn values_are_distinct() {
        let values: std::collections::HashSet<String> =
            (0..1000).map(|_| TokenValue::generate().expose().to_owned()).collect();
        assert_eq!(values.len(), 1000);
    }

    #[test]
    fn a_changed_character_breaks_the_checksum() {
        let value = TokenValue::generate().expose().to_owned();
        let mut typo = value.clone().into_bytes();
        typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
        assert_eq!(TokenValue::parse(std::str::from_utf8(&typo).unwrap()), Err(Malformed::Checksum));
    }

    #[test]
    fn malformed_values_say_why() {
        let value = TokenValue::generate().expose().to_owned();
        assert_eq!(TokenValue::parse(&value.replace("atk_", "xyz_")), Err(Malformed::Prefix));
        assert_eq!(TokenValue::parse(&value[..LEN - 1]), Err(Malformed::Length));
        assert_eq!(TokenValue::parse(&format!("{value}A")), Err(Malformed::Length));
        let mut dashed = value.clone();
        dashed.replace_range(10..11, "-");
        assert_eq!(TokenValue::parse(&dashed), Err(Malformed::Characters));
        assert_eq!(TokenValue::parse("atk_"), Err(Malformed::Length));
    }

    #[test]
    fn the_digest_is_sha256_of_the_value_and_debug_hides_the_value() {
        let value = TokenValue::generate();
        assert_eq!(value.digest().0.len(), 32);
        assert_eq!(value.digest(), TokenValue::parse(value.expose()).unwrap().digest());
        assert!(!format!("{value:?}").contains(&value.expose()[4..]));
    }

    #[test]
    fn the_checksum_is_six_base62_digits() {
        assert_eq!(checksum("").len(), 6);
        assert_eq!(checksum("abc"), checksum("abc"));
        assert_ne!(checksum("abc"), checksum("abd"));
    }
}

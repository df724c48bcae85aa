//! Which characters a line of text people read (a token's description, a person's name) may not
//! hold: control characters (Unicode `Cc`) and format characters (`Cf`).
//!
//! Format characters are invisible, and some reorder what is shown: U+202E (right-to-left
//! override) makes "Deploy\u{202E}nimda" read as "Deployadmin"; zero-width ones make two names
//! look alike. In the admins' view of everyone's tokens, either could pass one token off as
//! another.

/// The `Cf` characters of Unicode 15.1, as inclusive ranges (the OpenAPI patterns are built from
/// the same table, see `openapi::patterns`).
pub const FORMAT_RANGES: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Whether `c` is a format character (`Cf`).
pub fn is_format(c: char) -> bool {
    let c = u32::from(c);
    FORMAT_RANGES.iter().any(|&(first, last)| (first..=last).contains(&c))
}

/// Whether `c` may not appear in a line of text people read: `Cc` or `Cf`.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_format(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_characters_are_hidden_and_ordinary_text_is_not() {
        for c in ['\u{202E}', '\u{200B}', '\u{FEFF}', '\u{00AD}', '\u{E0041}', '\u{2066}', '\u{0}', '\u{85}'] {
            assert!(is_hidden(c), "{:04X}", u32::from(c));
        }
        for c in ['a', 'é', ' ', '\u{2028}', '😀', '中', '\u{200A}'] {
            assert!(!is_hidden(c), "{:04X}", u32::from(c));
        }
    }
}

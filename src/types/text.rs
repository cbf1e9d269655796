//! Text as exports write it.

/// A byte that starts a character no white space is: visible ASCII, or a lead byte that
/// no white space character has (those lead with C2, E1, E2, E3 or EF: U+0085, U+00A0,
/// U+1680, U+2000–U+205F, U+3000, U+FEFF).
pub fn plain_lead(b: u8) -> bool {
    b.is_ascii_graphic() || matches!(b, 0xC3..=0xDF | 0xE4..=0xEE | 0xF0..=0xF4)
}

/// White space as exports have it: ASCII, no-break and ideographic spaces.
pub fn trim_space(s: &str) -> &str {
    // Nearly every cell starts and ends with a character that is not white space and
    // whose first byte says so ([`plain_lead`]). Then there is nothing to trim, and the
    // char-by-char search (4 % of reading a million lines) is skipped; anything else takes
    // the full rule.
    let b = s.as_bytes();
    // The lead byte of the last character: at most three continuation bytes back.
    let last_lead = b.iter().rev().take(4).find(|&&c| c & 0xC0 != 0x80);
    match (b.first(), last_lead) {
        (Some(&a), Some(&z)) if plain_lead(a) && plain_lead(z) => s,
        _ => s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'),
    }
}

//! Tokenizer shared by the number, date and text readers.
//!
//! A cell text is cut into numbers (runs of digits, dots and commas such as `3.800,5` or
//! `31.12.2023`), words (letters, lower-cased) and single symbols. White space of any kind
//! (including non-breaking spaces) separates tokens and is remembered as a flag on the next
//! token; typographic dashes become `-`, curly apostrophes become `'`, `º` becomes `°`.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Digits, possibly with `.` and `,` inside (never at the start or the end).
    Num,
    /// Letters (lower-cased in the normalised text).
    Word,
    /// Any other single character, normalised.
    Sym(char),
}

/// One token, with where it sits in the normalised and in the original text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    /// What the token is.
    pub kind: Kind,
    /// Byte range in [`Tokens::norm`].
    pub start: usize,
    /// End of the byte range in [`Tokens::norm`].
    pub end: usize,
    /// Byte range in the original text.
    pub ostart: usize,
    /// End of the byte range in the original text.
    pub oend: usize,
    /// White space precedes the token.
    pub space: bool,
}

/// A tokenized text.
#[derive(Debug)]
pub(crate) struct Tokens<'a> {
    /// The original text.
    pub src: &'a str,
    /// The normalised text (lower-cased, one space between tokens that had white space).
    pub norm: String,
    /// The tokens.
    pub toks: Vec<Tok>,
}

/// True for every character that counts as white space, including non-breaking and
/// zero-width spaces.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// Trims white space of every kind from both ends.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

fn is_word_char(c: char) -> bool {
    (c.is_alphabetic() && !matches!(c, 'º' | 'ª')) || matches!(c, '²' | '³')
}

fn normalize_sym(c: char) -> char {
    match c {
        '\u{2212}' | '\u{2013}' | '\u{2014}' | '\u{2010}' | '\u{2011}' | '\u{2012}'
        | '\u{FE63}' | '\u{FF0D}' => '-',
        '\u{2019}' | '\u{2018}' | '`' | '\u{00B4}' => '\'',
        'º' | 'ª' => '°',
        '\u{FF0B}' => '+',
        '\u{FF05}' => '%',
        '\u{FF1D}' => '=',
        '\u{FF1C}' => '<',
        '\u{FF1E}' => '>',
        '\u{2A7D}' => '≤',
        '\u{2A7E}' => '≥',
        '\u{201C}' | '\u{201D}' | '«' | '»' => '"',
        other => other,
    }
}

/// Cuts `src` into tokens.
pub(crate) fn tokenize(src: &str) -> Tokens<'_> {
    let bytes = src.as_bytes();
    let mut norm = String::with_capacity(src.len() + 8);
    let mut toks = Vec::with_capacity(src.len() / 3 + 1);
    let mut it = src.char_indices().peekable();
    let mut space = false;
    while let Some((i, c)) = it.next() {
        if is_space(c) {
            space = true;
            continue;
        }
        if space && !toks.is_empty() {
            norm.push(' ');
        }
        let start = norm.len();
        let (kind, oend) = if c.is_ascii_digit() {
            // The maximal run of digits, dots and commas, without trailing separators.
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'0'..=b'9' | b'.' | b',') {
                end += 1;
            }
            while matches!(bytes[end - 1], b'.' | b',') {
                end -= 1;
            }
            norm.push_str(&src[i..end]);
            while let Some(&(j, _)) = it.peek() {
                if j < end {
                    it.next();
                } else {
                    break;
                }
            }
            (Kind::Num, end)
        } else if is_word_char(c) {
            let mut end = i + c.len_utf8();
            norm.extend(c.to_lowercase());
            while let Some(&(j, d)) = it.peek() {
                if is_word_char(d) {
                    norm.extend(d.to_lowercase());
                    end = j + d.len_utf8();
                    it.next();
                } else {
                    break;
                }
            }
            (Kind::Word, end)
        } else {
            let n = normalize_sym(c);
            norm.push(n);
            (Kind::Sym(n), i + c.len_utf8())
        };
        toks.push(Tok {
            kind,
            start,
            end: norm.len(),
            ostart: i,
            oend,
            space,
        });
        space = false;
    }
    Tokens { src, norm, toks }
}

impl Tokens<'_> {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// The kind of token `i`, if it exists.
    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// The normalised text of token `i` (empty when out of range).
    pub fn text(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| &self.norm[t.start..t.end])
    }

    /// True when token `i` is the symbol `c`.
    pub fn is_sym(&self, i: usize, c: char) -> bool {
        self.kind(i) == Some(Kind::Sym(c))
    }

    /// The symbol of token `i`, if it is one.
    pub fn sym(&self, i: usize) -> Option<char> {
        match self.kind(i) {
            Some(Kind::Sym(c)) => Some(c),
            _ => None,
        }
    }

    /// The word at `i`, lower-cased, if token `i` is a word.
    pub fn word(&self, i: usize) -> Option<&str> {
        (self.kind(i) == Some(Kind::Word)).then(|| self.text(i))
    }

    /// True when token `i` is the word `w` (lower-case).
    pub fn is_word(&self, i: usize, w: &str) -> bool {
        self.word(i) == Some(w)
    }

    /// True when token `i` is a word among `ws`.
    pub fn is_word_in(&self, i: usize, ws: &[&str]) -> bool {
        self.word(i).is_some_and(|w| ws.contains(&w))
    }

    /// The number text at `i`, if token `i` is a number.
    pub fn num(&self, i: usize) -> Option<&str> {
        (self.kind(i) == Some(Kind::Num)).then(|| self.text(i))
    }

    /// The digits at `i`, if token `i` is a number made of digits only.
    pub fn digits(&self, i: usize) -> Option<&str> {
        self.num(i)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
    }

    /// True when white space precedes token `i`.
    pub fn space(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.space)
    }

    /// The original text covered by tokens `a..b` (`a < b`).
    pub fn orig(&self, a: usize, b: usize) -> &str {
        &self.src[self.toks[a].ostart..self.toks[b - 1].oend]
    }

    /// The normalised text covered by tokens `a..b` (`a < b`).
    pub fn norm_span(&self, a: usize, b: usize) -> &str {
        &self.norm[self.toks[a].start..self.toks[b - 1].end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Kind, String)> {
        let t = tokenize(s);
        (0..t.len())
            .map(|i| (t.kind(i).unwrap(), t.text(i).to_string()))
            .collect()
    }

    #[test]
    fn numbers_words_and_symbols() {
        assert_eq!(
            kinds("- 15gg."),
            vec![
                (Kind::Sym('-'), "-".into()),
                (Kind::Num, "15".into()),
                (Kind::Word, "gg".into()),
                (Kind::Sym('.'), ".".into()),
            ]
        );
        assert_eq!(
            kinds("N° 3.800,5 €"),
            vec![
                (Kind::Word, "n".into()),
                (Kind::Sym('°'), "°".into()),
                (Kind::Num, "3.800,5".into()),
                (Kind::Sym('€'), "€".into()),
            ]
        );
    }

    #[test]
    fn trailing_separators_are_not_part_of_the_number() {
        assert_eq!(kinds("5, 7")[0], (Kind::Num, "5".into()));
        assert_eq!(kinds("1..5")[0], (Kind::Num, "1..5".into()));
        assert_eq!(kinds("31.12.2023.")[0], (Kind::Num, "31.12.2023".into()));
    }

    #[test]
    fn typographic_characters_are_normalised() {
        let t = tokenize("\u{2212}3\u{00A0}%  Nº all\u{2019}80");
        assert!(t.is_sym(0, '-'));
        assert!(t.space(2) && t.is_sym(2, '%'));
        assert!(t.is_word(3, "n") && t.is_sym(4, '°'));
        assert!(t.is_word(5, "all") && t.is_sym(6, '\''));
        assert_eq!(t.orig(0, 3), "\u{2212}3\u{00A0}%");
        assert_eq!(t.norm_span(0, 3), "-3 %");
    }

    #[test]
    fn trim_handles_non_breaking_spaces() {
        assert_eq!(trim("\u{00A0} 3 \u{202F}\u{200B}"), "3");
    }
}

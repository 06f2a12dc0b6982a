//! Parser for the `q` parameter of the Management API user search (`GET /api/v2/users`): the
//! subset of Lucene query syntax that Auth0 documents, turned into a typed [`Query`] tree.
//!
//! Semantics follow Auth0's user search v3 docs
//! (<https://auth0.com/docs/manage-users/user-search/user-search-query-syntax>, plus the v2→v3
//! migration notes and the older v2 syntax page, which describes the same Lucene dialect):
//!
//! - A term is a word (`jane`) or a double-quoted phrase (`"jane smith"`); v3 does not tokenize
//!   values, so both match the whole value. `field:value` targets one field, dotted paths reach
//!   into metadata (`app_metadata.plan:gold`), and a term without a field searches the adapter's
//!   default fields.
//! - Operators must be upper case (`and` is a plain term): `AND`/`&&`, `OR`/`||`, `NOT`/`!`.
//!   `NOT` binds tighter than `AND`, which binds tighter than `OR`. A leading `-` means NOT; a
//!   leading `+` ("required") is accepted as a plain clause. Parentheses group clauses and
//!   `field:(a OR b)` applies one field to a whole group.
//! - Clauses separated only by whitespace are joined with **AND**. The v3 page does not say which
//!   default operator it uses (the v2 page said OR, for the older engine), so this follows the
//!   rule of thumb "unclear means AND", as AuthHero's original implementation does.
//! - Wildcards: `*` stands for zero or more characters and `?` is not supported. Auth0 also allows
//!   suffix matches of 3+ characters (`name:*usa`); this parser supports only a trailing `*` (a
//!   prefix search) and rejects a `*` anywhere else. `field:*` means the field exists; `*`, `*:*`
//!   and an empty `q` match everything.
//! - Ranges: `[min TO max]` is inclusive, `{min TO max}` exclusive, the two may be mixed
//!   (`[100 TO 200}`), and `*` leaves an end open. `field:>v`, `>=v`, `<v`, `<=v` are one-sided
//!   ranges. `_exists_:field` matches users that have the field.
//! - Values of the normalized fields (`email`, `name`, `given_name`, `family_name`, `nickname`)
//!   compare case-insensitively and all other fields case-sensitively. That is the adapter's job,
//!   so the parser keeps text exactly as written.
//! - A backslash makes the next character literal (`name:john\ doe`, `\:`, `\-`, `\(`, `\*`),
//!   in phrases too (`\"`, `\\`). Boosts (`^`), fuzzy/proximity searches (`~`) and regular
//!   expressions (`/…/`) are rejected, not misread.
//!
//! Limits against abuse: `q` is at most 1024 bytes, nests at most 16 levels (each parenthesis,
//! field group and unary operator adds one) and holds at most 64 leaf clauses. Parsing never
//! panics; every failure is a [`QueryError`] with the byte position of the problem.

use std::fmt;
use std::str::FromStr;

/// The longest `q` accepted, in bytes.
const MAX_QUERY_BYTES: usize = 1024;
/// How deeply groups and unary operators may nest.
const MAX_DEPTH: usize = 16;
/// How many leaf clauses (matches, ranges, `_exists_`, `*`) one `q` may hold.
const MAX_LEAVES: usize = 64;
/// The longest field path, in bytes.
const MAX_FIELD_BYTES: usize = 128;
/// The most dot-separated segments in a field path.
const MAX_FIELD_SEGMENTS: usize = 8;

/// A dotted field path such as `email`, `app_metadata.plan` or `identities.connection`.
/// Segments are ASCII letters, digits, `_` and `-`, non-empty, at most 8 segments, at most 128 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath(String);

impl FieldPath {
    pub fn parse(s: &str) -> Result<FieldPath, QueryError> {
        Self::parse_at(s, 0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }

    /// Validates `s`, reporting error positions relative to `offset` (where `s` sits in `q`).
    fn parse_at(s: &str, offset: usize) -> Result<FieldPath, QueryError> {
        if s.is_empty() {
            return Err(QueryError::new(offset, "a field name cannot be empty"));
        }
        if s.len() > MAX_FIELD_BYTES {
            return Err(QueryError::new(
                offset + MAX_FIELD_BYTES,
                format!("field name is longer than {MAX_FIELD_BYTES} bytes"),
            ));
        }
        let mut at = offset;
        for (index, segment) in s.split('.').enumerate() {
            if index >= MAX_FIELD_SEGMENTS {
                return Err(QueryError::new(
                    at,
                    format!("field name `{s}` has more than {MAX_FIELD_SEGMENTS} segments"),
                ));
            }
            if segment.is_empty() {
                return Err(QueryError::new(
                    at,
                    format!("field name `{s}` has an empty segment"),
                ));
            }
            if let Some((i, c)) = segment.char_indices().find(|&(_, c)| !is_field_char(c)) {
                return Err(QueryError::new(
                    at + i,
                    format!(
                        "invalid character {c:?} in field name `{s}`; \
                         use ASCII letters, digits, `_`, `-` and `.`"
                    ),
                ));
            }
            at += segment.len() + 1;
        }
        Ok(FieldPath(s.to_owned()))
    }
}

fn is_field_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// A bare term or a quoted phrase: equality on the whole value.
    Exact(String),
    /// A term ending in `*`: the value starts with this text (the `*` is removed).
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    Unbounded,
    Included(String),
    Excluded(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Matches everything: the empty or all-whitespace `q`, or `*` / `*:*`.
    All,
    /// `field:value`, `field:"a phrase"`, `field:val*`; `field` is None for a bare term (the adapter searches its default fields).
    Match {
        field: Option<FieldPath>,
        pattern: Pattern,
    },
    /// `field:[a TO b]`, `field:{a TO b}`, `*` as an open end, and `field:>v`, `field:>=v`, `field:<v`, `field:<=v`.
    Range {
        field: FieldPath,
        lower: Bound,
        upper: Bound,
    },
    /// `_exists_:field`
    Exists(FieldPath),
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid q at byte {position}: {message}")]
pub struct QueryError {
    pub position: usize,
    pub message: String,
}

impl QueryError {
    fn new(position: usize, message: impl Into<String>) -> Self {
        QueryError {
            position,
            message: message.into(),
        }
    }
}

impl Query {
    /// `field` equals `value` exactly, for filters built in code rather than parsed from `q`.
    pub fn equals(field: &str, value: impl Into<String>) -> Result<Query, QueryError> {
        Ok(Query::Match {
            field: Some(FieldPath::parse(field)?),
            pattern: Pattern::Exact(value.into()),
        })
    }

    pub fn parse(q: &str) -> Result<Query, QueryError> {
        if q.len() > MAX_QUERY_BYTES {
            return Err(QueryError::new(
                MAX_QUERY_BYTES,
                format!("q is longer than {MAX_QUERY_BYTES} bytes"),
            ));
        }
        let tokens = Lexer::new(q).tokens()?;
        if tokens.is_empty() {
            return Ok(Query::All);
        }
        Parser::new(q, tokens).parse_query()
    }

    /// Every field the query names (used by adapters to reject unknown fields before building SQL).
    pub fn fields(&self) -> Vec<&FieldPath> {
        let mut fields = Vec::new();
        self.collect_fields(&mut fields);
        fields
    }

    /// Pushes each field once, in order of first appearance.
    fn collect_fields<'a>(&'a self, fields: &mut Vec<&'a FieldPath>) {
        let named = match self {
            Query::All => None,
            Query::Match { field, .. } => field.as_ref(),
            Query::Range { field, .. } | Query::Exists(field) => Some(field),
            Query::And(clauses) | Query::Or(clauses) => {
                for clause in clauses {
                    clause.collect_fields(fields);
                }
                None
            }
            Query::Not(inner) => {
                inner.collect_fields(fields);
                None
            }
        };
        if let Some(field) = named
            && !fields.contains(&field)
        {
            fields.push(field);
        }
    }
}

impl FromStr for Query {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Query::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer: turns `q` into tokens carrying their byte span.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

/// A bare word after escapes are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    /// The text with escapes resolved and a trailing wildcard removed.
    text: String,
    /// No backslash escapes were used, so `text` is exactly what `q` says.
    plain: bool,
    /// The word ended in an unescaped `*`.
    star: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    OpenParen,
    CloseParen,
    OpenSquare,
    CloseSquare,
    OpenCurly,
    CloseCurly,
    Colon,
    And,
    Or,
    Not,
    Minus,
    Plus,
    Compare(Comparison),
    Phrase(String),
    Word(Word),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

#[derive(Debug)]
struct Lexer<'a> {
    source: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(source: &'a str) -> Self {
        Lexer { source, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        self.source.get(self.pos..).unwrap_or("")
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn second_char(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn tokens(mut self) -> Result<Vec<Token>, QueryError> {
        let mut tokens = Vec::new();
        loop {
            while self.peek_char().is_some_and(char::is_whitespace) {
                self.bump();
            }
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                return Ok(tokens);
            };
            let kind = self.token_kind(c)?;
            tokens.push(Token {
                kind,
                start,
                end: self.pos,
            });
        }
    }

    /// Consumes one token starting with `c` and returns its kind.
    fn token_kind(&mut self, c: char) -> Result<Kind, QueryError> {
        let single = match c {
            '(' => Some(Kind::OpenParen),
            ')' => Some(Kind::CloseParen),
            '[' => Some(Kind::OpenSquare),
            ']' => Some(Kind::CloseSquare),
            '{' => Some(Kind::OpenCurly),
            '}' => Some(Kind::CloseCurly),
            ':' => Some(Kind::Colon),
            '!' => Some(Kind::Not),
            '-' => Some(Kind::Minus),
            '+' => Some(Kind::Plus),
            _ => None,
        };
        if let Some(kind) = single {
            self.bump();
            return Ok(kind);
        }
        match (c, self.second_char()) {
            ('&', Some('&')) => {
                self.pos += 2;
                Ok(Kind::And)
            }
            ('|', Some('|')) => {
                self.pos += 2;
                Ok(Kind::Or)
            }
            ('>', _) => Ok(self.comparison(true)),
            ('<', _) => Ok(self.comparison(false)),
            ('"', _) => self.phrase(),
            _ => self.word(),
        }
    }

    fn comparison(&mut self, greater: bool) -> Kind {
        self.bump();
        let or_equal = self.peek_char() == Some('=');
        if or_equal {
            self.bump();
        }
        Kind::Compare(match (greater, or_equal) {
            (true, false) => Comparison::Greater,
            (true, true) => Comparison::GreaterOrEqual,
            (false, false) => Comparison::Less,
            (false, true) => Comparison::LessOrEqual,
        })
    }

    /// A double-quoted phrase; a backslash makes the next character literal.
    fn phrase(&mut self) -> Result<Kind, QueryError> {
        let start = self.pos;
        self.bump();
        let mut text = String::new();
        loop {
            let c = match self.bump() {
                Some('"') => return Ok(Kind::Phrase(text)),
                Some('\\') => self.bump(),
                other => other,
            };
            let Some(c) = c else {
                return Err(QueryError::new(
                    start,
                    "unterminated quoted phrase: missing closing '\"'",
                ));
            };
            text.push(c);
        }
    }

    /// A bare word: everything up to whitespace or a structural character.
    fn word(&mut self) -> Result<Kind, QueryError> {
        let mut word = Word {
            text: String::new(),
            plain: true,
            star: false,
        };
        while let Some(c) = self.peek_char() {
            if self.at_word_end() {
                break;
            }
            let at = self.pos;
            self.bump();
            match c {
                '\\' => {
                    let Some(escaped) = self.bump() else {
                        return Err(QueryError::new(
                            at,
                            "a backslash at the end of q escapes nothing",
                        ));
                    };
                    word.text.push(escaped);
                    word.plain = false;
                }
                '*' => {
                    if !self.at_word_end() {
                        return Err(QueryError::new(
                            at,
                            "a * wildcard is only supported at the end of a term \
                             (a prefix search such as name:john*); escape a literal * as \\*",
                        ));
                    }
                    word.star = true;
                }
                _ => match unsupported(c) {
                    Some(message) => return Err(QueryError::new(at, message)),
                    None => word.text.push(c),
                },
            }
        }
        Ok(keyword(word))
    }

    /// A word ends at the end of `q`, at a structural character, or where `&&` / `||` begins.
    fn at_word_end(&self) -> bool {
        let rest = self.rest();
        rest.chars().next().is_none_or(ends_word)
            || rest.starts_with("&&")
            || rest.starts_with("||")
    }
}

/// Characters that end a bare word (they are tokens of their own).
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | '[' | ']' | '{' | '}' | ':')
}

/// Lucene syntax that Auth0's user search does not support, with the reason.
fn unsupported(c: char) -> Option<&'static str> {
    match c {
        '?' => {
            Some("the ? wildcard is not supported, only a trailing *; escape a literal ? as \\?")
        }
        '^' => Some("boosting with ^ is not supported; escape a literal ^ as \\^"),
        '~' => {
            Some("fuzzy and proximity searches (~) are not supported; escape a literal ~ as \\~")
        }
        '/' => Some("regular expressions are not supported; escape a literal / as \\/"),
        _ => None,
    }
}

/// Upper-case `AND`, `OR` and `NOT` written without escapes are operators.
fn keyword(word: Word) -> Kind {
    if word.plain && !word.star {
        match word.text.as_str() {
            "AND" => return Kind::And,
            "OR" => return Kind::Or,
            "NOT" => return Kind::Not,
            _ => {}
        }
    }
    Kind::Word(word)
}

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent over the tokens.
//
//   query   := or EOF
//   or      := and (("OR" | "||") and)*
//   and     := unary (("AND" | "&&")? unary)*          whitespace alone means AND
//   unary   := ("NOT" | "!" | "-") unary | "+" unary | primary
//   primary := "(" or ")" | FIELD ":" value | "_exists_" ":" FIELD | "*" ":" "*" | term | phrase
//   value   := "(" or ")" | range | compare value | term | phrase   (inside a field group,
//              range, compare, term and phrase take the group's field)
//   range   := ("[" | "{") bound "TO" bound ("]" | "}")
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Junction {
    And,
    Or,
}

/// Joins clauses, flattening nested junctions of the same kind; one clause stands alone.
fn combine(junction: Junction, clauses: Vec<Query>) -> Query {
    let mut flat = Vec::with_capacity(clauses.len());
    for clause in clauses {
        match (junction, clause) {
            (Junction::And, Query::And(inner)) | (Junction::Or, Query::Or(inner)) => {
                flat.extend(inner);
            }
            (_, other) => flat.push(other),
        }
    }
    if flat.len() == 1
        && let Some(only) = flat.pop()
    {
        return only;
    }
    match junction {
        Junction::And => Query::And(flat),
        Junction::Or => Query::Or(flat),
    }
}

fn starts_clause(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::OpenParen
            | Kind::OpenSquare
            | Kind::OpenCurly
            | Kind::Not
            | Kind::Minus
            | Kind::Plus
            | Kind::Compare(_)
            | Kind::Phrase(_)
            | Kind::Word(_)
    )
}

#[derive(Debug)]
struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    next: usize,
    depth: usize,
    leaves: usize,
}

impl<'a> Parser<'a> {
    fn new(source: &'a str, tokens: Vec<Token>) -> Self {
        Parser {
            source,
            tokens,
            next: 0,
            depth: 0,
            leaves: 0,
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.next).cloned();
        if token.is_some() {
            self.next += 1;
        }
        token
    }

    /// Consumes the next token if it has exactly this kind.
    fn eat(&mut self, kind: &Kind) -> Option<Token> {
        if self.peek().is_some_and(|token| &token.kind == kind) {
            self.advance()
        } else {
            None
        }
    }

    /// The token as written in `q`, for error messages.
    fn describe(&self, token: &Token) -> String {
        match self.source.get(token.start..token.end) {
            Some(text) if text.len() <= 40 => format!("`{text}`"),
            _ => "a long value".to_owned(),
        }
    }

    fn parse_query(&mut self) -> Result<Query, QueryError> {
        let query = self.parse_or(None)?;
        match self.peek() {
            None => Ok(query),
            Some(token) => Err(self.unexpected(token)),
        }
    }

    fn parse_or(&mut self, field: Option<&FieldPath>) -> Result<Query, QueryError> {
        let mut clauses = vec![self.parse_and(field, None)?];
        while let Some(operator) = self.eat(&Kind::Or) {
            clauses.push(self.parse_and(field, Some(&operator))?);
        }
        Ok(combine(Junction::Or, clauses))
    }

    fn parse_and(
        &mut self,
        field: Option<&FieldPath>,
        after: Option<&Token>,
    ) -> Result<Query, QueryError> {
        let mut clauses = vec![self.parse_unary(field, after)?];
        loop {
            if let Some(operator) = self.eat(&Kind::And) {
                clauses.push(self.parse_unary(field, Some(&operator))?);
            } else if self.peek().is_some_and(|token| starts_clause(&token.kind)) {
                clauses.push(self.parse_unary(field, None)?);
            } else {
                break;
            }
        }
        Ok(combine(Junction::And, clauses))
    }

    fn parse_unary(
        &mut self,
        field: Option<&FieldPath>,
        after: Option<&Token>,
    ) -> Result<Query, QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.missing_clause(after, None));
        };
        match token.kind {
            Kind::Not | Kind::Minus => {
                self.next += 1;
                let inner = self.nested(token.start, |p| p.parse_unary(field, Some(&token)))?;
                Ok(Query::Not(Box::new(inner)))
            }
            Kind::Plus => {
                self.next += 1;
                self.nested(token.start, |p| p.parse_unary(field, Some(&token)))
            }
            _ => self.parse_primary(field, after),
        }
    }

    /// Runs `parse` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<T>(
        &mut self,
        position: usize,
        parse: impl FnOnce(&mut Self) -> Result<T, QueryError>,
    ) -> Result<T, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(QueryError::new(
                position,
                format!("q nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    /// Counts a leaf clause, refusing more than [`MAX_LEAVES`].
    fn leaf(&mut self, position: usize, query: Query) -> Result<Query, QueryError> {
        self.leaves += 1;
        if self.leaves > MAX_LEAVES {
            return Err(QueryError::new(
                position,
                format!("q has more than {MAX_LEAVES} clauses"),
            ));
        }
        Ok(query)
    }

    fn parse_primary(
        &mut self,
        field: Option<&FieldPath>,
        after: Option<&Token>,
    ) -> Result<Query, QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.missing_clause(after, None));
        };
        let followed_by_colon = self
            .tokens
            .get(self.next + 1)
            .is_some_and(|t| t.kind == Kind::Colon);
        match token.kind {
            Kind::OpenParen => {
                self.next += 1;
                self.parse_group(field, &token)
            }
            Kind::Word(word) if followed_by_colon => {
                self.next += 1;
                match field {
                    None => self.parse_field_clause(&word, token.start),
                    Some(group) => Err(QueryError::new(
                        token.start,
                        format!("the field group `{group}:(...)` cannot name another field"),
                    )),
                }
            }
            Kind::Word(word) => {
                self.next += 1;
                self.term(field, word, token.start)
            }
            Kind::Phrase(text) => {
                self.next += 1;
                let query = Query::Match {
                    field: field.cloned(),
                    pattern: Pattern::Exact(text),
                };
                self.leaf(token.start, query)
            }
            Kind::OpenSquare | Kind::OpenCurly => match field {
                Some(field) => {
                    self.next += 1;
                    self.parse_range(field.clone(), &token)
                }
                None => Err(QueryError::new(
                    token.start,
                    "a range needs a field, e.g. logins_count:[1 TO 5]",
                )),
            },
            Kind::Compare(comparison) => match field {
                Some(field) => {
                    self.next += 1;
                    self.parse_comparison(field.clone(), comparison, &token)
                }
                None => Err(QueryError::new(
                    token.start,
                    "a comparison needs a field, e.g. logins_count:>10",
                )),
            },
            _ => Err(self.missing_clause(after, Some(&token))),
        }
    }

    /// `( ... )`, optionally applying `field` to every clause inside.
    fn parse_group(
        &mut self,
        field: Option<&FieldPath>,
        open: &Token,
    ) -> Result<Query, QueryError> {
        self.nested(open.start, |p| {
            match p.peek() {
                None => {
                    return Err(QueryError::new(
                        open.start,
                        "unbalanced '(': no matching ')'",
                    ));
                }
                Some(token) if token.kind == Kind::CloseParen => {
                    return Err(QueryError::new(open.start, "empty parentheses"));
                }
                Some(_) => {}
            }
            let inner = p.parse_or(field)?;
            match p.peek() {
                None => Err(QueryError::new(
                    open.start,
                    "unbalanced '(': no matching ')'",
                )),
                Some(token) if token.kind == Kind::CloseParen => {
                    p.next += 1;
                    Ok(inner)
                }
                Some(token) => Err(p.unexpected(token)),
            }
        })
    }

    /// `name:...` where `name` is the word just consumed and a colon comes next.
    fn parse_field_clause(&mut self, word: &Word, start: usize) -> Result<Query, QueryError> {
        let Some(colon) = self.advance() else {
            return Err(QueryError::new(start, "expected ':' after a field name"));
        };
        if word.star && word.text.is_empty() {
            return self.parse_match_all(&colon);
        }
        let field = field_name(word, start)?;
        if field.as_str() == "_exists_" {
            return self.parse_exists(&colon);
        }
        self.parse_value(field, &colon)
    }

    fn parse_value(&mut self, field: FieldPath, colon: &Token) -> Result<Query, QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Err(QueryError::new(
                colon.end,
                format!("missing value after `{field}:`"),
            ));
        };
        match token.kind {
            Kind::OpenParen | Kind::OpenSquare | Kind::OpenCurly | Kind::Compare(_) => {
                self.parse_primary(Some(&field), Some(colon))
            }
            Kind::Word(word) => {
                self.next += 1;
                self.term(Some(&field), word, token.start)
            }
            Kind::Phrase(text) => {
                self.next += 1;
                let query = Query::Match {
                    field: Some(field),
                    pattern: Pattern::Exact(text),
                };
                self.leaf(token.start, query)
            }
            Kind::Minus => Err(QueryError::new(
                token.start,
                format!(
                    "a value cannot start with '-'; quote it or escape it as \\- (after `{field}:`)"
                ),
            )),
            _ => Err(QueryError::new(
                token.start,
                format!(
                    "missing value after `{field}:`, found {}",
                    self.describe(&token)
                ),
            )),
        }
    }

    /// A bare word as a value: exact, prefix (`val*`), exists (`field:*`) or everything (`*`).
    fn term(
        &mut self,
        field: Option<&FieldPath>,
        word: Word,
        position: usize,
    ) -> Result<Query, QueryError> {
        let query = match (field, word.star) {
            (None, true) if word.text.is_empty() => Query::All,
            (Some(field), true) if word.text.is_empty() => Query::Exists(field.clone()),
            (_, true) => Query::Match {
                field: field.cloned(),
                pattern: Pattern::Prefix(word.text),
            },
            (_, false) => Query::Match {
                field: field.cloned(),
                pattern: Pattern::Exact(word.text),
            },
        };
        self.leaf(position, query)
    }

    /// `*:*`, after the colon.
    fn parse_match_all(&mut self, colon: &Token) -> Result<Query, QueryError> {
        match self.advance() {
            Some(Token {
                kind: Kind::Word(word),
                start,
                ..
            }) if word.star && word.text.is_empty() => self.leaf(start, Query::All),
            Some(token) => Err(QueryError::new(
                token.start,
                "`*:` can only be followed by `*` (match everything); field names cannot use wildcards",
            )),
            None => Err(QueryError::new(colon.end, "missing value after `*:`")),
        }
    }

    /// `_exists_:field`, after the colon.
    fn parse_exists(&mut self, colon: &Token) -> Result<Query, QueryError> {
        match self.advance() {
            Some(Token {
                kind: Kind::Word(word),
                start,
                ..
            }) if word.plain && !word.star => {
                let field = FieldPath::parse_at(&word.text, start)?;
                self.leaf(start, Query::Exists(field))
            }
            Some(token) => Err(QueryError::new(
                token.start,
                "`_exists_:` must be followed by a field name, e.g. _exists_:email",
            )),
            None => Err(QueryError::new(
                colon.end,
                "missing field name after `_exists_:`",
            )),
        }
    }

    /// `[a TO b]`, `{a TO b}` or a mix, after the opening bracket.
    fn parse_range(&mut self, field: FieldPath, open: &Token) -> Result<Query, QueryError> {
        let lower = self.range_bound(open)?;
        self.expect_to(open)?;
        let upper = self.range_bound(open)?;
        let upper_inclusive = match self.advance() {
            Some(Token {
                kind: Kind::CloseSquare,
                ..
            }) => true,
            Some(Token {
                kind: Kind::CloseCurly,
                ..
            }) => false,
            Some(token) => {
                return Err(QueryError::new(
                    token.start,
                    format!(
                        "expected ']' or '}}' to close the range, found {}",
                        self.describe(&token)
                    ),
                ));
            }
            None => return Err(unterminated_range(open)),
        };
        let lower_inclusive = open.kind == Kind::OpenSquare;
        let query = Query::Range {
            field,
            lower: to_bound(lower, lower_inclusive),
            upper: to_bound(upper, upper_inclusive),
        };
        self.leaf(open.start, query)
    }

    fn range_bound(&mut self, open: &Token) -> Result<Option<String>, QueryError> {
        match self.advance() {
            Some(token) => self.bound_text(token),
            None => Err(unterminated_range(open)),
        }
    }

    fn expect_to(&mut self, open: &Token) -> Result<(), QueryError> {
        match self.advance() {
            Some(Token {
                kind: Kind::Word(word),
                ..
            }) if word.plain && !word.star && word.text == "TO" => Ok(()),
            Some(token) => {
                let hint = if token.kind == Kind::Colon {
                    "; quote values that contain ':'"
                } else {
                    ""
                };
                Err(QueryError::new(
                    token.start,
                    format!(
                        "expected upper-case TO in the range, found {}{hint}",
                        self.describe(&token)
                    ),
                ))
            }
            None => Err(unterminated_range(open)),
        }
    }

    /// The text of one range or comparison value; `None` is the open end `*`.
    fn bound_text(&mut self, token: Token) -> Result<Option<String>, QueryError> {
        match token.kind {
            Kind::Word(word) if word.star && word.text.is_empty() => Ok(None),
            Kind::Word(word) if word.star => Err(QueryError::new(
                token.start,
                "wildcards are not allowed in range values; use * alone for an open end",
            )),
            Kind::Word(word) => Ok(Some(word.text)),
            Kind::Phrase(text) => Ok(Some(text)),
            Kind::Minus => self.negative_value(&token).map(Some),
            _ => Err(QueryError::new(
                token.start,
                format!("expected a range value, found {}", self.describe(&token)),
            )),
        }
    }

    /// `-5` in a range or comparison: a minus directly followed by a word.
    fn negative_value(&mut self, minus: &Token) -> Result<String, QueryError> {
        let word = match self.peek() {
            Some(Token {
                kind: Kind::Word(word),
                start,
                ..
            }) if *start == minus.end && !word.star => {
                format!("-{}", word.text)
            }
            _ => {
                return Err(QueryError::new(
                    minus.start,
                    "expected a value right after '-' (e.g. -5)",
                ));
            }
        };
        self.next += 1;
        Ok(word)
    }

    /// `field:>v`, `>=v`, `<v`, `<=v`, after the operator.
    fn parse_comparison(
        &mut self,
        field: FieldPath,
        comparison: Comparison,
        operator: &Token,
    ) -> Result<Query, QueryError> {
        let Some(token) = self.advance() else {
            return Err(QueryError::new(
                operator.end,
                format!("missing value after {}", self.describe(operator)),
            ));
        };
        let position = token.start;
        let Some(value) = self.bound_text(token)? else {
            return Err(QueryError::new(
                position,
                "a comparison needs a value, not *; use a range such as [* TO 5] instead",
            ));
        };
        let (lower, upper) = match comparison {
            Comparison::Greater => (Bound::Excluded(value), Bound::Unbounded),
            Comparison::GreaterOrEqual => (Bound::Included(value), Bound::Unbounded),
            Comparison::Less => (Bound::Unbounded, Bound::Excluded(value)),
            Comparison::LessOrEqual => (Bound::Unbounded, Bound::Included(value)),
        };
        self.leaf(
            operator.start,
            Query::Range {
                field,
                lower,
                upper,
            },
        )
    }

    /// The error for a token that cannot continue the query where it stands.
    fn unexpected(&self, token: &Token) -> QueryError {
        let message = match token.kind {
            Kind::CloseParen => "unbalanced ')': no matching '('".to_owned(),
            Kind::Colon => "unexpected ':'; a field name must be a plain word, \
                            and values that contain ':' must be quoted or escaped as \\:"
                .to_owned(),
            Kind::CloseSquare | Kind::CloseCurly => {
                format!("unexpected {} outside a range", self.describe(token))
            }
            _ => format!("unexpected {}", self.describe(token)),
        };
        QueryError::new(token.start, message)
    }

    /// The error for a missing clause: at the end of `q`, or where `found` stands.
    fn missing_clause(&self, after: Option<&Token>, found: Option<&Token>) -> QueryError {
        let position = found.map_or(self.source.len(), |token| token.start);
        let found_text =
            found.map_or_else(|| "the end of q".to_owned(), |token| self.describe(token));
        let message = match (after, found.map(|token| &token.kind)) {
            (Some(operator), _) => {
                format!(
                    "expected a clause after {}, found {found_text}",
                    self.describe(operator)
                )
            }
            (None, Some(Kind::And | Kind::Or)) => {
                format!("{found_text} needs a clause on its left")
            }
            (None, Some(Kind::CloseParen)) => "unbalanced ')': no matching '('".to_owned(),
            (None, _) => format!("expected a clause, found {found_text}"),
        };
        QueryError::new(position, message)
    }
}

fn unterminated_range(open: &Token) -> QueryError {
    QueryError::new(
        open.start,
        "unterminated range: expected `[min TO max]` closed by ']' or '}'",
    )
}

fn to_bound(value: Option<String>, inclusive: bool) -> Bound {
    match value {
        None => Bound::Unbounded,
        Some(value) if inclusive => Bound::Included(value),
        Some(value) => Bound::Excluded(value),
    }
}

/// Validates a word used as a field name.
fn field_name(word: &Word, position: usize) -> Result<FieldPath, QueryError> {
    if !word.plain {
        return Err(QueryError::new(
            position,
            "field names cannot contain escaped characters",
        ));
    }
    if word.star {
        return Err(QueryError::new(
            position,
            "field names cannot contain wildcards",
        ));
    }
    FieldPath::parse_at(&word.text, position)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(path: &str) -> FieldPath {
        FieldPath(path.to_owned())
    }

    fn exact(path: &str, value: &str) -> Query {
        Query::Match {
            field: Some(field(path)),
            pattern: Pattern::Exact(value.to_owned()),
        }
    }

    fn prefix(path: &str, value: &str) -> Query {
        Query::Match {
            field: Some(field(path)),
            pattern: Pattern::Prefix(value.to_owned()),
        }
    }

    fn bare(value: &str) -> Query {
        Query::Match {
            field: None,
            pattern: Pattern::Exact(value.to_owned()),
        }
    }

    fn bare_prefix(value: &str) -> Query {
        Query::Match {
            field: None,
            pattern: Pattern::Prefix(value.to_owned()),
        }
    }

    fn range(path: &str, lower: Bound, upper: Bound) -> Query {
        Query::Range {
            field: field(path),
            lower,
            upper,
        }
    }

    fn incl(value: &str) -> Bound {
        Bound::Included(value.to_owned())
    }

    fn excl(value: &str) -> Bound {
        Bound::Excluded(value.to_owned())
    }

    fn not(query: Query) -> Query {
        Query::Not(Box::new(query))
    }

    fn exists(path: &str) -> Query {
        Query::Exists(field(path))
    }

    #[track_caller]
    fn parses(q: &str, expected: Query) {
        assert_eq!(Query::parse(q), Ok(expected), "q = {q:?}");
    }

    #[track_caller]
    fn fails(q: &str, position: usize, needle: &str) {
        match Query::parse(q) {
            Ok(query) => panic!("q = {q:?} parsed as {query:?}, expected an error"),
            Err(error) => {
                assert_eq!(error.position, position, "q = {q:?}: {error}");
                assert!(
                    error.message.contains(needle),
                    "q = {q:?}: message {:?} lacks {needle:?}",
                    error.message
                );
            }
        }
    }

    // --- match everything ---------------------------------------------------------------------

    #[test]
    fn empty_and_whitespace_match_all() {
        parses("", Query::All);
        parses("   \t\n ", Query::All);
    }

    #[test]
    fn star_and_star_colon_star_match_all() {
        parses("*", Query::All);
        parses("*:*", Query::All);
        parses(" *:* ", Query::All);
    }

    // --- terms, phrases, prefixes -------------------------------------------------------------

    #[test]
    fn bare_term_has_no_field() {
        parses("jane", bare("jane"));
    }

    #[test]
    fn field_term() {
        parses("email:jane@example.com", exact("email", "jane@example.com"));
        parses(
            "user_id:auth0|5457edea1b8f",
            exact("user_id", "auth0|5457edea1b8f"),
        );
        parses("created_at:2018-01-15", exact("created_at", "2018-01-15"));
        parses("name:jean-luc", exact("name", "jean-luc"));
        parses("blocked:true", exact("blocked", "true"));
    }

    #[test]
    fn dotted_field_paths() {
        parses(
            "app_metadata.subscription.plan:gold",
            exact("app_metadata.subscription.plan", "gold"),
        );
        parses(
            "identities.connection:Username-Password-Authentication",
            exact("identities.connection", "Username-Password-Authentication"),
        );
    }

    #[test]
    fn whitespace_around_colon_is_allowed() {
        parses("email: jane", exact("email", "jane"));
        parses("_exists_: nickname", exists("nickname"));
    }

    #[test]
    fn case_is_preserved() {
        parses("name:Jane", exact("name", "Jane"));
        parses("Name:jane", exact("Name", "jane"));
    }

    #[test]
    fn non_ascii_values() {
        parses("name:José", exact("name", "José"));
        parses("name:\"北京 市\"", exact("name", "北京 市"));
    }

    #[test]
    fn quoted_phrase() {
        parses("name:\"jane smith\"", exact("name", "jane smith"));
        parses("\"jane smith\"", bare("jane smith"));
        parses("email:\"\"", exact("email", ""));
    }

    #[test]
    fn phrase_escapes() {
        parses(r#"name:"say \"hi\"""#, exact("name", "say \"hi\""));
        parses(r#"name:"back\\slash""#, exact("name", "back\\slash"));
        parses(r#"name:"a\*b""#, exact("name", "a*b"));
    }

    #[test]
    fn phrase_keeps_special_characters_literally() {
        parses(
            "name:\"a AND (b) * ? : [x TO y] ^ ~ /\"",
            exact("name", "a AND (b) * ? : [x TO y] ^ ~ /"),
        );
        parses(
            "picture:\"https://example.com/a.png\"",
            exact("picture", "https://example.com/a.png"),
        );
    }

    #[test]
    fn trailing_star_is_prefix() {
        parses("name:john*", prefix("name", "john"));
        parses("name:j*", prefix("name", "j"));
        parses("user_id:auth0*", prefix("user_id", "auth0"));
        parses("john*", bare_prefix("john"));
    }

    #[test]
    fn field_star_means_exists() {
        parses("nickname:*", exists("nickname"));
    }

    // --- escapes ------------------------------------------------------------------------------

    #[test]
    fn escapes_in_bare_terms() {
        parses(r"name:john\ doe", exact("name", "john doe"));
        parses(r"user_id:auth0\:123", exact("user_id", "auth0:123"));
        parses(r"name:\-dash", exact("name", "-dash"));
        parses(r"name:\+plus", exact("name", "+plus"));
        parses(r"name:\(x\)", exact("name", "(x)"));
        parses(r"name:\[x\]\{y\}", exact("name", "[x]{y}"));
        parses(r"name:a\*", exact("name", "a*"));
        parses(r"name:a\*b", exact("name", "a*b"));
        parses(r"name:a\?", exact("name", "a?"));
        parses(r"name:a\\b", exact("name", "a\\b"));
        parses(r"name:\!x\^y\~z\/w", exact("name", "!x^y~z/w"));
        parses(r#"name:\"quoted\""#, exact("name", "\"quoted\""));
        parses(r"\-x", bare("-x"));
    }

    #[test]
    fn escaped_colon_is_not_a_field_separator() {
        parses(r"email\:x", bare("email:x"));
    }

    #[test]
    fn escaped_or_lower_case_keywords_are_terms() {
        parses(r"\AND", bare("AND"));
        parses("name:and", exact("name", "and"));
        parses(
            "a and b",
            Query::And(vec![bare("a"), bare("and"), bare("b")]),
        );
        parses("a or b", Query::And(vec![bare("a"), bare("or"), bare("b")]));
        parses("name:\"OR\"", exact("name", "OR"));
        parses("TO", bare("TO"));
    }

    #[test]
    fn characters_inside_terms_are_literal() {
        parses("name:a-b+c!d", exact("name", "a-b+c!d"));
        parses("name:a&b|c", exact("name", "a&b|c"));
        parses("name:a=b>c<d", exact("name", "a=b>c<d"));
    }

    // --- operators ----------------------------------------------------------------------------

    #[test]
    fn whitespace_means_and() {
        parses(
            "name:jane email:j*",
            Query::And(vec![exact("name", "jane"), prefix("email", "j")]),
        );
        parses("a b c", Query::And(vec![bare("a"), bare("b"), bare("c")]));
    }

    #[test]
    fn and_operators() {
        let expected = Query::And(vec![exact("a", "1"), exact("b", "2")]);
        parses("a:1 AND b:2", expected.clone());
        parses("a:1 && b:2", expected.clone());
        parses("a:1&&b:2", expected);
    }

    #[test]
    fn or_operators() {
        let expected = Query::Or(vec![exact("a", "1"), exact("b", "2")]);
        parses("a:1 OR b:2", expected.clone());
        parses("a:1 || b:2", expected.clone());
        parses("a:1||b:2", expected);
    }

    #[test]
    fn not_operators() {
        parses("NOT a:1", not(exact("a", "1")));
        parses("!a:1", not(exact("a", "1")));
        parses("! a:1", not(exact("a", "1")));
        parses("-a:1", not(exact("a", "1")));
        parses("NOT NOT a:1", not(not(exact("a", "1"))));
        parses("--a", not(not(bare("a"))));
    }

    #[test]
    fn not_between_clauses_means_and_not() {
        let expected = Query::And(vec![exact("a", "1"), not(exact("b", "2"))]);
        parses("a:1 NOT b:2", expected.clone());
        parses("a:1 AND NOT b:2", expected.clone());
        parses("a:1 -b:2", expected.clone());
        parses("a:1 && !b:2", expected);
        parses("a OR NOT b", Query::Or(vec![bare("a"), not(bare("b"))]));
    }

    #[test]
    fn plus_is_a_plain_clause() {
        parses("+a:1", exact("a", "1"));
        parses(
            "+a:1 +b:2",
            Query::And(vec![exact("a", "1"), exact("b", "2")]),
        );
        parses("+a -b", Query::And(vec![bare("a"), not(bare("b"))]));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        parses(
            "a OR b AND c",
            Query::Or(vec![bare("a"), Query::And(vec![bare("b"), bare("c")])]),
        );
        parses(
            "a AND b OR c",
            Query::Or(vec![Query::And(vec![bare("a"), bare("b")]), bare("c")]),
        );
        parses(
            "a b OR c d",
            Query::Or(vec![
                Query::And(vec![bare("a"), bare("b")]),
                Query::And(vec![bare("c"), bare("d")]),
            ]),
        );
    }

    #[test]
    fn not_binds_tighter_than_and() {
        parses("NOT a AND b", Query::And(vec![not(bare("a")), bare("b")]));
        parses("NOT a OR b", Query::Or(vec![not(bare("a")), bare("b")]));
        parses("-a b", Query::And(vec![not(bare("a")), bare("b")]));
    }

    #[test]
    fn parentheses_group() {
        parses(
            "(a OR b) AND c",
            Query::And(vec![Query::Or(vec![bare("a"), bare("b")]), bare("c")]),
        );
        parses(
            "a AND (b OR c)",
            Query::And(vec![bare("a"), Query::Or(vec![bare("b"), bare("c")])]),
        );
        parses("NOT (a OR b)", not(Query::Or(vec![bare("a"), bare("b")])));
        parses("-(a b)", not(Query::And(vec![bare("a"), bare("b")])));
    }

    #[test]
    fn single_clause_groups_collapse() {
        parses("(a)", bare("a"));
        parses("((((a))))", bare("a"));
        parses("(email:x)", exact("email", "x"));
    }

    #[test]
    fn nested_junctions_flatten() {
        parses(
            "(a AND b) AND (c AND d)",
            Query::And(vec![bare("a"), bare("b"), bare("c"), bare("d")]),
        );
        parses(
            "a OR (b OR (c OR d))",
            Query::Or(vec![bare("a"), bare("b"), bare("c"), bare("d")]),
        );
        parses("(a b) c", Query::And(vec![bare("a"), bare("b"), bare("c")]));
        parses(
            "(a OR b) (c OR d)",
            Query::And(vec![
                Query::Or(vec![bare("a"), bare("b")]),
                Query::Or(vec![bare("c"), bare("d")]),
            ]),
        );
    }

    #[test]
    fn adjacent_groups_and_phrases() {
        parses("(a)(b)", Query::And(vec![bare("a"), bare("b")]));
        parses("a\"b c\"", Query::And(vec![bare("a"), bare("b c")]));
    }

    // --- field groups -------------------------------------------------------------------------

    #[test]
    fn field_group_applies_field_to_each_clause() {
        parses(
            "name:(john OR smith)",
            Query::Or(vec![exact("name", "john"), exact("name", "smith")]),
        );
        parses(
            "name:(john smith)",
            Query::And(vec![exact("name", "john"), exact("name", "smith")]),
        );
        parses(
            "name:(\"jane doe\" OR j* OR *)",
            Query::Or(vec![
                exact("name", "jane doe"),
                prefix("name", "j"),
                exists("name"),
            ]),
        );
        parses(
            "name:(a OR (b AND NOT c))",
            Query::Or(vec![
                exact("name", "a"),
                Query::And(vec![exact("name", "b"), not(exact("name", "c"))]),
            ]),
        );
        parses("name:(a)", exact("name", "a"));
    }

    #[test]
    fn field_group_with_comparisons_and_ranges() {
        parses(
            "logins_count:(>=10 AND <20)",
            Query::And(vec![
                range("logins_count", incl("10"), Bound::Unbounded),
                range("logins_count", Bound::Unbounded, excl("20")),
            ]),
        );
        parses(
            "logins_count:(+>=10 +<20)",
            Query::And(vec![
                range("logins_count", incl("10"), Bound::Unbounded),
                range("logins_count", Bound::Unbounded, excl("20")),
            ]),
        );
        parses(
            "logins_count:([1 TO 5] OR [10 TO *])",
            Query::Or(vec![
                range("logins_count", incl("1"), incl("5")),
                range("logins_count", incl("10"), Bound::Unbounded),
            ]),
        );
    }

    #[test]
    fn field_group_combined_with_other_clauses() {
        parses(
            "blocked:true OR name:(a OR b)",
            Query::Or(vec![
                exact("blocked", "true"),
                exact("name", "a"),
                exact("name", "b"),
            ]),
        );
    }

    // --- ranges -------------------------------------------------------------------------------

    #[test]
    fn inclusive_range() {
        parses(
            "logins_count:[1 TO 5]",
            range("logins_count", incl("1"), incl("5")),
        );
        parses(
            "last_login:[2015-01-01 TO 2015-12-31]",
            range("last_login", incl("2015-01-01"), incl("2015-12-31")),
        );
    }

    #[test]
    fn exclusive_range() {
        parses(
            "last_login:{2012-01-01 TO 2012-12-31}",
            range("last_login", excl("2012-01-01"), excl("2012-12-31")),
        );
    }

    #[test]
    fn mixed_range() {
        parses(
            "logins_count:[100 TO 200}",
            range("logins_count", incl("100"), excl("200")),
        );
        parses(
            "logins_count:{100 TO 200]",
            range("logins_count", excl("100"), incl("200")),
        );
    }

    #[test]
    fn open_ended_ranges() {
        parses(
            "logins_count:{100 TO *]",
            range("logins_count", excl("100"), Bound::Unbounded),
        );
        parses(
            "updated_at:[2018-01-15 TO *]",
            range("updated_at", incl("2018-01-15"), Bound::Unbounded),
        );
        parses(
            "updated_at:[* TO 2018-01-15}",
            range("updated_at", Bound::Unbounded, excl("2018-01-15")),
        );
        parses(
            "logins_count:[* TO *]",
            range("logins_count", Bound::Unbounded, Bound::Unbounded),
        );
    }

    #[test]
    fn range_with_quoted_and_negative_bounds() {
        parses(
            "created_at:[\"2020-01-01T00:00:00Z\" TO \"2020-12-31T23:59:59Z\"]",
            range(
                "created_at",
                incl("2020-01-01T00:00:00Z"),
                incl("2020-12-31T23:59:59Z"),
            ),
        );
        parses(
            "app_metadata.score:[-5 TO -1]",
            range("app_metadata.score", incl("-5"), incl("-1")),
        );
        parses("x:[ 1  TO  5 ]", range("x", incl("1"), incl("5")));
        parses(r"x:[a\ b TO c]", range("x", incl("a b"), incl("c")));
    }

    #[test]
    fn comparisons() {
        parses(
            "logins_count:>10",
            range("logins_count", excl("10"), Bound::Unbounded),
        );
        parses(
            "logins_count:>=10",
            range("logins_count", incl("10"), Bound::Unbounded),
        );
        parses(
            "logins_count:<10",
            range("logins_count", Bound::Unbounded, excl("10")),
        );
        parses(
            "logins_count:<=10",
            range("logins_count", Bound::Unbounded, incl("10")),
        );
        parses(
            "updated_at:>2018-01-15",
            range("updated_at", excl("2018-01-15"), Bound::Unbounded),
        );
        parses(
            "updated_at:>=\"2018-01-15T10:00:00Z\"",
            range("updated_at", incl("2018-01-15T10:00:00Z"), Bound::Unbounded),
        );
        parses("x:>-3", range("x", excl("-3"), Bound::Unbounded));
        parses("x:> 3", range("x", excl("3"), Bound::Unbounded));
    }

    // --- _exists_ -----------------------------------------------------------------------------

    #[test]
    fn exists_field() {
        parses("_exists_:nickname", exists("nickname"));
        parses("_exists_:app_metadata.plan", exists("app_metadata.plan"));
        parses("NOT _exists_:nickname", not(exists("nickname")));
        parses("-_exists_:nickname", not(exists("nickname")));
        parses(
            "username:\"john\" AND _exists_:nickname",
            Query::And(vec![exact("username", "john"), exists("nickname")]),
        );
    }

    // --- fields() and FromStr -----------------------------------------------------------------

    #[test]
    fn fields_lists_each_named_field_once_in_order() {
        let query = Query::parse(
            "email:a* OR (name:x -email:y) _exists_:nickname logins_count:[1 TO *] bare \
             NOT app_metadata.plan:gold name:(p OR q)",
        )
        .expect("parses");
        let names: Vec<&str> = query.fields().into_iter().map(FieldPath::as_str).collect();
        assert_eq!(
            names,
            [
                "email",
                "name",
                "nickname",
                "logins_count",
                "app_metadata.plan"
            ]
        );
        assert!(Query::All.fields().is_empty());
        assert!(
            Query::parse("just words")
                .expect("parses")
                .fields()
                .is_empty()
        );
    }

    #[test]
    fn from_str_matches_parse() {
        let parsed: Result<Query, _> = "email:x OR name:y".parse();
        assert_eq!(parsed, Query::parse("email:x OR name:y"));
        let failed: Result<Query, QueryError> = "(".parse();
        assert!(failed.is_err());
    }

    #[test]
    fn error_display_names_position() {
        let error = Query::parse("a AND").expect_err("dangling AND");
        assert_eq!(
            error.to_string(),
            format!("invalid q at byte 5: {}", error.message)
        );
    }

    // --- FieldPath ----------------------------------------------------------------------------

    #[test]
    fn field_path_accepts_valid_names() {
        for name in [
            "email",
            "app_metadata.plan",
            "a-b.c_d.E9",
            "_exists_",
            "a.b.c.d.e.f.g.h",
        ] {
            let path = FieldPath::parse(name).expect("valid");
            assert_eq!(path.as_str(), name);
            assert_eq!(path.to_string(), name);
        }
        let path = FieldPath::parse("identities.connection").expect("valid");
        assert_eq!(
            path.segments().collect::<Vec<_>>(),
            ["identities", "connection"]
        );
        assert_eq!(
            FieldPath::parse(&"a".repeat(128)).map(|p| p.as_str().len()),
            Ok(128)
        );
    }

    #[test]
    fn field_path_rejects_invalid_names() {
        let check = |name: &str, position: usize, needle: &str| {
            let error = FieldPath::parse(name).expect_err(name);
            assert_eq!(error.position, position, "{name}: {error}");
            assert!(error.message.contains(needle), "{name}: {error}");
        };
        check("", 0, "empty");
        check(".email", 0, "empty segment");
        check("email.", 6, "empty segment");
        check("a..b", 2, "empty segment");
        check("em ail", 2, "invalid character");
        check("a.b$c", 3, "invalid character");
        check("é", 0, "invalid character");
        check("a.b.c.d.e.f.g.h.i", 16, "more than 8 segments");
        check(&"a".repeat(129), 128, "longer than 128 bytes");
    }

    // --- errors -------------------------------------------------------------------------------

    #[test]
    fn unbalanced_parentheses() {
        fails("(a", 0, "unbalanced '('");
        fails("(a OR (b)", 0, "unbalanced '('");
        fails("a)", 1, "unbalanced ')'");
        fails(")", 0, "unbalanced ')'");
        fails("(a))", 3, "unbalanced ')'");
        fails("name:(a", 5, "unbalanced '('");
        fails("(", 0, "unbalanced '('");
        fails("()", 0, "empty parentheses");
        fails("a ()", 2, "empty parentheses");
    }

    #[test]
    fn unterminated_quote() {
        fails("name:\"jane", 5, "unterminated quoted phrase");
        fails("\"", 0, "unterminated quoted phrase");
        fails(
            r#"name:"ends with escape\""#,
            5,
            "unterminated quoted phrase",
        );
        fails(
            r#"name:"trailing backslash\"#,
            5,
            "unterminated quoted phrase",
        );
    }

    #[test]
    fn empty_field_value() {
        fails("email:", 6, "missing value after `email:`");
        fails("email: ", 6, "missing value after `email:`");
        fails("email: AND b", 7, "missing value after `email:`");
        fails("email:)", 6, "missing value after `email:`");
        fails("_exists_:", 9, "missing field name");
        fails("*:", 2, "missing value after `*:`");
        fails("x:>", 3, "missing value after `>`");
        fails("x:>=", 4, "missing value after `>=`");
    }

    #[test]
    fn dangling_operators() {
        fails("a AND", 5, "expected a clause after `AND`");
        fails("a &&", 4, "expected a clause after `&&`");
        fails("a OR", 4, "expected a clause after `OR`");
        fails("a ||  ", 6, "expected a clause after `||`");
        fails("NOT", 3, "expected a clause after `NOT`");
        fails("a !", 3, "expected a clause after `!`");
        fails("a -", 3, "expected a clause after `-`");
        fails("+", 1, "expected a clause after `+`");
        fails("(a AND)", 6, "expected a clause after `AND`");
    }

    #[test]
    fn misplaced_keywords() {
        fails("AND a", 0, "`AND` needs a clause on its left");
        fails("OR a", 0, "`OR` needs a clause on its left");
        fails("|| a", 0, "`||` needs a clause on its left");
        fails("a AND OR b", 6, "expected a clause after `AND`, found `OR`");
        fails("a OR AND b", 5, "expected a clause after `OR`, found `AND`");
        fails(
            "a NOT AND b",
            6,
            "expected a clause after `NOT`, found `AND`",
        );
        fails("a NOT OR b", 6, "expected a clause after `NOT`, found `OR`");
        fails("(OR a)", 1, "`OR` needs a clause on its left");
        fails("a AND )", 6, "expected a clause after `AND`, found `)`");
    }

    #[test]
    fn bad_field_names() {
        fails("e$mail:x", 1, "invalid character");
        fails("a..b:x", 2, "empty segment");
        fails("app.:x", 4, "empty segment");
        fails("na\\me:x", 0, "escaped characters");
        fails("name*:x", 0, "wildcards");
        fails("*:foo", 2, "`*:` can only be followed by `*`");
        fails(
            &format!("{}:x", "a".repeat(129)),
            128,
            "longer than 128 bytes",
        );
        fails("a.b.c.d.e.f.g.h.i:x", 16, "more than 8 segments");
        fails("_exists_:e$mail", 10, "invalid character");
        fails("_exists_:\"email\"", 9, "must be followed by a field name");
        fails("_exists_:(email)", 9, "must be followed by a field name");
        fails("_exists_:em*", 9, "must be followed by a field name");
        fails("\"email\":x", 7, "unexpected ':'");
        fails("a:b:c", 3, "unexpected ':'");
        fails(":x", 0, "expected a clause, found `:`");
        fails("name:(first:x)", 6, "cannot name another field");
    }

    #[test]
    fn unsupported_wildcards() {
        fails("name:jo*hn", 7, "only supported at the end");
        fails("name:*son", 5, "only supported at the end");
        fails("name:**", 5, "only supported at the end");
        fails("name:*ab*", 5, "only supported at the end");
        fails("name:j?hn", 6, "? wildcard is not supported");
        fails("j?", 1, "? wildcard is not supported");
    }

    #[test]
    fn unsupported_lucene_syntax() {
        fails("quick^2", 5, "boosting");
        fails("\"a b\"^2", 5, "boosting");
        fails("name:roam~", 9, "fuzzy");
        fails("\"fox quick\"~5", 11, "fuzzy");
        fails("name:/joh?n/", 5, "regular expressions");
        fails("a\\", 1, "backslash at the end");
    }

    #[test]
    fn value_starting_with_minus() {
        fails("name:-x", 5, "cannot start with '-'");
    }

    #[test]
    fn range_errors() {
        fails("[1 TO 5]", 0, "a range needs a field");
        fails("{1 TO 5}", 0, "a range needs a field");
        fails(">5", 0, "a comparison needs a field");
        fails("a <=5", 2, "a comparison needs a field");
        fails("x:[1 5]", 5, "expected upper-case TO");
        fails("x:[1 to 5]", 5, "expected upper-case TO");
        fails("x:[1 TO 5", 2, "unterminated range");
        fails("x:[1 TO", 2, "unterminated range");
        fails("x:[", 2, "unterminated range");
        fails("x:[1 TO 5)", 9, "expected ']' or '}'");
        fails(
            "x:[a* TO b]",
            3,
            "wildcards are not allowed in range values",
        );
        fails("x:[( TO b]", 3, "expected a range value");
        fails("x:[- 1 TO 2]", 3, "expected a value right after '-'");
        fails("x:>*", 3, "a comparison needs a value, not *");
        fails("x:>j*", 3, "wildcards are not allowed");
        fails("x:>(1)", 3, "expected a range value");
        fails(
            "x:[2020-01-01T10:00 TO *]",
            16,
            "quote values that contain ':'",
        );
        fails("x:>2020-01-01T10:00", 16, "unexpected ':'");
        fails("a ]", 2, "outside a range");
        fails("x:[1 TO 5] }", 11, "outside a range");
    }

    // --- limits -------------------------------------------------------------------------------

    #[test]
    fn length_limit() {
        let longest = format!("name:{}", "a".repeat(MAX_QUERY_BYTES - 5));
        assert_eq!(longest.len(), MAX_QUERY_BYTES);
        assert!(Query::parse(&longest).is_ok());
        let too_long = format!("{longest}a");
        fails(&too_long, MAX_QUERY_BYTES, "longer than 1024 bytes");
        fails(
            &" ".repeat(MAX_QUERY_BYTES + 1),
            MAX_QUERY_BYTES,
            "longer than 1024 bytes",
        );
    }

    #[test]
    fn depth_limit_for_parentheses() {
        let deepest = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        parses(&deepest, bare("a"));
        let too_deep = format!(
            "{}a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        fails(&too_deep, MAX_DEPTH, "more than 16 levels");
    }

    #[test]
    fn depth_limit_for_unary_operators() {
        let mut expected = bare("a");
        for _ in 0..MAX_DEPTH {
            expected = not(expected);
        }
        parses(&format!("{}a", "!".repeat(MAX_DEPTH)), expected);
        fails(
            &format!("{}a", "!".repeat(MAX_DEPTH + 1)),
            MAX_DEPTH,
            "more than 16 levels",
        );
        fails(
            &format!("{}a", "NOT ".repeat(MAX_DEPTH + 1)),
            4 * MAX_DEPTH,
            "more than 16 levels",
        );
        fails(
            &format!("{}a", "+".repeat(MAX_DEPTH + 1)),
            MAX_DEPTH,
            "more than 16 levels",
        );
        fails(&format!("{}a", "-(".repeat(9)), 16, "more than 16 levels");
    }

    #[test]
    fn depth_limit_counts_field_groups() {
        let deepest = format!("name:{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        parses(&deepest, exact("name", "a"));
        let too_deep = format!(
            "name:{}a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        fails(&too_deep, 5 + MAX_DEPTH, "more than 16 levels");
    }

    #[test]
    fn leaf_limit() {
        let terms: Vec<String> = (0..MAX_LEAVES).map(|i| format!("t{i}")).collect();
        let q = terms.join(" ");
        let expected = Query::And(terms.iter().map(|t| bare(t)).collect());
        parses(&q, expected);

        let one_more = format!("{q} x");
        fails(&one_more, q.len() + 1, "more than 64 clauses");

        let ranges = vec!["x:[1 TO 2]"; MAX_LEAVES + 1].join(" OR ");
        fails(
            &ranges,
            MAX_LEAVES * "x:[1 TO 2] OR ".len() + 2,
            "more than 64 clauses",
        );

        let grouped = format!("name:({})", vec!["a"; MAX_LEAVES + 1].join(" "));
        fails(&grouped, 6 + 2 * MAX_LEAVES, "more than 64 clauses");
    }

    // --- robustness ---------------------------------------------------------------------------

    /// A tiny deterministic linear congruential generator, so the test needs no crates.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn pick<'p>(&mut self, pieces: &[&'p str]) -> &'p str {
            let len = u64::try_from(pieces.len()).unwrap_or(1).max(1);
            let index = usize::try_from(self.next() % len).unwrap_or(0);
            pieces.get(index).copied().unwrap_or("")
        }
    }

    const PIECES: &[&str] = &[
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ":",
        "\"",
        "\\",
        "*",
        "?",
        "-",
        "+",
        "!",
        "&",
        "&&",
        "|",
        "||",
        ">",
        ">=",
        "<",
        "<=",
        "=",
        "^",
        "~",
        "/",
        " ",
        "  ",
        "\t",
        ".",
        "_",
        "a",
        "b",
        "z",
        "0",
        "9",
        "AND",
        "OR",
        "NOT",
        "TO",
        " AND ",
        " OR ",
        " NOT ",
        " TO ",
        "_exists_",
        "email",
        "app_metadata.plan",
        "é",
        "中",
        "\u{3000}",
        "\u{0}",
        "name:",
        "x:[",
        "*:*",
    ];

    #[track_caller]
    fn check_total(q: &str) {
        match Query::parse(q) {
            Ok(query) => assert!(count_leaves(&query) <= MAX_LEAVES, "q = {q:?}"),
            Err(error) => {
                assert!(error.position <= q.len(), "q = {q:?}: {error}");
                assert!(!error.message.is_empty(), "q = {q:?}");
            }
        }
    }

    fn count_leaves(query: &Query) -> usize {
        match query {
            Query::And(clauses) | Query::Or(clauses) => clauses.iter().map(count_leaves).sum(),
            Query::Not(inner) => count_leaves(inner),
            _ => 1,
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        let mut rng = Lcg(0x5eed_1234_abcd_0042);
        for _ in 0..20_000 {
            let pieces = rng.next() % 40;
            let q: String = (0..pieces).map(|_| rng.pick(PIECES)).collect();
            check_total(&q);
        }
    }

    #[test]
    fn adversarial_inputs_never_panic() {
        let repeated = [
            "(",
            ")",
            "[",
            "{",
            "\"",
            "\\",
            "*",
            "-",
            "!",
            "+",
            "NOT ",
            "a ",
            "a AND ",
            "a OR ",
            "x:",
            ":",
            "x:(",
            "-(",
            "!(",
            "é",
            "中",
            "[a TO ",
            "_exists_:",
            "\\\"",
        ];
        for piece in repeated {
            for count in [1, 2, 15, 16, 17, 63, 64, 65, 200, 1024] {
                let q = piece.repeat(count);
                check_total(&q);
                check_total(&format!("a {q}"));
                check_total(&format!("{q} a"));
                check_total(&format!("x:({q})"));
            }
        }
        check_total(&"é".repeat(513));
        check_total(&format!("{}é", "a".repeat(1023)));
    }
}

//! The checks on what a new or changed user supplies, shared by signup, the Management API and
//! the password reset form: email addresses (trimmed, validated and lower-cased, as Auth0 stores
//! them, so look-alike addresses collide) and passwords against their connection's password
//! policy (Auth0's five levels, with the rules and wording of its password-sheriff library).

use authhero_core::entities::{Connection, Metadata, User};
use serde_json::{Value, json};

use super::password_screen;
use crate::state::AppState;

/// RFC 5321's limits on a whole address, its local part and one domain label, in bytes.
const MAX_EMAIL: usize = 254;
const MAX_LOCAL_PART: usize = 64;
const MAX_LABEL: usize = 63;

/// The symbols RFC 5322 allows unquoted in a local part (`atext`) besides letters and digits.
/// Quoted local parts are refused: no mail provider hands them out, and with invisible or
/// look-alike characters they make addresses that read as someone else's.
const LOCAL_SYMBOLS: &str = "!#$%&'*+-/=?^_`{|}~";

/// An email address that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid email address")]
pub struct InvalidEmail;

/// The address as it is stored and compared: surrounding whitespace trimmed, lower-cased.
/// Refuses anything but one `@` between a dot-separated local part and a host name, so
/// whitespace, control and invisible characters are refused anywhere. A domain without a dot
/// (`a@localhost`) is accepted, as Auth0 accepts it.
pub fn email(raw: &str) -> Result<String, InvalidEmail> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@').ok_or(InvalidEmail)?;
    if email.len() <= MAX_EMAIL && local_part_is_valid(local) && domain_is_valid(domain) {
        Ok(email)
    } else {
        Err(InvalidEmail)
    }
}

fn local_part_is_valid(local: &str) -> bool {
    local.len() <= MAX_LOCAL_PART
        && dot_separated(local, |label| {
            label
                .chars()
                .all(|c| c.is_alphanumeric() || LOCAL_SYMBOLS.contains(c))
        })
}

/// A host name: letters (any script) and digits, with inner hyphens.
fn domain_is_valid(domain: &str) -> bool {
    dot_separated(domain, |label| {
        label.len() <= MAX_LABEL
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    })
}

/// Non-empty, with no empty part between dots (none leading, trailing or doubled).
fn dot_separated(text: &str, part_is_valid: impl Fn(&str) -> bool) -> bool {
    text.split('.')
        .all(|part| !part.is_empty() && part_is_valid(part))
}

/// Auth0's password strength levels (`options.passwordPolicy` of a database connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    None,
    Low,
    Fair,
    Good,
    Excellent,
}

impl Strength {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "none" => Self::None,
            "low" => Self::Low,
            "fair" => Self::Fair,
            "good" => Self::Good,
            "excellent" => Self::Excellent,
            _ => return None,
        })
    }

    fn min_length(self) -> usize {
        match self {
            Self::None => 1,
            Self::Low => 6,
            Self::Fair | Self::Good => 8,
            Self::Excellent => 10,
        }
    }
}

/// The four kinds of characters, as password-sheriff tests them (ASCII only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lower,
    Upper,
    Digit,
    Special,
}

impl Kind {
    fn test(self, password: &str) -> bool {
        password.chars().any(|c| match self {
            Self::Lower => c.is_ascii_lowercase(),
            Self::Upper => c.is_ascii_uppercase(),
            Self::Digit => c.is_ascii_digit(),
            // OWASP's list: the space and every ASCII punctuation character.
            Self::Special => c == ' ' || c.is_ascii_punctuation(),
        })
    }

    fn message(self) -> &'static str {
        match self {
            Self::Lower => "lower case letters (a-z)",
            Self::Upper => "upper case letters (A-Z)",
            Self::Digit => "numbers (i.e. 0-9)",
            Self::Special => "special characters (e.g. !@#$%^&*)",
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Lower => "lowerCase",
            Self::Upper => "upperCase",
            Self::Digit => "numbers",
            Self::Special => "specialCharacters",
        }
    }
}

const FAIR_KINDS: &[Kind] = &[Kind::Lower, Kind::Upper, Kind::Digit];
const ALL_KINDS: &[Kind] = &[Kind::Lower, Kind::Upper, Kind::Digit, Kind::Special];

/// One rule of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Length(usize),
    ContainsAll(&'static [Kind]),
    ContainsAtLeast(usize, &'static [Kind]),
    /// At most this many identical characters in a row.
    IdenticalChars(usize),
}

impl Rule {
    fn verified(self, password: &str) -> bool {
        match self {
            Self::Length(min) => password.chars().count() >= min,
            Self::ContainsAll(kinds) => kinds.iter().all(|kind| kind.test(password)),
            Self::ContainsAtLeast(count, kinds) => {
                kinds.iter().filter(|kind| kind.test(password)).count() >= count
            }
            Self::IdenticalChars(max) => longest_run(password) <= max,
        }
    }

    fn kinds(self) -> &'static [Kind] {
        match self {
            Self::ContainsAll(kinds) | Self::ContainsAtLeast(_, kinds) => kinds,
            Self::Length(_) | Self::IdenticalChars(_) => &[],
        }
    }

    /// The rule in words, its `%d`/`%s` placeholders filled in.
    fn text(self) -> String {
        match self {
            Self::Length(1) => "Non-empty password required".into(),
            Self::Length(min) => format!("At least {min} characters in length"),
            Self::ContainsAll(_) => "Should contain:".into(),
            Self::ContainsAtLeast(count, kinds) => format!(
                "Contain at least {count} of the following {} types of characters:",
                kinds.len()
            ),
            Self::IdenticalChars(max) => format!(
                "No more than {max} identical characters in a row (e.g., \"{}\" not allowed)",
                "a".repeat(max + 1)
            ),
        }
    }

    /// Auth0's (password-sheriff's) code for the rule.
    fn code(self) -> &'static str {
        match self {
            Self::Length(1) => "nonEmpty",
            Self::Length(_) => "lengthAtLeast",
            Self::ContainsAll(_) => "shouldContain",
            Self::ContainsAtLeast(..) => "containsAtLeast",
            Self::IdenticalChars(_) => "identicalChars",
        }
    }

    /// The rule as Auth0 describes it in a `PasswordStrengthError` (password-sheriff's `missing`).
    fn describe(self, password: &str) -> Value {
        let verified = self.verified(password);
        let items: Vec<Value> = self
            .kinds()
            .iter()
            .map(|kind| json!({ "message": kind.message(), "code": kind.code(), "verified": kind.test(password) }))
            .collect();
        match self {
            Self::Length(1) => {
                json!({ "message": self.text(), "code": "nonEmpty", "verified": verified })
            }
            Self::Length(min) => {
                json!({ "message": "At least %d characters in length", "format": [min], "code": "lengthAtLeast", "verified": verified })
            }
            Self::ContainsAll(_) => {
                json!({ "message": "Should contain:", "code": "shouldContain", "items": items, "verified": verified })
            }
            Self::ContainsAtLeast(count, kinds) => json!({
                "message": "Contain at least %d of the following %d types of characters:",
                "code": "containsAtLeast",
                "format": [count, kinds.len()],
                "items": items,
                "verified": verified,
            }),
            Self::IdenticalChars(max) => json!({
                "message": "No more than %d identical characters in a row (e.g., \"%s\" not allowed)",
                "code": "identicalChars",
                "format": [max, "a".repeat(max + 1)],
                "verified": verified,
            }),
        }
    }
}

/// The length of the longest run of one repeated character.
fn longest_run(password: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    let mut previous = None;
    for c in password.chars() {
        run = if previous == Some(c) { run + 1 } else { 1 };
        previous = Some(c);
        longest = longest.max(run);
    }
    longest
}

/// A connection's password policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    strength: Strength,
    min_length: usize,
    /// With `password_dictionary` enabled: the connection's own words, lower-case (the common
    /// passwords are refused too).
    dictionary: Option<Vec<String>>,
    /// With `password_no_personal_info` enabled: whether to refuse the user's personal data.
    no_personal_info: bool,
    /// What the user's password may not contain, once the policy is for a user.
    personal: Vec<String>,
    /// With `password_history` enabled: how many of the user's last passwords, the current one
    /// included, a new one may not be.
    history: usize,
}

impl PasswordPolicy {
    /// `options.passwordPolicy`, and `options.password_complexity_options.min_length` (1 to 72)
    /// in place of the level's own length. A connection without a level, or with one we do not
    /// know, gets "good": Auth0's default for a new database connection, and the safe choice.
    pub fn of(connection: &Connection) -> Self {
        Self::from_options(&connection.options)
    }

    /// The policy for a password of `user`: with `password_no_personal_info`, their personal
    /// data is refused.
    pub fn for_user(mut self, user: &User) -> Self {
        if self.no_personal_info {
            self.personal = password_screen::personal_values(user);
        }
        self
    }

    /// The policy of the user's connection, or the default if the user has none or it is gone;
    /// for that user.
    pub async fn of_user(
        state: &AppState,
        tenant_id: &str,
        user: &User,
    ) -> authhero_core::Result<Self> {
        let connection = match user.connection() {
            Some(name) => state.connection_named(tenant_id, name).await?,
            None => None,
        };
        let policy =
            connection.map_or_else(|| Self::from_options(&Metadata::new()), |c| Self::of(&c));
        Ok(policy.for_user(user))
    }

    fn from_options(options: &Metadata) -> Self {
        let strength = options
            .get("passwordPolicy")
            .and_then(Value::as_str)
            .and_then(Strength::named)
            .unwrap_or(Strength::Good);
        let min_length = options
            .get("password_complexity_options")
            .and_then(|complexity| complexity.get("min_length"))
            .and_then(Value::as_u64)
            .filter(|length| (1..=72).contains(length))
            .and_then(|length| usize::try_from(length).ok())
            .unwrap_or_else(|| strength.min_length());
        let enabled = |option: &str| {
            options
                .get(option)
                .and_then(|value| value.get("enable"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let dictionary = enabled("password_dictionary").then(|| {
            options
                .get("password_dictionary")
                .and_then(|value| value.get("dictionary"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect()
        });
        // Auth0 remembers five passwords unless told otherwise, and at most 24.
        let history = enabled("password_history").then(|| {
            options
                .get("password_history")
                .and_then(|value| value.get("size"))
                .and_then(Value::as_u64)
                .filter(|size| (1..=24).contains(size))
                .and_then(|size| usize::try_from(size).ok())
                .unwrap_or(5)
        });
        Self {
            strength,
            min_length,
            dictionary,
            no_personal_info: enabled("password_no_personal_info"),
            personal: Vec::new(),
            history: history.unwrap_or(0),
        }
    }

    /// Whether a new password may not be one the user had (`password_history`).
    pub fn refuses_reuse(&self) -> bool {
        self.history > 0
    }

    /// How many hashes before the current one are kept and checked.
    pub fn remembered_before(&self) -> usize {
        self.history.saturating_sub(1)
    }

    /// The fewest characters a password may have, for the form's `minlength`.
    pub fn min_length(&self) -> usize {
        self.min_length
    }

    fn rules(&self) -> Vec<Rule> {
        let mut rules = vec![Rule::Length(self.min_length)];
        match self.strength {
            Strength::None | Strength::Low => {}
            Strength::Fair => rules.push(Rule::ContainsAll(FAIR_KINDS)),
            Strength::Good => rules.push(Rule::ContainsAtLeast(3, ALL_KINDS)),
            Strength::Excellent => {
                rules.push(Rule::ContainsAtLeast(3, ALL_KINDS));
                rules.push(Rule::IdenticalChars(2));
            }
        }
        rules
    }

    /// The policy's rules for a page to list, each marked with whether `password` meets it
    /// (all met when there is no password yet).
    pub fn requirements(&self, password: Option<&str>) -> Vec<Requirement> {
        let met = |test: bool| password.is_none() || test;
        self.rules()
            .into_iter()
            .map(|rule| {
                let (count, total, example) = match rule {
                    Rule::Length(min) => (min, 0, String::new()),
                    Rule::ContainsAll(kinds) => (kinds.len(), kinds.len(), String::new()),
                    Rule::ContainsAtLeast(count, kinds) => (count, kinds.len(), String::new()),
                    Rule::IdenticalChars(max) => (max, 0, "a".repeat(max + 1)),
                };
                Requirement {
                    code: rule.code(),
                    count: count.to_string(),
                    total: total.to_string(),
                    example,
                    verified: met(password.is_some_and(|password| rule.verified(password))),
                    items: rule
                        .kinds()
                        .iter()
                        .map(|kind| RequirementItem {
                            code: kind.code(),
                            verified: met(password.is_some_and(|password| kind.test(password))),
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// Whether `password` meets the policy; if not, why.
    pub fn check(&self, password: &str) -> Result<(), PasswordRefused> {
        self.check_strength(password)
            .map_err(PasswordRefused::Weak)?;
        if let Some(custom) = &self.dictionary
            && password_screen::is_in_dictionary(password, custom)
        {
            return Err(PasswordRefused::TooCommon);
        }
        if password_screen::contains_personal(password, &self.personal) {
            return Err(PasswordRefused::PersonalInfo);
        }
        Ok(())
    }

    /// Whether `password` meets the policy's strength rules; if not, what it misses.
    fn check_strength(&self, password: &str) -> Result<(), WeakPassword> {
        let rules = self.rules();
        if rules.iter().all(|rule| rule.verified(password)) {
            return Ok(());
        }
        Err(WeakPassword {
            description: json!({
                "rules": rules.iter().map(|rule| rule.describe(password)).collect::<Vec<_>>(),
                "verified": false,
            }),
            policy: rules
                .iter()
                .map(|rule| {
                    let items = rule
                        .kinds()
                        .iter()
                        .map(|kind| format!("\n * {}", kind.message()));
                    format!("* {}{}", rule.text(), items.collect::<String>())
                })
                .collect::<Vec<_>>()
                .join("\n"),
            unmet: rules
                .iter()
                .filter(|rule| !rule.verified(password))
                .map(|rule| {
                    let items: Vec<_> = rule.kinds().iter().map(|kind| kind.message()).collect();
                    format!("{} {}", rule.text(), items.join(", "))
                        .trim_end()
                        .to_owned()
                })
                .collect::<Vec<_>>()
                .join("; "),
        })
    }
}

/// One rule of a policy, for a page: its code names its words in the catalogues, and
/// `count`, `total` and `example` fill them in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Requirement {
    pub code: &'static str,
    pub count: String,
    pub total: String,
    pub example: String,
    pub verified: bool,
    pub items: Vec<RequirementItem>,
}

/// A kind of character a [`Requirement`] asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequirementItem {
    pub code: &'static str,
    pub verified: bool,
}

/// Why a connection's policy refuses a password, in Auth0's words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PasswordRefused {
    #[error(transparent)]
    Weak(WeakPassword),
    #[error("Password is too common")]
    TooCommon,
    #[error("Password contains user information")]
    PersonalInfo,
    #[error("Password has previously been used")]
    Reused,
}

impl PasswordRefused {
    /// The `name` of Auth0's error.
    pub fn name(&self) -> &'static str {
        match self {
            PasswordRefused::Weak(_) => "PasswordStrengthError",
            PasswordRefused::TooCommon => "PasswordDictionaryError",
            PasswordRefused::PersonalInfo => "PasswordNoUserInfoError",
            PasswordRefused::Reused => "PasswordHistoryError",
        }
    }
}

/// A password too weak for its connection's policy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("Password is too weak")]
pub struct WeakPassword {
    /// Every rule with whether the password meets it: the `description` of Auth0's answer.
    pub description: Value,
    /// The whole policy in Auth0's words, one `*` line per rule: the answer's `policy`.
    pub policy: String,
    /// The rules the password misses, in one line for a person.
    pub unmet: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use authhero_core::Timestamp;

    fn connection(options: Value) -> Connection {
        let now = Timestamp::now();
        Connection {
            id: "con_1".into(),
            name: "db".into(),
            display_name: None,
            strategy: "auth0".into(),
            options: options.as_object().cloned().unwrap_or_default(),
            enabled_clients: Vec::new(),
            realms: Vec::new(),
            is_domain_connection: false,
            metadata: Default::default(),
            created_at: now,
            updated_at: now,
        }
    }

    fn policy(level: &str) -> PasswordPolicy {
        PasswordPolicy::of(&connection(json!({ "passwordPolicy": level })))
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            email("  Alice@Example.COM \t").unwrap(),
            "alice@example.com"
        );
        for good in [
            "a@b",
            "a@localhost",
            "first.last+tag@sub.example.co.uk",
            "o'brien@example.com",
            "user_name-1@xn--bcher-kva.example",
            "jürgen@bücher.example",
        ] {
            assert_eq!(
                email(good).as_deref(),
                Ok(good.to_lowercase().as_str()),
                "{good}"
            );
        }
    }

    #[test]
    fn malformed_emails_are_refused() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_label = format!("a@{}.com", "b".repeat(64));
        let label = "b".repeat(60);
        let long_email = format!("a@{}.com", [label.as_str(); 5].join("."));
        for bad in [
            "",
            "   ",
            "a",
            "a@",
            "@b",
            "@",
            "a b@c.d",
            "a@b c.d",
            "a@@b.c",
            "a@b@c.d",
            "a\u{0}b@c.d",
            "a\u{200b}@c.d",
            "a@c.d\u{7f}",
            "a\nb@c.d",
            ".a@c.d",
            "a.@c.d",
            "a..b@c.d",
            "a@.c.d",
            "a@c.d.",
            "a@c..d",
            "a@-c.d",
            "a@c-.d",
            "a@c_d.e",
            "a@[127.0.0.1]",
            "\"a b\"@c.d",
            "a<b>@c.d",
            "a,b@c.d",
            long_local.as_str(),
            long_label.as_str(),
            long_email.as_str(),
        ] {
            assert_eq!(email(bad), Err(InvalidEmail), "{bad:?}");
        }
    }

    #[test]
    fn the_default_policy_is_good() {
        let default = PasswordPolicy::of(&connection(json!({})));
        assert_eq!(default, policy("good"));
        assert_eq!(
            PasswordPolicy::of(&connection(json!({ "passwordPolicy": "bogus" }))),
            default
        );
        assert_eq!(
            PasswordPolicy::of(&connection(json!({ "passwordPolicy": null }))),
            default
        );
        assert!(default.check("12345678").is_err());
        assert!(default.check("abcdefgh").is_err());
        assert!(default.check("abcdEFGH").is_err());
        assert!(default.check("abcD1").is_err());
        assert!(default.check("abcdEF12").is_ok());
        assert!(default.check("abcd ef1").is_ok());
        assert!(default.check("aaaaaaA1").is_ok());
    }

    #[test]
    fn each_level_applies_auth0s_rules() {
        let none = policy("none");
        assert!(none.check("").is_err());
        assert!(none.check("1").is_ok());

        let low = policy("low");
        assert!(low.check("12345").is_err());
        assert!(low.check("123456").is_ok());

        let fair = policy("fair");
        assert!(fair.check("abcdEFG1").is_ok());
        assert!(fair.check("abcdEFG!").is_err(), "fair needs a digit");
        assert!(fair.check("abcEFG1").is_err(), "fair needs 8");

        let excellent = policy("excellent");
        assert!(excellent.check("abcdEF12").is_err(), "excellent needs 10");
        assert!(excellent.check("abcdEF12gh").is_ok());
        assert!(excellent.check("abcdEF111h").is_err(), "three in a row");
        assert!(excellent.check("abcdEF11h1").is_ok());
    }

    #[test]
    fn min_length_replaces_the_levels_length() {
        let long = PasswordPolicy::of(&connection(
            json!({ "passwordPolicy": "low", "password_complexity_options": { "min_length": 12 } }),
        ));
        assert_eq!(long.min_length(), 12);
        assert!(long.check("12345678901").is_err());
        assert!(long.check("123456789012").is_ok());
        let out_of_range = PasswordPolicy::of(&connection(
            json!({ "passwordPolicy": "low", "password_complexity_options": { "min_length": 0 } }),
        ));
        assert_eq!(out_of_range.min_length(), 6);
    }

    #[test]
    fn a_refusal_is_described_as_auth0_describes_it() {
        let weak = policy("good").check_strength("12345678").unwrap_err();
        assert_eq!(
            weak.description,
            json!({
                "rules": [
                    { "message": "At least %d characters in length", "format": [8], "code": "lengthAtLeast", "verified": true },
                    {
                        "message": "Contain at least %d of the following %d types of characters:",
                        "code": "containsAtLeast",
                        "format": [3, 4],
                        "items": [
                            { "message": "lower case letters (a-z)", "code": "lowerCase", "verified": false },
                            { "message": "upper case letters (A-Z)", "code": "upperCase", "verified": false },
                            { "message": "numbers (i.e. 0-9)", "code": "numbers", "verified": true },
                            { "message": "special characters (e.g. !@#$%^&*)", "code": "specialCharacters", "verified": false },
                        ],
                        "verified": false,
                    },
                ],
                "verified": false,
            })
        );
        assert_eq!(
            weak.policy,
            "* At least 8 characters in length\n\
             * Contain at least 3 of the following 4 types of characters:\n \
             * lower case letters (a-z)\n \
             * upper case letters (A-Z)\n \
             * numbers (i.e. 0-9)\n \
             * special characters (e.g. !@#$%^&*)"
        );
        assert_eq!(
            weak.unmet,
            "Contain at least 3 of the following 4 types of characters: lower case letters (a-z), \
             upper case letters (A-Z), numbers (i.e. 0-9), special characters (e.g. !@#$%^&*)"
        );
        let repeated = policy("excellent")
            .check_strength("aaaBBB111c")
            .unwrap_err();
        assert_eq!(
            repeated.description["rules"][2]["code"], "identicalChars",
            "{}",
            repeated.description
        );
        assert_eq!(
            repeated.unmet,
            "No more than 2 identical characters in a row (e.g., \"aaa\" not allowed)"
        );
    }
    #[test]
    fn dictionary_and_personal_data_are_refused_only_when_enabled() {
        let options = json!({
            "passwordPolicy": "low",
            "password_dictionary": {"enable": true, "dictionary": ["AcmeRocks"]},
            "password_no_personal_info": {"enable": true},
        });
        let mut user = User::new("auth0", "1", "db", authhero_core::Timestamp::now());
        user.email = Some("jane.doe@example.com".into());
        let strict = PasswordPolicy::of(&connection(options)).for_user(&user);
        assert_eq!(strict.check("Tr0ub4dor&3x"), Ok(()));
        assert_eq!(strict.check("Password1"), Err(PasswordRefused::TooCommon));
        assert_eq!(strict.check("password"), Err(PasswordRefused::TooCommon));
        assert_eq!(strict.check("acmerocks"), Err(PasswordRefused::TooCommon));
        assert_eq!(
            strict.check("I am Jane.Doe!"),
            Err(PasswordRefused::PersonalInfo)
        );
        let lenient =
            PasswordPolicy::of(&connection(json!({"passwordPolicy": "low"}))).for_user(&user);
        for allowed in ["password", "acmerocks", "I am Jane.Doe!"] {
            assert_eq!(lenient.check(allowed), Ok(()), "{allowed}");
        }
        let disabled = json!({
            "passwordPolicy": "low",
            "password_dictionary": {"enable": false, "dictionary": ["acmerocks"]},
            "password_no_personal_info": {"enable": false},
        });
        let off = PasswordPolicy::of(&connection(disabled)).for_user(&user);
        assert_eq!(off.check("acmerocks"), Ok(()));
        assert_eq!(off.check("jane.doe rules"), Ok(()));
    }
}

//! Auth0's password options beyond strength: the dictionary (the 10,000 most common passwords
//! and the connection's own words) and the user's personal data, which a password may not
//! contain when the connection says so.

use authhero_core::entities::User;
use serde_json::Value;

/// The most common passwords, lower-case, one per line (see `assets/passwords/README.md`).
const COMMON_PASSWORDS: &str = include_str!("../../assets/passwords/common.txt");
/// Personal values shorter than this are not looked for: a one-letter nickname would refuse
/// most passwords.
const MIN_PERSONAL_CHARS: usize = 3;

/// Whether the password, compared without case, is a common password or one of `custom`.
pub fn is_in_dictionary(password: &str, custom: &[String]) -> bool {
    let password = password.to_lowercase();
    custom.contains(&password) || COMMON_PASSWORDS.lines().any(|common| common == password)
}

/// What a password of `user` may not contain, lower-case: the name, username and nickname, the
/// names in `user_metadata` that Auth0 looks at, and the part of the email before the `@`.
pub fn personal_values(user: &User) -> Vec<String> {
    let metadata = ["name", "first", "last"]
        .into_iter()
        .filter_map(|key| user.user_metadata.get(key).and_then(Value::as_str));
    let local_part = user
        .email
        .as_deref()
        .and_then(|email| email.split('@').next());
    [
        user.name.as_deref(),
        user.username.as_deref(),
        user.nickname.as_deref(),
        user.given_name.as_deref(),
        user.family_name.as_deref(),
        local_part,
    ]
    .into_iter()
    .flatten()
    .chain(metadata)
    .map(str::to_lowercase)
    .filter(|value| value.chars().count() >= MIN_PERSONAL_CHARS)
    .collect()
}

/// Whether the password, compared without case, contains any of `values`.
pub fn contains_personal(password: &str, values: &[String]) -> bool {
    let password = password.to_lowercase();
    values.iter().any(|value| password.contains(value.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use authhero_core::Timestamp;

    #[test]
    fn common_and_custom_words_are_in_the_dictionary_whatever_their_case() {
        assert_eq!(COMMON_PASSWORDS.lines().count(), 10_000);
        assert!(is_in_dictionary("Password", &[]));
        assert!(is_in_dictionary("qwerty", &[]));
        assert!(is_in_dictionary("Acme2024", &["acme2024".into()]));
        assert!(!is_in_dictionary("correct horse battery staple", &[]));
    }

    #[test]
    fn personal_values_come_from_the_profile_and_the_email() {
        let mut user = User::new("auth0", "1", "db", Timestamp::now());
        user.email = Some("jane.doe@example.com".into());
        user.nickname = Some("JD".into());
        user.name = Some("Jane Doe".into());
        user.user_metadata
            .insert("first".into(), Value::String("Janet".into()));
        let values = personal_values(&user);
        assert_eq!(values, ["jane doe", "jane.doe", "janet"]);
        assert!(contains_personal("my-JANE.DOE-password", &values));
        assert!(!contains_personal("jd is fine, too short", &values));
    }
}

//! Which catalogue words (in `common.password-policy`) say why a new password was refused.

use crate::flows::validation::PasswordRefused;

pub fn of(refused: &PasswordRefused) -> &'static str {
    match refused {
        PasswordRefused::Weak(_) => "password-too-weak",
        PasswordRefused::TooCommon => "password-too-common",
        PasswordRefused::PersonalInfo => "password-personal-info",
        PasswordRefused::Reused => "password-previously-used",
    }
}

//! Which grants a client may use: its `grant_types`, or Auth0's defaults for its application type
//! when none are set. The password grants are never on by default.

use authhero_core::entities::{AppType, Client};

/// Auth0's default grant types per application type.
fn defaults(app_type: Option<AppType>) -> &'static [&'static str] {
    match app_type {
        Some(AppType::NonInteractive) => &["client_credentials"],
        Some(AppType::Spa | AppType::Native) => {
            &["authorization_code", "implicit", "refresh_token"]
        }
        Some(AppType::RegularWeb) | None => &[
            "authorization_code",
            "implicit",
            "refresh_token",
            "client_credentials",
        ],
    }
}

/// True when `client` may use `grant` (a token endpoint grant type, or `implicit`).
pub fn allows(client: &Client, grant: &str) -> bool {
    if client.grant_types.is_empty() {
        defaults(client.app_type).contains(&grant)
    } else {
        client.grant_types.iter().any(|allowed| allowed == grant)
    }
}

/// Auth0's refusal text.
pub fn refusal(grant: &str) -> String {
    format!("Grant type '{grant}' not allowed for the client.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_grant_types_win_over_defaults() {
        let mut client = Client::new("c", "C", authhero_core::Timestamp::now());
        client.app_type = Some(AppType::Spa);
        assert!(allows(&client, "authorization_code"));
        assert!(!allows(&client, "client_credentials"));
        assert!(!allows(&client, "password"));
        client.grant_types = vec!["password".into()];
        assert!(allows(&client, "password"));
        assert!(!allows(&client, "authorization_code"));
    }
}

//! What the login screens share: the query that names their transaction, and the fields they
//! show besides their words.

use serde::{Deserialize, Serialize};

use super::credentials::Refusal;
use super::transaction::Transaction;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ScreenQuery {
    pub state: Option<String>,
}

/// What the login screens show besides their words.
#[derive(Debug, Serialize)]
pub struct LoginFields<'a> {
    pub state: &'a str,
    pub csrf: &'a str,
    pub username: &'a str,
    pub error: Option<&'static str>,
    pub error_field: Option<&'static str>,
    pub reset_url: String,
    pub signup_url: Option<String>,
    pub edit_url: String,
    /// Offered when the application may log in with an email code.
    pub email_code_url: Option<String>,
}

impl<'a> LoginFields<'a> {
    /// The fields of `transaction`'s screens, with `refusal`'s message if there is one. Sign up
    /// is offered unless the connection disables it.
    pub async fn of(
        state: &AppState,
        transaction: &'a Transaction,
        username: &'a str,
        refusal: Option<Refusal>,
    ) -> Self {
        let signup_disabled = match transaction.connection(state).await {
            Ok(Some(connection)) => {
                connection.options.get("disable_signup") == Some(&serde_json::Value::Bool(true))
            }
            _ => true,
        };
        Self {
            state: &transaction.reference,
            csrf: &transaction.login.csrf_token,
            username,
            error: refusal.map(|refusal| refusal.text),
            error_field: refusal.and_then(|refusal| refusal.field),
            reset_url: transaction.url("/u/reset-password/request"),
            signup_url: (!signup_disabled).then(|| transaction.url("/u/signup")),
            edit_url: transaction.url("/u/login/identifier"),
            email_code_url: match transaction.email_connection(state).await {
                Ok(Some(_)) => Some(transaction.url("/u/login/email")),
                _ => None,
            },
        }
    }
}

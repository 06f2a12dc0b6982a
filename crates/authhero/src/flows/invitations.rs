//! Mailing an organization invitation: the invitee gets the invitation's link, worded by the
//! tenant's `user_invitation` template when it has one enabled. Sent in the background, so the
//! invitation stands whether or not the email goes; a failure is logged.

use authhero_core::entities::{Client, Invitation, Organization};
use serde_json::{Map, Value, json};

use super::mail;
use crate::email::SendError;
use crate::state::AppState;

/// Mails the invitation to its invitee, in the background.
pub fn send(
    state: &AppState,
    tenant_id: &str,
    invitation: &Invitation,
    organization: &Organization,
    client: &Client,
) {
    let Some(url) = invitation.invitation_url.clone() else {
        return;
    };
    let mut variables = Map::new();
    variables.insert("url".into(), Value::String(url));
    variables.insert("inviter".into(), json!({"name": invitation.inviter.name}));
    variables.insert(
        "organization".into(),
        json!({
            "id": organization.id,
            "name": organization.name,
            "display_name": organization.display_name.as_deref().unwrap_or(&organization.name),
        }),
    );
    variables.insert("application".into(), mail::application_variables(client));
    let message = mail::Message {
        kind: mail::Kind::UserInvitation,
        to: invitation.invitee.email.clone(),
        variables,
    };
    let (state, tenant_id, invitation_id) =
        (state.clone(), tenant_id.to_owned(), invitation.id.clone());
    tokio::spawn(async move {
        if let Err(error) = deliver(&state, &tenant_id, message).await {
            tracing::warn!(tenant_id, invitation_id, %error, "invitation email not sent");
        }
    });
}

async fn deliver(
    state: &AppState,
    tenant_id: &str,
    message: mail::Message,
) -> Result<(), SendError> {
    let template = mail::template(state, tenant_id, mail::Kind::UserInvitation).await?;
    mail::send(state, tenant_id, template.as_ref(), message).await
}

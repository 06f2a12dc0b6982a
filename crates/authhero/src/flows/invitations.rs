//! Mailing an organization invitation: the invitee gets the invitation's link, worded by the
//! tenant's `user_invitation` template when it has one enabled. Sent in the background, so the
//! invitation stands whether or not the email goes; a failure is logged.

use authhero_core::entities::{Client, Invitation, Organization};
use serde_json::{Map, Value, json};

use super::mail;
use crate::email::{Email, SendError};
use crate::markup;
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
    let built_in = invitation_email(invitation, organization, client, &url);
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
        built_in,
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

fn invitation_email(
    invitation: &Invitation,
    organization: &Organization,
    client: &Client,
    url: &str,
) -> Email {
    let inviter = &invitation.inviter.name;
    let organization = organization
        .display_name
        .as_deref()
        .unwrap_or(&organization.name);
    let application = &client.name;
    let text = format!(
        "{inviter} has invited you to join {organization} on {application}.\n\n\
         To accept, open this link:\n\n{url}\n\n\
         If you were not expecting this invitation, ignore this email.\n"
    );
    let html = format!(
        "<!doctype html><html><body>\
         <p>{inviter} has invited you to join {organization} on {application}.</p>\
         <p>To accept, open this link:</p>\
         <p><a href=\"{url}\">{url}</a></p>\
         <p>If you were not expecting this invitation, ignore this email.</p>\
         </body></html>",
        inviter = markup::escape(inviter),
        organization = markup::escape(organization),
        application = markup::escape(application),
        url = markup::escape(url),
    );
    Email {
        to: invitation.invitee.email.clone(),
        from: None,
        subject: format!("You are invited to join {organization}"),
        text: Some(text),
        html,
    }
}

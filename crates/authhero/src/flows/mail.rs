//! A tenant's email, composed and sent. The message is the tenant's template of its kind when
//! one is enabled (Liquid, with Auth0's variables), else the built-in one; it goes out through
//! the tenant's email provider when one is enabled (SMTP), else through the server's sender.

use std::sync::{Arc, OnceLock};

use authhero_core::entities::{Client, EmailProvider, EmailTemplate, User};
use serde_json::{Map, Value, json};

use crate::email::{Email, EmailSender, SendError, SmtpSettings};
use crate::state::AppState;

/// The messages the server sends, each under its Auth0 template name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    VerifyEmail,
    ResetEmail,
    UserInvitation,
    /// A passwordless login code; Auth0 words it on the `email` connection, not as a template.
    PasswordlessCode,
    /// Brute-force protection blocked the account: a link to unblock it.
    BlockedAccount,
}

/// The shipped wording of a kind, for a tenant without an enabled template of its own:
/// Liquid, with the same variables.
struct BuiltIn {
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

impl Kind {
    fn built_in(self) -> BuiltIn {
        match self {
            Kind::VerifyEmail => BuiltIn {
                subject: include_str!("../../templates/emails/verify_email.subject.liquid"),
                text: include_str!("../../templates/emails/verify_email.txt.liquid"),
                html: include_str!("../../templates/emails/verify_email.html.liquid"),
            },
            Kind::ResetEmail => BuiltIn {
                subject: include_str!("../../templates/emails/reset_email.subject.liquid"),
                text: include_str!("../../templates/emails/reset_email.txt.liquid"),
                html: include_str!("../../templates/emails/reset_email.html.liquid"),
            },
            Kind::UserInvitation => BuiltIn {
                subject: include_str!("../../templates/emails/user_invitation.subject.liquid"),
                text: include_str!("../../templates/emails/user_invitation.txt.liquid"),
                html: include_str!("../../templates/emails/user_invitation.html.liquid"),
            },
            Kind::BlockedAccount => BuiltIn {
                subject: include_str!("../../templates/emails/blocked_account.subject.liquid"),
                text: include_str!("../../templates/emails/blocked_account.txt.liquid"),
                html: include_str!("../../templates/emails/blocked_account.html.liquid"),
            },
            Kind::PasswordlessCode => BuiltIn {
                subject: include_str!("../../templates/emails/passwordless_code.subject.liquid"),
                text: include_str!("../../templates/emails/passwordless_code.txt.liquid"),
                html: include_str!("../../templates/emails/passwordless_code.html.liquid"),
            },
        }
    }

    pub fn template_name(self) -> &'static str {
        match self {
            Kind::VerifyEmail => "verify_email",
            Kind::ResetEmail => "reset_email",
            Kind::UserInvitation => "user_invitation",
            Kind::PasswordlessCode => "passwordless_code",
            Kind::BlockedAccount => "blocked_account",
        }
    }
}

/// A message to send: its kind, its recipient, and what its template may refer to (`url`,
/// `user`, `application`, `organization`, `inviter`; the tenant's own are added here).
#[derive(Debug)]
pub struct Message {
    pub kind: Kind,
    pub to: String,
    pub variables: Map<String, Value>,
}

/// The tenant's enabled template of this kind, if any: it also decides the link a message
/// carries (`resultUrl`, `urlLifetimeInSeconds`, `includeEmailInRedirect`).
pub async fn template(
    state: &AppState,
    tenant_id: &str,
    kind: Kind,
) -> Result<Option<EmailTemplate>, SendError> {
    let template = state
        .adapters
        .email_templates
        .get(tenant_id, kind.template_name())
        .await
        .map_err(storage)?;
    Ok(template.filter(|template| template.enabled))
}

/// Composes the message (from `template` when given) and sends it the tenant's way.
pub async fn send(
    state: &AppState,
    tenant_id: &str,
    template: Option<&EmailTemplate>,
    message: Message,
) -> Result<(), SendError> {
    let provider = state
        .adapters
        .email_providers
        .get(tenant_id)
        .await
        .map_err(storage)?
        .filter(|provider| provider.enabled);
    let sender = transport(state, provider.as_ref())?;
    let provider_from = provider
        .as_ref()
        .and_then(|provider| provider.default_from_address.clone())
        .filter(|from| !from.is_empty());
    let variables = with_tenant(state, tenant_id, message.variables).await?;
    let email = match template {
        Some(template) => Email {
            to: message.to,
            from: Some(template.from.clone())
                .filter(|from| !from.is_empty())
                .or(provider_from),
            subject: render(&template.subject, &variables)?,
            text: None,
            html: render(&template.body, &variables)?,
        },
        None => {
            let built_in = message.kind.built_in();
            Email {
                to: message.to,
                from: provider_from,
                subject: render(built_in.subject, &variables)?.trim().to_owned(),
                text: Some(render(built_in.text, &variables)?),
                html: render(built_in.html, &variables)?,
            }
        }
    };
    sender.send(email).await
}

/// What a template of a link sent to a user may refer to: `url`, `user` (as the Management API
/// shows it) and, when the request came through one, `application`.
pub fn link_variables(url: &str, user: &User, client: Option<&Client>) -> Map<String, Value> {
    let mut variables = Map::new();
    variables.insert("url".into(), Value::String(url.to_owned()));
    variables.insert(
        "user".into(),
        serde_json::to_value(user).unwrap_or(Value::Null),
    );
    if let Some(client) = client {
        variables.insert("application".into(), application_variables(client));
    }
    variables
}

/// What a template says of an application, as Auth0 names it.
pub fn application_variables(client: &Client) -> Value {
    json!({"name": client.name, "clientID": client.client_id})
}

/// Refuses a template text that is not valid Liquid (the reason says where), or one whose
/// loops over number ranges could run without end: Liquid builds a whole range before looping,
/// so `(1..9999999999)` would exhaust memory. A range must have literal ends at most
/// [`MAX_RANGE`] apart, and at most [`MAX_RANGES`] of them may appear.
pub fn check_template(text: &str) -> Result<(), String> {
    checked(text).map(drop)
}

/// The template parsed, once its number ranges passed [`check_template`]'s limits.
fn checked(text: &str) -> Result<liquid::Template, String> {
    let ranges = number_ranges(text);
    if ranges.len() > MAX_RANGES {
        return Err(format!("at most {MAX_RANGES} number ranges"));
    }
    for range in ranges {
        let (low, high) = range.split_once("..").unwrap_or((range, ""));
        let span = match (low.trim().parse::<i64>(), high.trim().parse::<i64>()) {
            (Ok(low), Ok(high)) => high.saturating_sub(low),
            _ => i64::MAX,
        };
        if span > MAX_RANGE {
            return Err(format!(
                "a range needs literal ends at most {MAX_RANGE} apart, not ({range})"
            ));
        }
    }
    parser()
        .map_err(|error| error.0)?
        .parse(text)
        .map_err(|error| error.to_string())
}

/// The inside of every `(a..b)` within a Liquid tag or output (`{% … %}`, `{{ … }}`).
fn number_ranges(text: &str) -> Vec<&str> {
    let mut ranges = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%").into_iter().chain(rest.find("{{")).min() {
        let markup = &rest[start + 2..];
        let end = ["%}", "}}"]
            .iter()
            .filter_map(|close| markup.find(close))
            .min()
            .unwrap_or(markup.len());
        let mut tag = &markup[..end];
        while let Some(open) = tag.find('(') {
            let inner = &tag[open + 1..];
            let close = inner.find(')').unwrap_or(inner.len());
            if inner[..close].contains("..") {
                ranges.push(&inner[..close]);
            }
            tag = &inner[close.min(inner.len())..];
            tag = tag.strip_prefix(')').unwrap_or(tag);
        }
        rest = &markup[end..];
    }
    ranges
}

/// The widest number range a template may loop over, and how many ranges it may hold.
const MAX_RANGE: i64 = 100;
const MAX_RANGES: usize = 2;
/// The largest message a template may render.
const MAX_RENDERED_BYTES: usize = 256 * 1024;

/// The SMTP server a provider names: `credentials.smtp_host` and `smtp_port`, with
/// `smtp_user` and `smtp_pass` when it asks for a login.
pub fn smtp_settings(provider: &EmailProvider) -> Result<SmtpSettings, String> {
    let credentials = &provider.credentials;
    let text = |name: &str| credentials.get(name).and_then(Value::as_str);
    let host = text("smtp_host")
        .filter(|host| !host.is_empty())
        .ok_or("an smtp provider needs credentials.smtp_host")?;
    let port = credentials
        .get("smtp_port")
        .and_then(Value::as_u64)
        .and_then(|port| u16::try_from(port).ok())
        .filter(|port| *port > 0)
        .ok_or("an smtp provider needs credentials.smtp_port, 1 to 65535")?;
    Ok(SmtpSettings {
        host: host.to_owned(),
        port,
        user: text("smtp_user").map(str::to_owned),
        password: text("smtp_pass").map(str::to_owned),
    })
}

fn transport(
    state: &AppState,
    provider: Option<&EmailProvider>,
) -> Result<Arc<dyn EmailSender>, SendError> {
    match provider {
        Some(provider) if provider.name == "smtp" => {
            let connector = state.mailers.smtp.as_ref().ok_or_else(|| {
                SendError("this server has no way to reach a tenant's SMTP server".into())
            })?;
            connector.connect(&smtp_settings(provider).map_err(SendError)?)
        }
        Some(provider) => Err(SendError(format!(
            "the {} email provider is not supported here; set up smtp",
            provider.name
        ))),
        None => state
            .mailers
            .default
            .clone()
            .ok_or_else(|| SendError("no email sender is configured".into())),
    }
}

/// The variables with the tenant's own: `tenant`, `friendly_name`, `support_email`,
/// `support_url`.
async fn with_tenant(
    state: &AppState,
    tenant_id: &str,
    mut variables: Map<String, Value>,
) -> Result<liquid::Object, SendError> {
    let tenant = state
        .adapters
        .tenants
        .get(tenant_id)
        .await
        .map_err(storage)?;
    variables.insert("tenant".into(), Value::String(tenant_id.to_owned()));
    if let Some(tenant) = tenant {
        for (name, value) in [
            ("friendly_name", tenant.friendly_name),
            ("support_email", tenant.support_email),
            ("support_url", tenant.support_url),
        ] {
            if let Some(value) = value {
                variables.insert(name.into(), Value::String(value));
            }
        }
    }
    liquid::model::to_object(&variables).map_err(|error| SendError(error.to_string()))
}

fn render(text: &str, variables: &liquid::Object) -> Result<String, SendError> {
    render_liquid(text, variables).map_err(|why| SendError(format!("the email template {why}")))
}

/// A Liquid text (checked as [`check_template`] checks) rendered with `variables`, within
/// [`MAX_RENDERED_BYTES`]; else why not. Emails and the tenant's page template use it.
pub fn render_liquid(text: &str, variables: &liquid::Object) -> Result<String, String> {
    let rendered = checked(text)
        .map_err(|why| format!("is refused: {why}"))?
        .render(variables)
        .map_err(|error| format!("does not render: {error}"))?;
    if rendered.len() > MAX_RENDERED_BYTES {
        return Err("renders too large a text".into());
    }
    Ok(rendered)
}

/// Liquid with its standard tags and filters, built once.
fn parser() -> Result<&'static liquid::Parser, SendError> {
    static PARSER: OnceLock<Option<liquid::Parser>> = OnceLock::new();
    PARSER
        .get_or_init(|| liquid::ParserBuilder::with_stdlib().build().ok())
        .as_ref()
        .ok_or_else(|| SendError("the Liquid parser could not be built".into()))
}

fn storage(error: authhero_core::Error) -> SendError {
    SendError(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_auth0s_variables() -> Result<(), SendError> {
        let variables = liquid::object!({
            "url": "https://auth.example/u/reset-password?ticket=t",
            "user": {"email": "jane@example.com", "name": "Jane"},
            "friendly_name": "Acme",
        });
        let html = render(
            "<p>Hi {{ user.name | default: user.email }}, reset at <a href=\"{{ url }}\">{{ friendly_name }}</a></p>",
            &variables,
        )?;
        assert_eq!(
            html,
            "<p>Hi Jane, reset at <a href=\"https://auth.example/u/reset-password?ticket=t\">Acme</a></p>"
        );
        assert!(check_template("{% if user.name %}{{ user.name }}{% endif %}").is_ok());
        assert!(check_template("{% if user.name %}unclosed").is_err());
        assert!(check_template("{% for i in (1..10) %}{{ i }}{% endfor %}").is_ok());
        assert!(check_template("{% for i in (1..9999999999) %}x{% endfor %}").is_err());
        assert!(check_template("{% for i in (1..user.count) %}x{% endfor %}").is_err());
        assert!(check_template("<p>Loading... see ../help (a..b) for more</p>").is_ok());
        Ok(())
    }

    #[test]
    fn an_smtp_provider_names_its_server() {
        let provider = |credentials: Value| EmailProvider {
            name: "smtp".into(),
            enabled: true,
            default_from_address: None,
            credentials: serde_json::from_value(credentials).unwrap_or_default(),
            settings: Default::default(),
        };
        let settings = smtp_settings(&provider(json!({
            "smtp_host": "mail.example.com", "smtp_port": 587, "smtp_user": "u", "smtp_pass": "p",
        })));
        assert_eq!(
            settings.map(|settings| (settings.host, settings.port, settings.user)),
            Ok(("mail.example.com".into(), 587, Some("u".into())))
        );
        assert!(smtp_settings(&provider(json!({"smtp_port": 587}))).is_err());
        assert!(smtp_settings(&provider(json!({"smtp_host": "h", "smtp_port": 70000}))).is_err());
    }
}

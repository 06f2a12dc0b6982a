//! Outgoing email: the ports the package sends through (password resets, verification,
//! invitations) and its message.

use std::sync::Arc;

use async_trait::async_trait;

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    /// The sender, when the tenant's template or provider names one; else the sender's own.
    pub from: Option<String>,
    pub subject: String,
    /// The plain-text part; a tenant's template is HTML only.
    pub text: Option<String>,
    pub html: String,
}

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
#[error("email not sent: {0}")]
pub struct SendError(pub String);

/// Sends email; the standalone server supplies an SMTP sender, a library user their own.
#[async_trait]
pub trait EmailSender: Send + Sync + std::fmt::Debug {
    async fn send(&self, email: Email) -> Result<(), SendError>;
}

/// The SMTP server a tenant's email provider names (Auth0's `smtp` provider).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// Never shows the password.
impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Opens a sender for the SMTP server a tenant configures through the Management API; the
/// standalone server supplies lettre's.
pub trait SmtpConnector: Send + Sync + std::fmt::Debug {
    fn connect(&self, settings: &SmtpSettings) -> Result<Arc<dyn EmailSender>, SendError>;
}

/// Where a tenant's email can go: the server's own sender, and the connector for the SMTP
/// servers tenants configure.
#[derive(Debug, Clone, Default)]
pub struct Mailers {
    pub default: Option<Arc<dyn EmailSender>>,
    pub smtp: Option<Arc<dyn SmtpConnector>>,
}

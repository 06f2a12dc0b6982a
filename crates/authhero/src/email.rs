//! Outgoing email: the port the package sends through (password resets, ...) and its message.

use async_trait::async_trait;

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
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

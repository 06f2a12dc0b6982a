//! The server's [`EmailSender`]: hands AuthHero's email (password resets, verification,
//! invitations) to an SMTP server with lettre, as a text and HTML message (HTML alone for a
//! tenant's template); and the [`SmtpConnector`] that opens one for a tenant's own SMTP server.

use std::net::IpAddr;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use authhero::{Email, EmailSender, SendError, SmtpConnector, SmtpSettings};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Sends every message through one SMTP server. Its `Debug` shows no credentials.
#[derive(Debug)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// `url`: `smtp://host[:port]` (plain), `smtp://host[:port]?tls=required` (STARTTLS) or
    /// `smtps://user:password@host[:port]` (TLS); `from`: e.g. `AuthHero <no-reply@example.com>`.
    /// Nothing connects until the first message.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        // The URL may hold a password: never repeat it in an error.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .context(
                "the SMTP URL is not valid: use smtp://host:port or smtps://user:password@host",
            )?
            .build();
        let from = from
            .parse()
            .with_context(|| format!("the email sender {from:?} is not a valid address"))?;
        Ok(Self { transport, from })
    }
}

/// Opens senders for tenants' SMTP servers: port 465 speaks TLS from the start, a loopback
/// host may be plain, and any other must offer STARTTLS, so credentials never cross a network
/// in the clear.
#[derive(Debug)]
pub struct TenantSmtp {
    /// The sender used when neither the template nor the provider names one.
    from: Mailbox,
}

impl TenantSmtp {
    pub fn new(from: &str) -> anyhow::Result<Self> {
        let from = from
            .parse()
            .with_context(|| format!("the email sender {from:?} is not a valid address"))?;
        Ok(Self { from })
    }
}

impl SmtpConnector for TenantSmtp {
    fn connect(&self, settings: &SmtpSettings) -> Result<Arc<dyn EmailSender>, SendError> {
        let failed = |error: lettre::transport::smtp::Error| SendError(format!("smtp: {error}"));
        let host = settings.host.as_str();
        let loopback =
            host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        let mut builder = if settings.port == 465 {
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(failed)?
        } else if loopback {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(failed)?
        };
        builder = builder.port(settings.port);
        if let (Some(user), Some(password)) = (&settings.user, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Arc::new(SmtpSender {
            transport: builder.build(),
            from: self.from.clone(),
        }))
    }
}

#[async_trait]
impl EmailSender for SmtpSender {
    async fn send(&self, email: Email) -> Result<(), SendError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|error| SendError(format!("recipient: {error}")))?;
        let from = match &email.from {
            Some(from) => from
                .parse()
                .map_err(|error| SendError(format!("sender {from:?}: {error}")))?,
            None => self.from.clone(),
        };
        let builder = Message::builder().from(from).to(to).subject(email.subject);
        let message = match email.text {
            Some(text) => builder.multipart(MultiPart::alternative_plain_html(text, email.html)),
            None => builder.singlepart(SinglePart::html(email.html)),
        }
        .map_err(|error| SendError(format!("message: {error}")))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|error| SendError(format!("smtp: {error}")))
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    #[test]
    fn refuses_bad_settings() {
        assert!(SmtpSender::new("http://mail.example.com", "a@example.com").is_err());
        assert!(SmtpSender::new("smtp://127.0.0.1:2525", "not an address").is_err());
        let secret = SmtpSender::new("ftp://user:hunter2@mail.example.com", "a@example.com")
            .err()
            .map(|error| format!("{error:#}"))
            .unwrap_or_default();
        assert!(!secret.contains("hunter2"), "{secret}");
        assert!(
            SmtpSender::new("smtps://user:pw@mail.example.com", "AuthHero <a@b.example>").is_ok()
        );
        assert!(
            SmtpSender::new("smtp://mail.example.com:587?tls=required", "a@example.com").is_ok()
        );
    }

    /// Plays the server side of one SMTP session on loopback; returns the recipients and data.
    async fn receive_one(listener: TcpListener) -> anyhow::Result<(Vec<String>, String)> {
        let (stream, _) = listener.accept().await?;
        let (reader, mut writer) = stream.into_split();
        let mut reader = BufReader::new(reader);
        writer.write_all(b"220 localhost ready\r\n").await?;
        let (mut recipients, mut data, mut line) = (Vec::new(), String::new(), String::new());
        loop {
            line.clear();
            anyhow::ensure!(reader.read_line(&mut line).await? > 0, "closed early");
            let command = line.trim_end().to_ascii_uppercase();
            if let Some(recipient) = command.strip_prefix("RCPT TO:") {
                recipients.push(recipient.to_lowercase());
            }
            let reply: &[u8] = match command.as_str() {
                "DATA" => {
                    writer.write_all(b"354 go ahead\r\n").await?;
                    loop {
                        line.clear();
                        anyhow::ensure!(reader.read_line(&mut line).await? > 0, "closed in DATA");
                        if line == ".\r\n" {
                            break;
                        }
                        data.push_str(&line);
                    }
                    b"250 queued\r\n"
                }
                "QUIT" => {
                    writer.write_all(b"221 bye\r\n").await?;
                    return Ok((recipients, data));
                }
                _ => b"250 OK\r\n",
            };
            writer.write_all(reply).await?;
        }
    }

    #[tokio::test]
    async fn sends_a_text_and_html_message_over_smtp() -> anyhow::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("smtp://127.0.0.1:{}", listener.local_addr()?.port());
        let server = tokio::spawn(receive_one(listener));
        let sender = SmtpSender::new(&url, "AuthHero <no-reply@localhost>")?;
        sender
            .send(Email {
                to: "jane@example.com".into(),
                from: None,
                subject: "Reset your password".into(),
                text: Some("Open the link.".into()),
                html: "<p>Open the link.</p>".into(),
            })
            .await?;
        let (recipients, data) = server.await??;
        assert_eq!(recipients, ["<jane@example.com>"]);
        for part in [
            "From: AuthHero <no-reply@localhost>",
            "To: jane@example.com",
            "Subject: Reset your password",
            "multipart/alternative",
            "text/plain",
            "Open the link.",
            "text/html",
            "<p>Open the link.</p>",
        ] {
            assert!(data.contains(part), "{part} missing in:\n{data}");
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_tenants_smtp_server_gets_its_html_message_from_its_sender() -> anyhow::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let settings = SmtpSettings {
            host: "127.0.0.1".into(),
            port: listener.local_addr()?.port(),
            user: None,
            password: None,
        };
        let server = tokio::spawn(receive_one(listener));
        let sender = TenantSmtp::new("AuthHero <no-reply@localhost>")?
            .connect(&settings)
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        sender
            .send(Email {
                to: "jane@example.com".into(),
                from: Some("Acme <hello@acme.example>".into()),
                subject: "Welcome".into(),
                text: None,
                html: "<p>Hi Jane</p>".into(),
            })
            .await?;
        let (recipients, data) = server.await??;
        assert_eq!(recipients, ["<jane@example.com>"]);
        assert!(data.contains("From: Acme <hello@acme.example>"), "{data}");
        assert!(
            data.contains("text/html") && !data.contains("multipart"),
            "{data}"
        );
        assert!(data.contains("<p>Hi Jane</p>"), "{data}");
        Ok(())
    }
}

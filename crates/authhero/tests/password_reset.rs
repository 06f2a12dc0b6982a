//! Mail end to end, in-process on in-memory SQLite, through a real SMTP exchange with a small
//! server on loopback: `/dbconnections/change_password` mails a link that sets a new password
//! exactly once; signups and the verification job mail links that verify; `/passwordless/start`
//! mails a code that the passwordless grant takes once.

mod support;

use std::time::Duration;

use anyhow::{Context, bail, ensure};
use async_trait::async_trait;
use authhero::{Email, EmailSender, SendError};
use authhero_core::entities::*;
use authhero_core::{DataAdapters, ListParams, Query, Timestamp};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body as MailBody, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use support::Reply;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tower::ServiceExt;

/// What the reset form says of a password its policy refuses (`password-too-weak`).
const TOO_WEAK: &str = "Your password does not meet the requirements below.";
const ISSUER: &str = "http://localhost:3000/";
const CONNECTION: &str = "Username-Password-Authentication";
const EMAIL: &str = "jane@example.com";
const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "A brand new passphrase";
const ANSWER: &str = "We've just sent you an email to reset your password.";

// ---------------------------------------------------------------------------------------------
// A test SMTP server: just enough of RFC 5321 for one client, capturing every message.

/// One message as the SMTP server received it.
#[derive(Debug)]
struct Received {
    recipients: Vec<String>,
    data: String,
}

/// Listens on 127.0.0.1 (a free port); every message received comes out of the channel.
async fn smtp_server() -> anyhow::Result<(u16, mpsc::UnboundedReceiver<Received>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                if let Err(error) = smtp_session(stream, sender).await {
                    eprintln!("test SMTP session failed: {error}");
                }
            });
        }
    });
    Ok((port, receiver))
}

async fn smtp_session(
    stream: TcpStream,
    received: mpsc::UnboundedSender<Received>,
) -> anyhow::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    writer
        .write_all(b"220 localhost test SMTP ready\r\n")
        .await?;
    let mut recipients = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 localhost\r\n"
        } else if command.starts_with("MAIL FROM:") {
            recipients.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO:") {
            let address = line
                .split_once('<')
                .and_then(|(_, rest)| rest.split_once('>'))
                .map(|(address, _)| address.to_owned())
                .context("RCPT without <address>")?;
            recipients.push(address);
            b"250 OK\r\n"
        } else if command == "DATA" {
            writer
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).await? == 0 {
                    bail!("connection closed during DATA");
                }
                if line == ".\r\n" {
                    break;
                }
                // Dot-stuffing: a leading "." of a data line was doubled by the client.
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            received.send(Received {
                recipients: std::mem::take(&mut recipients),
                data,
            })?;
            b"250 OK queued\r\n"
        } else if command == "RSET" || command == "NOOP" {
            b"250 OK\r\n"
        } else if command == "QUIT" {
            writer.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        writer.write_all(reply).await?;
    }
}

/// Decodes quoted-printable text (RFC 2045 §6.7): soft line breaks and `=XX` octets.
fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let octet = (bytes[index] == b'=')
            .then(|| joined.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match octet {
            Some(octet) => {
                decoded.push(octet);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The path and query of the reset link in a received message.
fn reset_link(message: &Received) -> anyhow::Result<String> {
    let text = decode_quoted_printable(&message.data);
    let prefix = format!("{ISSUER}u/reset-password?ticket=");
    let start = text
        .find(&prefix)
        .with_context(|| format!("no reset link in:\n{text}"))?;
    let link: String = text[start..]
        .chars()
        .take_while(|character| !character.is_whitespace() && !"<\"".contains(*character))
        .collect();
    let path = link
        .strip_prefix(ISSUER.trim_end_matches('/'))
        .context("link outside the issuer")?;
    Ok(path.to_owned())
}

/// The path and query of the verification link in a received message.
fn verification_link(message: &Received) -> anyhow::Result<String> {
    let text = decode_quoted_printable(&message.data);
    let prefix = format!("{ISSUER}u/email-verification?ticket=");
    let start = text.find(&prefix).context("no verification link")?;
    Ok(text[start + ISSUER.len() - 1..]
        .chars()
        .take_while(|character| !character.is_whitespace() && !"<\"".contains(*character))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The email sender the package is given: lettre over SMTP, so mail really crosses the wire.

#[derive(Debug)]
struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    fn new(port: u16) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .build();
        Ok(Self {
            transport,
            from: "AuthHero <no-reply@localhost>".parse()?,
        })
    }
}

#[async_trait]
impl EmailSender for SmtpSender {
    async fn send(&self, email: Email) -> Result<(), SendError> {
        let failed = |error: &dyn std::fmt::Display| SendError(error.to_string());
        let to: Mailbox = email.to.parse().map_err(|error| failed(&error))?;
        // Quoted-printable always, so the test decodes one known encoding.
        let encode = |text: String| {
            MailBody::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
                .map_err(|_| SendError("body not encodable".into()))
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(encode(email.text.unwrap_or_default())?),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(encode(email.html)?),
                    ),
            )
            .map_err(|error| failed(&error))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|error| failed(&error))
    }
}

// ---------------------------------------------------------------------------------------------
// The server under test.

struct Server {
    router: Router,
    adapters: DataAdapters,
    tenant: String,
    user_id: String,
    mail: mpsc::UnboundedReceiver<Received>,
}

impl Server {
    async fn start() -> anyhow::Result<Server> {
        Self::start_migrating(None).await
    }

    /// With `legacy`, users are imported from that legacy tenant.
    async fn start_migrating(
        legacy: Option<authhero_auth0::Auth0Settings>,
    ) -> anyhow::Result<Server> {
        let (adapters, tenant) = support::bootstrapped(ISSUER).await?;
        let now = Timestamp::now();
        let mut web = Client::new("web-client", "Web", now);
        web.client_secret = Some("web-secret".into());
        web.grant_types = vec!["password".into()];
        adapters.clients.create(&tenant, web).await?;
        support::enable_on_default_connection(&adapters, &tenant, &["web-client"]).await?;

        let mut user = User::new("auth0", "jane", CONNECTION, now);
        user.email = Some(EMAIL.into());
        let user = support::create_user(&adapters, &tenant, user, PASSWORD).await?;

        let adapters = match legacy {
            Some(settings) => {
                support::legacy::migrating(adapters, &tenant, settings)
                    .await?
                    .0
            }
            None => adapters,
        };
        let (port, mail) = smtp_server().await?;
        let router = authhero::AuthHero::new(adapters.clone())
            .issuer(ISSUER)?
            .email_sender(std::sync::Arc::new(SmtpSender::new(port)?))
            .router();
        Ok(Server {
            router,
            adapters,
            tenant,
            user_id: user.user_id,
            mail,
        })
    }

    async fn get(&self, uri: &str) -> anyhow::Result<Reply> {
        support::get(&self.router, uri, &[]).await
    }

    async fn post_form(&self, uri: &str, fields: &[(&str, &str)]) -> anyhow::Result<Reply> {
        support::post_form(&self.router, uri, fields, &[]).await
    }

    async fn sign_up(&self, email: &str) -> anyhow::Result<Reply> {
        self.post_form(
            "/dbconnections/signup",
            &[
                ("client_id", "web-client"),
                ("connection", CONNECTION),
                ("email", email),
                ("password", NEW_PASSWORD),
            ],
        )
        .await
    }

    async fn change_password(&self, email: &str) -> anyhow::Result<Reply> {
        self.post_form(
            "/dbconnections/change_password",
            &[
                ("client_id", "web-client"),
                ("connection", CONNECTION),
                ("email", email),
            ],
        )
        .await
    }

    /// The next message the SMTP server receives, waiting for it a while.
    async fn next_mail(&mut self) -> anyhow::Result<Received> {
        tokio::time::timeout(Duration::from_secs(10), self.mail.recv())
            .await
            .context("no email arrived")?
            .context("the SMTP server stopped")
    }

    /// Fails if a message arrives within a short while.
    async fn no_more_mail(&mut self) -> anyhow::Result<()> {
        tokio::time::sleep(Duration::from_millis(500)).await;
        match self.mail.try_recv() {
            Ok(message) => bail!("unexpected email to {:?}", message.recipients),
            Err(_) => Ok(()),
        }
    }

    /// Asks for a reset for the user and returns the link the email carries.
    async fn reset_link(&mut self) -> anyhow::Result<String> {
        let asked = self.change_password(EMAIL).await?;
        ensure!(asked.status == StatusCode::OK, "{}", asked.body);
        reset_link(&self.next_mail().await?)
    }

    async fn submit(&self, ticket: &str, password: &str, confirm: &str) -> anyhow::Result<Reply> {
        self.post_form(
            "/u/reset-password",
            &[
                ("ticket", ticket),
                ("password", password),
                ("confirm", confirm),
            ],
        )
        .await
    }

    /// Whether the `password` grant accepts this password for the user.
    async fn password_works(&self, password: &str) -> anyhow::Result<bool> {
        let reply = self
            .post_form(
                "/oauth/token",
                &[
                    ("grant_type", "password"),
                    ("client_id", "web-client"),
                    ("client_secret", "web-secret"),
                    ("username", EMAIL),
                    ("password", password),
                ],
            )
            .await?;
        match reply.status {
            StatusCode::OK => Ok(true),
            StatusCode::FORBIDDEN if reply.body.contains("invalid_grant") => Ok(false),
            other => bail!("password grant: {other} {}", reply.body),
        }
    }

    async fn sessions_of_user(&self) -> anyhow::Result<usize> {
        let params = ListParams::default().with_query(Query::equals("user_id", &self.user_id)?);
        Ok(self
            .adapters
            .sessions
            .list(&self.tenant, &params)
            .await?
            .items
            .len())
    }

    async fn create_session(&self, id: &str) -> anyhow::Result<()> {
        let now = Timestamp::now();
        let session = Session {
            id: id.into(),
            user_id: self.user_id.clone(),
            created_at: now,
            updated_at: now,
            authenticated_at: now,
            last_interacted_at: now,
            expires_at: Some(now.plus_seconds(3_600)),
            idle_expires_at: None,
            device: SessionDevice::default(),
            clients: vec![SessionClient {
                client_id: "web-client".into(),
            }],
            authentication: Vec::new(),
            revoked_at: None,
            secret_hash: None,
        };
        self.adapters.sessions.create(&self.tenant, session).await?;
        Ok(())
    }

    /// A ticket for a code stored directly (by the digest of `secret`), of any type and expiry.
    async fn stored_ticket(
        &self,
        secret: &str,
        code_type: CodeType,
        expires_in: i64,
    ) -> anyhow::Result<String> {
        let now = Timestamp::now();
        let code = Code {
            code_id: authhero::secrets::digest(secret),
            code_type,
            login_session_id: None,
            session_id: None,
            user_id: Some(self.user_id.clone()),
            client_id: Some("web-client".into()),
            redirect_uri: None,
            code_challenge: None,
            code_challenge_method: None,
            nonce: None,
            scope: None,
            audience: None,
            auth_time: None,
            custom_claims: Default::default(),
            created_at: now,
            expires_at: now.plus_seconds(expires_in),
            used_at: None,
        };
        self.adapters.codes.create(&self.tenant, code).await?;
        Ok(format!("{}.{secret}", self.tenant))
    }
}

fn ticket_of(link: &str) -> anyhow::Result<String> {
    let query = link.split_once('?').context("no query")?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "ticket")
        .map(|(_, value)| value.into_owned())
        .context("no ticket")
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_reset_email_goes_only_to_an_existing_user() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let unknown = server.change_password("nobody@example.com").await?;
    // Addresses are compared case-insensitively, as Auth0 does.
    let known = server.change_password("Jane@Example.COM").await?;
    ensure!(
        unknown.status == StatusCode::OK && unknown.body == ANSWER,
        "{} {}",
        unknown.status,
        unknown.body
    );
    ensure!(
        known.status == unknown.status
            && known.body == unknown.body
            && known.headers.get(header::CONTENT_TYPE) == unknown.headers.get(header::CONTENT_TYPE),
        "the answer tells whether the user exists"
    );

    let message = server.next_mail().await?;
    ensure!(
        message.recipients == [EMAIL],
        "sent to {:?}",
        message.recipients
    );
    ensure!(
        message.data.contains("Subject: Reset your password"),
        "{}",
        message.data
    );
    let link = reset_link(&message)?;
    let ticket = ticket_of(&link)?;
    let secret = ticket
        .strip_prefix(&format!("{}.", server.tenant))
        .with_context(|| format!("ticket without its tenant: {link}"))?;
    // Issue 8, secrets at rest: the database holds the ticket's digest, never the ticket.
    ensure!(
        server
            .adapters
            .codes
            .get(&server.tenant, secret)
            .await?
            .is_none(),
        "the emailed ticket is stored as it is"
    );
    ensure!(
        server
            .adapters
            .codes
            .get(&server.tenant, &authhero::secrets::digest(secret))
            .await?
            .is_some(),
        "the ticket's digest is not what is stored"
    );
    server.no_more_mail().await?;
    Ok(())
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    server.create_session("session-one").await?;
    server.create_session("session-two").await?;
    let link = server.reset_link().await?;
    let ticket = ticket_of(&link)?;

    let form = server.get(&link).await?;
    ensure!(
        form.status == StatusCode::OK,
        "{} {}",
        form.status,
        form.body
    );
    for part in [
        "method=\"post\" action=\"/u/reset-password\"",
        &format!("name=\"ticket\" value=\"{ticket}\""),
        "name=\"password\"",
        "name=\"confirm\"",
        "<button type=\"submit\"",
    ] {
        ensure!(form.body.contains(part), "{part} missing in {}", form.body);
    }
    ensure!(
        form.headers
            .get(header::REFERRER_POLICY)
            .map(|value| value.as_bytes())
            == Some(b"no-referrer".as_slice()),
        "the ticket could leak in a Referer"
    );

    let mismatched = server
        .submit(&ticket, NEW_PASSWORD, "something else entirely")
        .await?;
    ensure!(
        mismatched.status == StatusCode::BAD_REQUEST && mismatched.body.contains("do not match"),
        "{} {}",
        mismatched.status,
        mismatched.body
    );
    let short = server.submit(&ticket, "short", "short").await?;
    ensure!(
        short.status == StatusCode::BAD_REQUEST
            && short.body.contains(TOO_WEAK)
            && short.body.contains("class=\"unmet\">At least 8 characters"),
        "{} {}",
        short.status,
        short.body
    );
    ensure!(
        server.password_works(PASSWORD).await?,
        "refused attempts changed the password"
    );
    ensure!(
        server.sessions_of_user().await? == 2,
        "sessions ended early"
    );

    let done = server.submit(&ticket, NEW_PASSWORD, NEW_PASSWORD).await?;
    ensure!(
        done.status == StatusCode::OK && done.body.contains("Your password has been changed."),
        "{} {}",
        done.status,
        done.body
    );
    ensure!(
        !server.password_works(PASSWORD).await?,
        "the old password still works"
    );
    ensure!(
        server.password_works(NEW_PASSWORD).await?,
        "the new password does not work"
    );
    let stored = server
        .adapters
        .passwords
        .get(&server.tenant, &server.user_id)
        .await?
        .context("password")?;
    ensure!(
        stored.hash.starts_with("$2b$10$")
            && authhero::passwords::verify(NEW_PASSWORD.into(), stored.hash).await?,
        "not stored as bcrypt"
    );
    ensure!(
        server.sessions_of_user().await? == 0,
        "the user's sessions survived the reset"
    );

    let again = server
        .submit(&ticket, "Yet another passphrase", "Yet another passphrase")
        .await?;
    ensure!(
        again.status == StatusCode::BAD_REQUEST,
        "a ticket worked twice: {} {}",
        again.status,
        again.body
    );
    let reopened = server.get(&link).await?;
    ensure!(
        reopened.status == StatusCode::BAD_REQUEST,
        "a used link still shows the form"
    );
    ensure!(
        server.password_works(NEW_PASSWORD).await?,
        "the second try changed the password"
    );
    Ok(())
}

/// Issue 8, item 9: the form applies the password policy of the user's connection ("good" when
/// it names none), re-showing itself with what is missing and writing nothing.
#[tokio::test]
async fn the_reset_form_applies_the_connections_password_policy() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let link = server.reset_link().await?;
    let ticket = ticket_of(&link)?;
    let weak = server.submit(&ticket, "12345678", "12345678").await?;
    ensure!(
        weak.status == StatusCode::BAD_REQUEST
            && weak.body.contains(TOO_WEAK)
            && weak
                .body
                .contains("class=\"unmet\">At least 3 of these 4 kinds of characters")
            && weak
                .body
                .contains(&format!("name=\"ticket\" value=\"{ticket}\"")),
        "{} {}",
        weak.status,
        weak.body
    );
    ensure!(
        server.password_works(PASSWORD).await?,
        "a refused password changed the password"
    );

    support::edit_default_connection(&server.adapters, &server.tenant, |connection| {
        connection
            .options
            .insert("passwordPolicy".into(), serde_json::json!("excellent"));
    })
    .await?;
    let form = server.get(&link).await?;
    ensure!(
        form.status == StatusCode::OK && form.body.contains("minlength=\"10\""),
        "{}",
        form.body
    );
    let good_only = server.submit(&ticket, "abcdEF12", "abcdEF12").await?;
    ensure!(
        good_only.status == StatusCode::BAD_REQUEST
            && good_only
                .body
                .contains("class=\"unmet\">At least 10 characters"),
        "{} {}",
        good_only.status,
        good_only.body
    );
    ensure!(
        server.password_works(PASSWORD).await?,
        "a refused password changed the password"
    );
    let excellent = "abcdEF12gh";
    let done = server.submit(&ticket, excellent, excellent).await?;
    ensure!(
        done.status == StatusCode::OK,
        "{} {}",
        done.status,
        done.body
    );
    ensure!(
        server.password_works(excellent).await?,
        "the new password does not work"
    );
    Ok(())
}

#[tokio::test]
async fn concurrent_submissions_of_one_ticket_reset_once() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let link = server.reset_link().await?;
    let ticket = ticket_of(&link)?;
    let mut attempts = tokio::task::JoinSet::new();
    for attempt in 0..5 {
        let router = server.router.clone();
        let password = format!("concurrent passphrase {attempt}");
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("ticket", ticket.as_str()),
                ("password", &password),
                ("confirm", &password),
            ])
            .finish();
        attempts.spawn(async move {
            let request = Request::post("/u/reset-password")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))?;
            anyhow::Ok(router.oneshot(request).await?.status())
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = attempts.join_next().await {
        statuses.push(status??);
    }
    let won = statuses
        .iter()
        .filter(|status| **status == StatusCode::OK)
        .count();
    let refused = statuses
        .iter()
        .filter(|status| **status == StatusCode::BAD_REQUEST)
        .count();
    ensure!(won == 1 && refused == 4, "{statuses:?}");
    Ok(())
}

#[tokio::test]
async fn expired_foreign_and_malformed_tickets_are_refused() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let expired = server
        .stored_ticket("expired", CodeType::PasswordReset, -1)
        .await?;
    let other_type = server
        .stored_ticket("verification", CodeType::EmailVerification, 3_600)
        .await?;
    server
        .stored_ticket("valid", CodeType::PasswordReset, 3_600)
        .await?;
    let cases = [
        ("expired", expired.as_str()),
        ("not a password reset", other_type.as_str()),
        ("a valid code under another tenant", "nope.valid"),
        ("no separator", "garbage"),
        ("unknown code", &format!("{}.missing", server.tenant)),
    ];
    for (name, ticket) in cases {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("ticket", ticket)
            .finish();
        let shown = server.get(&format!("/u/reset-password?{query}")).await?;
        ensure!(
            shown.status == StatusCode::BAD_REQUEST,
            "{name}: GET {}",
            shown.status
        );
        let posted = server.submit(ticket, NEW_PASSWORD, NEW_PASSWORD).await?;
        ensure!(
            posted.status == StatusCode::BAD_REQUEST,
            "{name}: POST {}",
            posted.status
        );
    }
    let missing = server.get("/u/reset-password").await?;
    ensure!(missing.status == StatusCode::BAD_REQUEST, "no ticket");
    ensure!(
        server.password_works(PASSWORD).await?,
        "a refused ticket changed the password"
    );
    Ok(())
}

/// Issue 8, item 3: as with Auth0, choosing a new password lifts the user's brute-force blocks.
#[tokio::test]
async fn a_password_reset_lifts_brute_force_blocks() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    for _ in 0..10 {
        ensure!(
            !server.password_works("not the password").await?,
            "a wrong password worked"
        );
    }
    let login = [
        ("grant_type", "password"),
        ("client_id", "web-client"),
        ("client_secret", "web-secret"),
        ("username", EMAIL),
        ("password", PASSWORD),
    ];
    let blocked = server.post_form("/oauth/token", &login).await?;
    ensure!(
        blocked.status == StatusCode::TOO_MANY_REQUESTS,
        "ten failures did not block: {} {}",
        blocked.status,
        blocked.body
    );
    // The block itself was mailed first (brute-force protection's user notification).
    let notice = server.next_mail().await?;
    ensure!(
        notice
            .data
            .contains("Subject: Your account has been blocked"),
        "{}",
        notice.data
    );
    let ticket = ticket_of(&server.reset_link().await?)?;
    let done = server.submit(&ticket, NEW_PASSWORD, NEW_PASSWORD).await?;
    ensure!(
        done.status == StatusCode::OK,
        "{} {}",
        done.status,
        done.body
    );
    ensure!(
        server.password_works(NEW_PASSWORD).await?,
        "the new password is still blocked"
    );
    Ok(())
}

#[tokio::test]
async fn a_reset_for_a_user_only_in_the_legacy_tenant_imports_them_first() -> anyhow::Result<()> {
    const LEGACY_EMAIL: &str = "legacy@example.com";
    let mut legacy = support::legacy::LegacyTenant::start().await?;
    let original = legacy
        .user("reset", LEGACY_EMAIL, "legacy horse battery staple")
        .await?;
    let mut server = Server::start_migrating(Some(legacy.settings())).await?;

    let asked = server.change_password(LEGACY_EMAIL).await?;
    ensure!(asked.status == StatusCode::OK, "{}", asked.body);
    let message = server.next_mail().await?;
    ensure!(
        message.recipients == [LEGACY_EMAIL],
        "{:?}",
        message.recipients
    );
    let imported = server
        .adapters
        .users
        .get(&server.tenant, &original.user_id)
        .await?
        .context("imported before the email was sent")?;
    ensure!(imported.created_at == original.created_at);

    // The new password is local: it works with the legacy tenant gone.
    legacy.stop().await?;
    let ticket = ticket_of(&reset_link(&message)?)?;
    let set = server.submit(&ticket, NEW_PASSWORD, NEW_PASSWORD).await?;
    ensure!(set.status == StatusCode::OK, "{} {}", set.status, set.body);
    let login = server
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", "web-client"),
                ("client_secret", "web-secret"),
                ("username", LEGACY_EMAIL),
                ("password", NEW_PASSWORD),
            ],
        )
        .await?;
    ensure!(
        login.status == StatusCode::OK,
        "{} {}",
        login.status,
        login.body
    );
    Ok(())
}

/// With the connection's `password_history`, the reset page refuses the current password and
/// keeps the ticket usable; a new one is taken, and then the one before is remembered too.
#[tokio::test]
async fn the_reset_page_refuses_a_remembered_password() -> anyhow::Result<()> {
    const THIRD: &str = "Yet Another passphrase 3";
    let mut server = Server::start().await?;
    support::edit_default_connection(&server.adapters, &server.tenant, |connection| {
        connection.options.insert(
            "password_history".into(),
            serde_json::json!({"enable": true, "size": 3}),
        );
    })
    .await?;
    let ticket = ticket_of(&server.reset_link().await?)?;
    let changed = server.submit(&ticket, NEW_PASSWORD, NEW_PASSWORD).await?;
    ensure!(changed.status == StatusCode::OK, "{}", changed.body);

    let ticket = ticket_of(&server.reset_link().await?)?;
    let refused = server.submit(&ticket, NEW_PASSWORD, NEW_PASSWORD).await?;
    ensure!(
        refused.status == StatusCode::BAD_REQUEST
            && refused.body.contains("You have used this password before."),
        "{} {}",
        refused.status,
        refused.body
    );
    // The refusal left the ticket usable.
    let changed = server.submit(&ticket, THIRD, THIRD).await?;
    ensure!(changed.status == StatusCode::OK, "{}", changed.body);
    ensure!(server.password_works(THIRD).await?);

    let ticket = ticket_of(&server.reset_link().await?)?;
    let old = server.submit(&ticket, NEW_PASSWORD, NEW_PASSWORD).await?;
    ensure!(old.status == StatusCode::BAD_REQUEST, "{}", old.body);
    let stored = server
        .adapters
        .passwords
        .get(&server.tenant, &server.user_id)
        .await?
        .context("no password")?;
    ensure!(stored.history.len() == 2, "{:?}", stored.history);
    Ok(())
}

/// `POST /api/v2/jobs/verification-email` mails the user a link over real SMTP; opening it
/// verifies their email, the job completes, and the link works once.
#[tokio::test]
async fn a_verification_email_job_sends_a_link_that_verifies() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let mut user = server
        .adapters
        .users
        .get(&server.tenant, &server.user_id)
        .await?
        .context("no user")?;
    user.email_verified = false;
    server.adapters.users.update(&server.tenant, user).await?;
    let token = server.management_token().await?;
    let job = server
        .management_post(
            &token,
            "/api/v2/jobs/verification-email",
            serde_json::json!({"user_id": server.user_id, "client_id": "web-client"}),
        )
        .await?;
    ensure!(job.status == StatusCode::CREATED, "{}", job.body);
    let job: serde_json::Value = serde_json::from_str(&job.body)?;
    ensure!(
        job["type"] == "verification_email" && job["status"] == "pending",
        "{job}"
    );

    let mail = server.next_mail().await?;
    ensure!(
        mail.recipients.iter().any(|to| to.contains(EMAIL)),
        "{:?}",
        mail.recipients
    );
    let link = verification_link(&mail)?;
    let page = server.get(&link).await?;
    ensure!(
        page.status == StatusCode::OK,
        "{} {}",
        page.status,
        page.body
    );
    let verified = server
        .adapters
        .users
        .get(&server.tenant, &server.user_id)
        .await?
        .context("no user")?;
    ensure!(verified.email_verified, "the email was not verified");
    let again = server.get(&link).await?;
    ensure!(again.status == StatusCode::BAD_REQUEST, "{}", again.body);

    let id = job["id"].as_str().context("job id")?;
    for _ in 0..100 {
        let reply = server
            .management_get(&token, &format!("/api/v2/jobs/{id}"))
            .await?;
        let stored: serde_json::Value = serde_json::from_str(&reply.body)?;
        if stored["status"] == "completed" {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("the job did not complete")
}

impl Server {
    /// A Management API token of the bootstrapped admin client.
    async fn management_token(&self) -> anyhow::Result<String> {
        // Auth0 names its Management API by https, whatever the issuer's scheme.
        let audience = ISSUER.replacen("http://", "https://", 1) + "api/v2/";
        let reply = self
            .post_form(
                "/oauth/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", "admin"),
                    ("client_secret", "admin-secret"),
                    ("audience", &audience),
                ],
            )
            .await?;
        ensure!(reply.status == StatusCode::OK, "{}", reply.body);
        let tokens: serde_json::Value = serde_json::from_str(&reply.body)?;
        tokens["access_token"]
            .as_str()
            .map(str::to_owned)
            .context("no access_token")
    }

    async fn management_post(
        &self,
        token: &str,
        uri: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<Reply> {
        let request = Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))?;
        support::send(&self.router, request).await
    }

    async fn management_get(&self, token: &str, uri: &str) -> anyhow::Result<Reply> {
        let request = Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())?;
        support::send(&self.router, request).await
    }
}

/// Issue 11: a signup mails the new user a verification link, as Auth0 does while the
/// tenant's `verify_email` template is enabled; a disabled template sends nothing.
#[tokio::test]
async fn a_signup_mails_a_verification_link_unless_the_template_is_off() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let created = server.sign_up("new@example.com").await?;
    ensure!(created.status == StatusCode::OK, "{}", created.body);
    let mail = server.next_mail().await?;
    ensure!(
        mail.recipients
            .iter()
            .any(|to| to.contains("new@example.com")),
        "{:?}",
        mail.recipients
    );
    let page = server.get(&verification_link(&mail)?).await?;
    ensure!(page.status == StatusCode::OK, "{}", page.body);
    let params = ListParams::default().with_query(Query::equals("email", "new@example.com")?);
    let users = server.adapters.users.list(&server.tenant, &params).await?;
    ensure!(
        users.items.first().is_some_and(|user| user.email_verified),
        "{:?}",
        users.items
    );

    let template = EmailTemplate {
        template: "verify_email".into(),
        body: "<p>{{ url }}</p>".into(),
        from: "auth@example.com".into(),
        subject: "Verify".into(),
        syntax: "liquid".into(),
        result_url: None,
        url_lifetime_in_seconds: None,
        include_email_in_redirect: None,
        enabled: false,
    };
    server
        .adapters
        .email_templates
        .create(&server.tenant, template)
        .await?;
    let quiet = server.sign_up("quiet@example.com").await?;
    ensure!(quiet.status == StatusCode::OK, "{}", quiet.body);
    server.no_more_mail().await
}

const OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";

/// The six-digit code in a received message.
fn code_in(message: &Received) -> anyhow::Result<String> {
    let text = decode_quoted_printable(&message.data);
    let code = text
        .split(|character: char| !character.is_ascii_digit())
        .find(|word| word.len() == 6)
        .with_context(|| format!("no code in:\n{text}"))?;
    Ok(code.to_owned())
}

/// Issue 11: `/passwordless/start` mails a code, the passwordless OTP grant takes it once and
/// logs in the address's user (created, verified, on first use); every refusal writes nothing.
#[tokio::test]
async fn a_passwordless_code_logs_in_once() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    let now = Timestamp::now();
    let connection = Connection {
        id: "con_email".into(),
        name: "email".into(),
        display_name: None,
        strategy: "email".into(),
        options: Default::default(),
        enabled_clients: vec!["web-client".into()],
        realms: vec!["email".into()],
        is_domain_connection: false,
        metadata: Default::default(),
        created_at: now,
        updated_at: now,
    };
    server
        .adapters
        .connections
        .create(&server.tenant, connection)
        .await?;
    let mut web = server
        .adapters
        .clients
        .get(&server.tenant, "web-client")
        .await?
        .context("no client")?;
    web.grant_types.push(OTP_GRANT.into());
    server.adapters.clients.update(&server.tenant, web).await?;
    let start = |email: &'static str, send: &'static str| {
        [
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("connection", "email"),
            ("email", email),
            ("send", send),
        ]
    };

    let started = server
        .post_form(
            "/passwordless/start",
            &start(" New.User@Example.com", "code"),
        )
        .await?;
    ensure!(started.status == StatusCode::OK, "{}", started.body);
    let answer: serde_json::Value = serde_json::from_str(&started.body)?;
    ensure!(answer["email"] == "new.user@example.com", "{answer}");
    let code = code_in(&server.next_mail().await?)?;

    for (fields, what) in [
        (start("x@example.com", "link"), "a link"),
        (start("not-an-email", "code"), "a bad address"),
    ] {
        let refused = server.post_form("/passwordless/start", &fields).await?;
        ensure!(
            refused.status == StatusCode::BAD_REQUEST,
            "{what}: {}",
            refused.body
        );
    }
    let mut other = start("x@example.com", "code");
    other[2].1 = CONNECTION;
    let refused = server.post_form("/passwordless/start", &other).await?;
    ensure!(
        refused.status == StatusCode::BAD_REQUEST,
        "a database connection: {}",
        refused.body
    );
    server.no_more_mail().await?;

    let exchange = |otp: String| {
        let server = &server;
        async move {
            server
                .post_form(
                    "/oauth/token",
                    &[
                        ("grant_type", OTP_GRANT),
                        ("client_id", "web-client"),
                        ("client_secret", "web-secret"),
                        ("realm", "email"),
                        ("username", "new.user@example.com"),
                        ("otp", &otp),
                        ("scope", "openid email"),
                    ],
                )
                .await
        }
    };
    let wrong = exchange(if code == "000000" {
        "111111".into()
    } else {
        "000000".into()
    })
    .await?;
    ensure!(
        wrong.status == StatusCode::FORBIDDEN && wrong.body.contains("invalid_grant"),
        "{} {}",
        wrong.status,
        wrong.body
    );
    let params = ListParams::default().with_query(Query::equals("email", "new.user@example.com")?);
    ensure!(
        server
            .adapters
            .users
            .list(&server.tenant, &params)
            .await?
            .items
            .is_empty(),
        "a wrong code created the user"
    );
    let tokens = exchange(code.clone()).await?;
    ensure!(tokens.status == StatusCode::OK, "{}", tokens.body);
    let tokens: serde_json::Value = serde_json::from_str(&tokens.body)?;
    let id_token = tokens["id_token"].as_str().context("no id_token")?;
    let claims = support::claims(id_token)?;
    ensure!(
        claims["email"] == "new.user@example.com"
            && claims["sub"]
                .as_str()
                .is_some_and(|sub| sub.starts_with("email|")),
        "{claims}"
    );
    let users = server
        .adapters
        .users
        .list(&server.tenant, &params)
        .await?
        .items;
    ensure!(users.len() == 1 && users[0].email_verified, "{users:?}");
    let again = exchange(code).await?;
    ensure!(
        again.status == StatusCode::FORBIDDEN,
        "a code worked twice: {}",
        again.body
    );
    Ok(())
}

/// Issue 11: the failure that blocks a user (brute-force protection's tenth) mails them a link
/// that lifts the block once; a blocked identifier without a user gets no mail.
#[tokio::test]
async fn a_blocked_user_is_mailed_a_link_that_unblocks_once() -> anyhow::Result<()> {
    let mut server = Server::start().await?;
    for _ in 0..10 {
        ensure!(
            !server.password_works("not the password").await?,
            "a wrong password worked"
        );
    }
    let blocked = server
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("client_id", "web-client"),
                ("client_secret", "web-secret"),
                ("username", EMAIL),
                ("password", PASSWORD),
            ],
        )
        .await?;
    ensure!(
        blocked.status == StatusCode::TOO_MANY_REQUESTS,
        "{}",
        blocked.body
    );
    let mail = server.next_mail().await?;
    ensure!(
        mail.recipients.iter().any(|to| to.contains(EMAIL)),
        "{:?}",
        mail.recipients
    );
    let text = decode_quoted_printable(&mail.data);
    let prefix = format!("{ISSUER}u/unblock?ticket=");
    let start = text
        .find(&prefix)
        .with_context(|| format!("no unblock link in:\n{text}"))?;
    let link: String = text[start + ISSUER.len() - 1..]
        .chars()
        .take_while(|character| !character.is_whitespace() && !"<\"".contains(*character))
        .collect();
    let page = server.get(&link).await?;
    ensure!(
        page.status == StatusCode::OK && page.body.contains("Your account is unblocked."),
        "{} {}",
        page.status,
        page.body
    );
    ensure!(server.password_works(PASSWORD).await?, "still blocked");
    let again = server.get(&link).await?;
    ensure!(
        again.status == StatusCode::BAD_REQUEST,
        "the link worked twice: {}",
        again.body
    );

    for _ in 0..10 {
        let reply = server
            .post_form(
                "/oauth/token",
                &[
                    ("grant_type", "password"),
                    ("client_id", "web-client"),
                    ("client_secret", "web-secret"),
                    ("username", "nobody@example.com"),
                    ("password", "not the password"),
                ],
            )
            .await?;
        ensure!(reply.status == StatusCode::FORBIDDEN, "{}", reply.body);
    }
    server.no_more_mail().await
}

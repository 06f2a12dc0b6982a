//! Settings from flags, environment variables and an optional TOML file, in that order of
//! precedence, over the defaults.

use std::path::PathBuf;

use anyhow::Context;
use authhero_auth0::Auth0Settings;
use authhero_core::entities::PasswordAlgorithm;
use clap::{Parser, Subcommand};
use serde::Deserialize;

/// Auth0 keeps 30 days of logs on its paid plans.
const DEFAULT_LOG_RETENTION_DAYS: u32 = 30;

#[derive(Debug, Parser)]
#[command(
    name = "authhero-server",
    version,
    about = "An Auth0-compatible identity server"
)]
pub struct Cli {
    /// Address to listen on [default: 127.0.0.1:3000]
    #[arg(long, env = "AUTHHERO_LISTEN")]
    listen: Option<String>,
    /// Issuer URL printed in tokens and discovery [default: http://localhost:3000/]
    #[arg(long, env = "AUTHHERO_ISSUER")]
    issuer: Option<String>,
    /// Database: a SQLite file path, sqlite://..., postgres://... or mysql://... [default: authhero.db]
    #[arg(long, env = "AUTHHERO_DATABASE_URL")]
    database_url: Option<String>,
    /// client_id of the bootstrap Management API client (generated when unset)
    #[arg(long, env = "AUTHHERO_ADMIN_CLIENT_ID")]
    admin_client_id: Option<String>,
    /// client_secret of the bootstrap Management API client (generated and printed when unset)
    #[arg(long, env = "AUTHHERO_ADMIN_CLIENT_SECRET", hide_env_values = true)]
    admin_client_secret: Option<String>,
    /// Email of a first user, created on an empty database with AUTHHERO_ADMIN_PASSWORD
    #[arg(long, env = "AUTHHERO_ADMIN_EMAIL")]
    admin_email: Option<String>,
    /// Password of that first user
    #[arg(long, env = "AUTHHERO_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    /// SMTP server for email (password resets): smtp://host:port (plain), add ?tls=required for
    /// STARTTLS, or smtps://user:password@host (TLS) [default: none, no email is sent]
    #[arg(long, env = "AUTHHERO_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender of the email [default: AuthHero <no-reply@localhost>]
    #[arg(long, env = "AUTHHERO_EMAIL_FROM")]
    email_from: Option<String>,
    /// How new passwords are hashed: bcrypt (cost 10, as Auth0) or argon2id (OWASP's minimum);
    /// stored hashes of either kind keep working [default: bcrypt]
    #[arg(long, env = "AUTHHERO_PASSWORD_HASH", value_parser = ["bcrypt", "argon2id"])]
    password_hash: Option<String>,
    /// Key that client secrets are sealed under at rest: 32 bytes, base64url. Every node sharing
    /// a database needs the same one [default: read from --secret-key-file]
    #[arg(long, env = "AUTHHERO_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// File holding that key, created with a new random key when missing [default: authhero.key]
    #[arg(long, env = "AUTHHERO_SECRET_KEY_FILE")]
    secret_key_file: Option<PathBuf>,
    /// A JSON or YAML file of clients, connections, APIs and branding, read-only, served behind
    /// the database's own (the database's entries win) [default: none]
    #[arg(long, env = "AUTHHERO_CONFIG_BUNDLE")]
    config_bundle: Option<PathBuf>,
    /// Domain of a legacy Auth0 tenant whose users are imported on their first login, e.g.
    /// example.eu.auth0.com [default: none, no migration]
    #[arg(long, env = "AUTHHERO_LEGACY_AUTH0_DOMAIN")]
    legacy_auth0_domain: Option<String>,
    /// client_id of a legacy tenant application with the client-credentials grant for its
    /// Management API (read:users) and the password grant
    #[arg(long, env = "AUTHHERO_LEGACY_AUTH0_CLIENT_ID")]
    legacy_auth0_client_id: Option<String>,
    /// Its client_secret
    #[arg(
        long,
        env = "AUTHHERO_LEGACY_AUTH0_CLIENT_SECRET",
        hide_env_values = true
    )]
    legacy_auth0_client_secret: Option<String>,
    /// The legacy database connection; the local connection of that name imports its users
    /// [default: Username-Password-Authentication]
    #[arg(long, env = "AUTHHERO_LEGACY_AUTH0_CONNECTION")]
    legacy_auth0_connection: Option<String>,
    /// Address of the legacy tenant, overriding https://<domain> (a proxy, or a test server)
    #[arg(long, env = "AUTHHERO_LEGACY_AUTH0_BASE_URL")]
    legacy_auth0_base_url: Option<String>,
    /// Milliseconds one call to the legacy tenant may take before users are told to try again
    /// later [default: 2000]
    #[arg(long, env = "AUTHHERO_LEGACY_AUTH0_TIMEOUT_MS")]
    legacy_auth0_timeout_ms: Option<u64>,
    /// Days the tenant log keeps an event; older ones are removed every hour. 0 keeps them all
    /// [default: 30, as Auth0's paid plans]
    #[arg(long, env = "AUTHHERO_LOG_RETENTION_DAYS")]
    log_retention_days: Option<u32>,
    /// A TOML file with any of the settings above (snake_case keys)
    #[arg(long, env = "AUTHHERO_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve (the default)
    Serve,
    /// Create or upgrade the database schema, then exit
    Migrate,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    issuer: Option<String>,
    database_url: Option<String>,
    admin_client_id: Option<String>,
    admin_client_secret: Option<String>,
    admin_email: Option<String>,
    admin_password: Option<String>,
    smtp_url: Option<String>,
    email_from: Option<String>,
    password_hash: Option<String>,
    secret_key: Option<String>,
    secret_key_file: Option<PathBuf>,
    config_bundle: Option<PathBuf>,
    legacy_auth0_domain: Option<String>,
    legacy_auth0_client_id: Option<String>,
    legacy_auth0_client_secret: Option<String>,
    legacy_auth0_connection: Option<String>,
    legacy_auth0_base_url: Option<String>,
    legacy_auth0_timeout_ms: Option<u64>,
    log_retention_days: Option<u32>,
}

/// The resolved settings.
#[derive(Debug)]
pub struct Settings {
    pub listen: String,
    pub issuer: String,
    pub database_url: String,
    pub admin_client_id: Option<String>,
    pub admin_client_secret: Option<String>,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub smtp_url: Option<String>,
    pub email_from: String,
    pub password_hash: PasswordAlgorithm,
    pub secret_key: Option<String>,
    pub secret_key_file: PathBuf,
    pub config_bundle: Option<PathBuf>,
    /// Set when a legacy tenant's domain is.
    pub legacy_auth0: Option<Auth0Settings>,
    /// 0 keeps every log event.
    pub log_retention_days: u32,
}

impl Settings {
    pub fn resolve(cli: &Cli) -> anyhow::Result<Settings> {
        let file = match &cli.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
            }
            None => FileSettings::default(),
        };
        let pick = |flag: &Option<String>, file: Option<String>| flag.clone().or(file);
        let secret_key_file = cli
            .secret_key_file
            .clone()
            .or(file.secret_key_file)
            .unwrap_or_else(|| PathBuf::from("authhero.key"));
        Ok(Settings {
            listen: pick(&cli.listen, file.listen).unwrap_or_else(|| "127.0.0.1:3000".into()),
            issuer: pick(&cli.issuer, file.issuer)
                .unwrap_or_else(|| "http://localhost:3000/".into()),
            database_url: pick(&cli.database_url, file.database_url)
                .unwrap_or_else(|| "authhero.db".into()),
            admin_client_id: pick(&cli.admin_client_id, file.admin_client_id),
            admin_client_secret: pick(&cli.admin_client_secret, file.admin_client_secret),
            admin_email: pick(&cli.admin_email, file.admin_email),
            admin_password: pick(&cli.admin_password, file.admin_password),
            smtp_url: pick(&cli.smtp_url, file.smtp_url),
            email_from: pick(&cli.email_from, file.email_from)
                .unwrap_or_else(|| "AuthHero <no-reply@localhost>".into()),
            password_hash: match pick(&cli.password_hash, file.password_hash).as_deref() {
                None | Some("bcrypt") => PasswordAlgorithm::Bcrypt,
                Some("argon2id") => PasswordAlgorithm::Argon2id,
                Some(other) => {
                    anyhow::bail!("password_hash must be bcrypt or argon2id, not {other:?}")
                }
            },
            secret_key: pick(&cli.secret_key, file.secret_key),
            secret_key_file,
            config_bundle: cli.config_bundle.clone().or(file.config_bundle),
            log_retention_days: cli
                .log_retention_days
                .or(file.log_retention_days)
                .unwrap_or(DEFAULT_LOG_RETENTION_DAYS),
            legacy_auth0: match pick(&cli.legacy_auth0_domain, file.legacy_auth0_domain) {
                None => None,
                Some(domain) => {
                    let required = |name: &str, value: Option<String>| {
                        value.with_context(|| format!("a legacy Auth0 domain needs {name} too"))
                    };
                    let client_id = required(
                        "AUTHHERO_LEGACY_AUTH0_CLIENT_ID",
                        pick(&cli.legacy_auth0_client_id, file.legacy_auth0_client_id),
                    )?;
                    let client_secret = required(
                        "AUTHHERO_LEGACY_AUTH0_CLIENT_SECRET",
                        pick(
                            &cli.legacy_auth0_client_secret,
                            file.legacy_auth0_client_secret,
                        ),
                    )?;
                    let mut legacy = Auth0Settings::new(&domain, &client_id, &client_secret);
                    if let Some(connection) =
                        pick(&cli.legacy_auth0_connection, file.legacy_auth0_connection)
                    {
                        legacy.connection = connection;
                    }
                    legacy.base_url = pick(&cli.legacy_auth0_base_url, file.legacy_auth0_base_url);
                    if let Some(millis) =
                        cli.legacy_auth0_timeout_ms.or(file.legacy_auth0_timeout_ms)
                    {
                        legacy.timeout = std::time::Duration::from_millis(millis);
                    }
                    Some(legacy)
                }
            },
        })
    }
}

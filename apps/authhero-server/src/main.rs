//! `authhero-server`: runs AuthHero on one database, bootstrapping an empty one.

mod config;
mod domain_probe;
mod layers;
mod secret_key;
mod smtp;

use std::sync::Arc;

use anyhow::Context;
use authhero::bootstrap::{BootstrapOptions, Bootstrapped, bootstrap};
use authhero_sea_orm::Database;
use clap::Parser;

use crate::config::{Cli, Command, Settings};
use crate::domain_probe::HttpProbe;
use crate::smtp::{SmtpSender, TenantSmtp};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let settings = Settings::resolve(&cli)?;
    let email_sender = settings
        .smtp_url
        .as_deref()
        .map(|url| SmtpSender::new(url, &settings.email_from))
        .transpose()?;
    let database = Database::connect(&settings.database_url)
        .await
        .with_context(|| format!("opening {}", settings.database_url))?;
    database.migrate().await?;
    if matches!(cli.command, Some(Command::Migrate)) {
        tracing::info!("schema is up to date");
        return Ok(());
    }
    let key = secret_key::load(settings.secret_key.as_deref(), &settings.secret_key_file)?;
    let adapters = layers::stack(&settings, &database, key).await?;
    let options = BootstrapOptions {
        admin_client_id: settings.admin_client_id.clone(),
        admin_client_secret: settings.admin_client_secret.clone(),
        admin_email: settings.admin_email.clone(),
        admin_password: settings.admin_password.clone(),
    };
    if let Some(seeded) = bootstrap(&adapters, &settings.issuer, options).await? {
        print_how_to_log_in(&settings, &seeded);
    }
    if let Some(legacy) = &settings.legacy_auth0 {
        layers::import_into_connection(&adapters, legacy).await?;
    }
    if settings.log_retention_days > 0 {
        tokio::spawn(prune_logs_hourly(
            adapters.clone(),
            settings.log_retention_days,
        ));
    }
    let mut authhero = authhero::AuthHero::new(adapters)
        .issuer(&settings.issuer)?
        .password_hashing(settings.password_hash)
        .domain_probe(Arc::new(HttpProbe::new()?))
        .smtp_connector(Arc::new(TenantSmtp::new(&settings.email_from)?));
    match email_sender {
        Some(sender) => {
            tracing::info!(from = %settings.email_from, "email is sent over SMTP");
            authhero = authhero.email_sender(Arc::new(sender));
        }
        None => tracing::warn!(
            "no --smtp-url / AUTHHERO_SMTP_URL: only tenants with their own SMTP provider send email"
        ),
    }
    let router = authhero.router();
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    tracing::info!(listen = %settings.listen, issuer = %settings.issuer, "AuthHero is serving");
    println!(
        "AuthHero listening on http://{} (issuer {})",
        listener.local_addr()?,
        settings.issuer
    );
    // The serve loop gives each request its peer address (brute-force protection counts per
    // IP) and drops clients that take too long to send their request head.
    authhero::serve(
        listener,
        router,
        authhero::HEADER_READ_TIMEOUT,
        shutdown_signal(),
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
}

/// After a first start: the admin credentials, and the three steps to a first login.
fn print_how_to_log_in(settings: &Settings, seeded: &Bootstrapped) {
    let issuer = &settings.issuer;
    let secret = match &seeded.generated_secret {
        Some(secret) => {
            println!(
                "Management API client_secret: {secret}   (shown once; set AUTHHERO_ADMIN_CLIENT_SECRET to choose it)"
            );
            secret.clone()
        }
        None => "$AUTHHERO_ADMIN_CLIENT_SECRET".to_owned(),
    };
    println!(
        "Bootstrapped tenant {:?}; Management API client_id: {}",
        seeded.tenant_id, seeded.admin_client_id
    );
    println!("To log in a user:");
    println!(
        "  1. TOKEN=$(curl -s {issuer}oauth/token -d grant_type=client_credentials -d client_id={} -d client_secret={secret} -d audience={} | jq -r .access_token)",
        seeded.admin_client_id,
        authhero::management_audience(issuer)
    );
    println!(
        "  2. curl -s {issuer}api/v2/clients -H \"authorization: Bearer $TOKEN\" -H content-type:application/json \\\n       -d '{{\"name\":\"My App\",\"callbacks\":[\"http://localhost:8080/callback\"]}}'   (note its client_id and client_secret)"
    );
    println!(
        "  3. open {issuer}authorize?client_id=<client_id>&response_type=code&scope=openid%20profile%20email&redirect_uri=http://localhost:8080/callback"
    );
    if settings.admin_email.is_none() {
        println!(
            "     and sign in as a user you create with POST {issuer}api/v2/users (or set AUTHHERO_ADMIN_EMAIL and AUTHHERO_ADMIN_PASSWORD on a fresh database)."
        );
    }
}

/// Resolves on SIGTERM or Ctrl-C, so in-flight requests finish before the process exits.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// Removes log events older than the retention, at start and every hour after; a failure is
/// logged and tried again at the next hour.
async fn prune_logs_hourly(adapters: authhero_core::DataAdapters, days: u32) {
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let before = authhero_core::Timestamp::now().plus_seconds(-i64::from(days) * 86_400);
        match authhero::prune_logs(&adapters, before).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, days, "log events past their retention removed"),
            Err(error) => {
                tracing::warn!(%error, "log events past their retention were not removed")
            }
        }
    }
}

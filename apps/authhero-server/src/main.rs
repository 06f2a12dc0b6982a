//! `authhero-server`: runs AuthHero on one database, bootstrapping an empty one.

mod config;
mod smtp;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use authhero::bootstrap::{BootstrapOptions, bootstrap};
use authhero_cache::CacheLayer;
use authhero_core::Layer;
use authhero_sea_orm::Database;
use clap::Parser;

use crate::config::{Cli, Command, Settings};
use crate::smtp::SmtpSender;

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
    // Clients and APIs are read on every token request; keep them in memory briefly. Short,
    // because other nodes sharing the database only see each other's changes after it.
    let adapters = CacheLayer::new(Duration::from_secs(10)).layer(database.adapters());
    let options = BootstrapOptions {
        admin_client_id: settings.admin_client_id.clone(),
        admin_client_secret: settings.admin_client_secret.clone(),
        admin_email: settings.admin_email.clone(),
        admin_password: settings.admin_password.clone(),
    };
    if let Some(seeded) = bootstrap(&adapters, &settings.issuer, options).await? {
        println!("Bootstrapped tenant {:?}.", seeded.tenant_id);
        println!("Management API client_id:     {}", seeded.admin_client_id);
        if let Some(secret) = &seeded.generated_secret {
            println!(
                "Management API client_secret: {secret}   (shown once; set AUTHHERO_ADMIN_CLIENT_SECRET to choose it)"
            );
        }
        println!(
            "Get a token: POST {}oauth/token with grant_type=client_credentials and audience={}",
            settings.issuer,
            authhero::management_audience(&settings.issuer)
        );
    }
    let mut authhero = authhero::AuthHero::new(adapters).issuer(&settings.issuer)?;
    match email_sender {
        Some(sender) => {
            tracing::info!(from = %settings.email_from, "email is sent over SMTP");
            authhero = authhero.email_sender(Arc::new(sender));
        }
        None => tracing::warn!(
            "email is disabled (no --smtp-url / AUTHHERO_SMTP_URL): password resets send nothing"
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
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
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

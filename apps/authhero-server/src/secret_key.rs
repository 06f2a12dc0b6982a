//! The key client secrets are sealed under: from the settings, else from the key file, which a
//! first start creates (owner-only) with a new random key.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use authhero_encryption::SecretKey;

/// The configured key, or the key file's, making the file when there is none.
pub fn load(configured: Option<&str>, file: &Path) -> anyhow::Result<SecretKey> {
    if let Some(encoded) = configured {
        return SecretKey::parse(encoded).context("AUTHHERO_SECRET_KEY");
    }
    match std::fs::read_to_string(file) {
        Ok(encoded) => {
            SecretKey::parse(&encoded).with_context(|| format!("reading {}", file.display()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let encoded = SecretKey::generate()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut created = match options.open(file) {
                Ok(created) => created,
                // Another process sharing the directory made it first: use theirs.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let encoded = std::fs::read_to_string(file)?;
                    return SecretKey::parse(&encoded)
                        .with_context(|| format!("reading {}", file.display()));
                }
                Err(error) => {
                    return Err(error).with_context(|| format!("creating {}", file.display()));
                }
            };
            writeln!(created, "{encoded}")?;
            tracing::warn!(
                file = %file.display(),
                "made a new key for client secrets; keep this file with the database, and give \
                 every node the same key (AUTHHERO_SECRET_KEY)"
            );
            SecretKey::parse(&encoded).context("the new key")
        }
        Err(error) => Err(error).with_context(|| format!("reading {}", file.display())),
    }
}

/// Refuses to serve under a key that does not open what the database holds (a key file lost, or
/// a node started with another key): every token and client look-up would fail otherwise.
pub async fn check_opens(adapters: &authhero_core::DataAdapters) -> anyhow::Result<()> {
    let refused = || {
        "the secret key does not open the secrets this database holds: start with the key they \
         were sealed under (AUTHHERO_SECRET_KEY or the key file)"
    };
    adapters.signing_keys.list().await.context(refused())?;
    let first_page = authhero_core::ListParams::page(0, 10)?;
    for tenant in adapters.tenants.list(&first_page).await?.items {
        adapters
            .clients
            .list(&tenant.id, &first_page)
            .await
            .context(refused())?;
    }
    Ok(())
}

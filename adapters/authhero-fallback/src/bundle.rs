//! A configuration bundle: a tenant's clients, connections, APIs and branding kept in a JSON or
//! YAML file (in the Management API's shapes, as `auth0-deploy-cli` writes them), to be loaded
//! into an in-memory adapter that a [`crate::FallbackLayer`] reads behind the database.

use std::path::Path;

use authhero_core::entities::{Branding, Client, Connection, ResourceServer, Tenant};
use authhero_core::{DataAdapters, Timestamp};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a bundle could not be read or loaded.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read the bundle {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the bundle is not valid {format}: {message}")]
    Parse {
        format: &'static str,
        message: String,
    },
    #[error("cannot load the bundle: {0}")]
    Store(#[from] authhero_core::Error),
}

/// The file's layout: every section optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct Sections {
    clients: Vec<Map<String, Value>>,
    connections: Vec<Map<String, Value>>,
    #[serde(alias = "resource_servers")]
    resource_servers: Vec<Map<String, Value>>,
    branding: Option<Branding>,
}

/// A parsed bundle, ready to load.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub clients: Vec<Client>,
    pub connections: Vec<Connection>,
    pub resource_servers: Vec<ResourceServer>,
    pub branding: Option<Branding>,
}

impl Bundle {
    /// Reads a `.json`, `.yaml` or `.yml` file. Entries without `created_at` / `updated_at`
    /// get `now`.
    pub fn read(path: &Path, now: Timestamp) -> Result<Self, BundleError> {
        let text = std::fs::read_to_string(path).map_err(|source| BundleError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let is_json = path
            .extension()
            .is_some_and(|extension| extension == "json");
        if is_json {
            Self::from_json(&text, now)
        } else {
            Self::from_yaml(&text, now)
        }
    }

    pub fn from_json(text: &str, now: Timestamp) -> Result<Self, BundleError> {
        let sections = serde_json::from_str(text).map_err(|error| BundleError::Parse {
            format: "JSON",
            message: error.to_string(),
        })?;
        Self::from_sections(sections, now, "JSON")
    }

    pub fn from_yaml(text: &str, now: Timestamp) -> Result<Self, BundleError> {
        let sections = serde_yaml_ng::from_str(text).map_err(|error| BundleError::Parse {
            format: "YAML",
            message: error.to_string(),
        })?;
        Self::from_sections(sections, now, "YAML")
    }

    fn from_sections(
        sections: Sections,
        now: Timestamp,
        format: &'static str,
    ) -> Result<Self, BundleError> {
        Ok(Self {
            clients: entries(sections.clients, now, format)?,
            connections: entries(sections.connections, now, format)?,
            resource_servers: entries(sections.resource_servers, now, format)?,
            branding: sections.branding,
        })
    }

    /// Writes the bundle into `adapters` as tenant `tenant_id`'s, creating the tenant there if
    /// it is missing.
    pub async fn write_into(
        &self,
        adapters: &DataAdapters,
        tenant_id: &str,
        now: Timestamp,
    ) -> Result<(), BundleError> {
        if adapters.tenants.get(tenant_id).await?.is_none() {
            adapters.tenants.create(Tenant::new(tenant_id, now)).await?;
        }
        for client in &self.clients {
            adapters.clients.create(tenant_id, client.clone()).await?;
        }
        for connection in &self.connections {
            adapters
                .connections
                .create(tenant_id, connection.clone())
                .await?;
        }
        for api in &self.resource_servers {
            adapters
                .resource_servers
                .create(tenant_id, api.clone())
                .await?;
        }
        if let Some(branding) = &self.branding {
            adapters.branding.set(tenant_id, branding.clone()).await?;
        }
        Ok(())
    }
}

/// Parses each entry as `T`, with the timestamps a hand-written file leaves out.
fn entries<T: DeserializeOwned>(
    raw: Vec<Map<String, Value>>,
    now: Timestamp,
    format: &'static str,
) -> Result<Vec<T>, BundleError> {
    raw.into_iter()
        .map(|mut entry| {
            for field in ["created_at", "updated_at"] {
                entry
                    .entry(field)
                    .or_insert_with(|| Value::String(now.to_iso()));
            }
            serde_json::from_value(Value::Object(entry)).map_err(|error| BundleError::Parse {
                format,
                message: error.to_string(),
            })
        })
        .collect()
}

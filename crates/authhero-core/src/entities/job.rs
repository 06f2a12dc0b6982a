//! Background jobs (`/api/v2/jobs`): bulk user imports with their per-row errors, user exports,
//! and verification emails.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

/// A job, shaped like Auth0's job resource plus the rows it could not process.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Job {
    pub id: String,
    /// `users_import`, `users_export` or `verification_email`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `processing`, `completed` or `failed`.
    pub status: String,
    pub connection_id: Option<String>,
    pub connection: Option<String>,
    #[serde(default)]
    pub upsert: bool,
    pub external_id: Option<String>,
    #[serde(default)]
    pub send_completion_email: bool,
    pub summary: Option<JobSummary>,
    /// Why the job as a whole failed, when it did.
    pub status_details: Option<String>,
    /// The rows that failed, in file order (served by `/jobs/{id}/errors`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<JobRowError>,
    /// An export's file format: `json` (one user per line) or `csv`.
    pub format: Option<String>,
    /// The most users an export holds.
    pub limit: Option<u64>,
    /// The user fields an export holds, each under its `export_as` name; all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ExportField>,
    /// Where a completed export is downloaded, without a token, until `location_expires_at`.
    pub location: Option<String>,
    pub location_expires_at: Option<Timestamp>,
    /// The digest of the secret in `location`; stored, never shown.
    #[schemars(skip)]
    pub download_digest: Option<String>,
    /// When the process running the job last said it was alive; stored, never shown.
    #[schemars(skip)]
    pub heartbeat_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// One field of a user export.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportField {
    /// A user field, or a path into one (`user_metadata.plan`).
    pub name: String,
    /// The column (csv) or key (json) it is written under; `name` when absent.
    pub export_as: Option<String>,
}

/// How many rows were imported, changed and refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct JobSummary {
    pub failed: u64,
    pub updated: u64,
    pub inserted: u64,
    pub total: u64,
}

/// One refused row: the row as given, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct JobRowError {
    pub user: serde_json::Value,
    pub errors: Vec<JobErrorDetail>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct JobErrorDetail {
    pub code: String,
    pub message: String,
    pub path: Option<String>,
}

//! Background jobs (`/api/v2/jobs`): bulk user imports, with their per-row errors.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

/// A job, shaped like Auth0's job resource plus the rows it could not process.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Job {
    pub id: String,
    /// `users_import`.
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
    pub created_at: Timestamp,
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

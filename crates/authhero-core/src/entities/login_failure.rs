//! Brute-force protection's counters: consecutive failed password logins per identifier and IP.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The failed password logins of one identifier (email, username or phone number, lower-cased
/// and trimmed by the caller) from one IP address since its last success or unblock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoginFailure {
    pub identifier: String,
    pub ip: String,
    pub failures: u32,
    pub last_failed_at: Timestamp,
}

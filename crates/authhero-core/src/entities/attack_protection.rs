//! A tenant's attack protection settings, shaped like Auth0's `/api/v2/attack-protection/*`,
//! with Auth0's defaults for a tenant that never changed them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Metadata;

/// All three settings a tenant keeps; each is absent until first changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AttackProtection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brute_force_protection: Option<BruteForceProtection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breached_password_detection: Option<BreachedPasswordDetection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspicious_ip_throttling: Option<SuspiciousIpThrottling>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BruteForceProtection {
    pub enabled: bool,
    pub shields: Vec<String>,
    pub allowlist: Vec<String>,
    pub mode: String,
    pub max_attempts: u32,
}

impl Default for BruteForceProtection {
    fn default() -> Self {
        Self {
            enabled: true,
            shields: vec!["block".into(), "user_notification".into()],
            allowlist: Vec::new(),
            mode: "count_per_identifier_and_ip".into(),
            max_attempts: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BreachedPasswordDetection {
    pub enabled: bool,
    pub shields: Vec<String>,
    pub admin_notification_frequency: Vec<String>,
    pub method: String,
    /// Per stage (`pre-user-registration`, `pre-change-password`): its `shields`.
    pub stage: Metadata,
}

impl Default for BreachedPasswordDetection {
    fn default() -> Self {
        Self {
            enabled: false,
            shields: Vec::new(),
            admin_notification_frequency: Vec::new(),
            method: "standard".into(),
            stage: object(json!({
                "pre-user-registration": {"shields": []},
                "pre-change-password": {"shields": []},
            })),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspiciousIpThrottling {
    pub enabled: bool,
    pub shields: Vec<String>,
    pub allowlist: Vec<String>,
    /// Per stage (`pre-login`, `pre-user-registration`): `max_attempts` and `rate`.
    pub stage: Metadata,
}

impl Default for SuspiciousIpThrottling {
    fn default() -> Self {
        Self {
            enabled: true,
            shields: vec!["admin_notification".into(), "block".into()],
            allowlist: Vec::new(),
            stage: object(json!({
                "pre-login": {"max_attempts": 100, "rate": 864_000},
                "pre-user-registration": {"max_attempts": 50, "rate": 1_200},
            })),
        }
    }
}

fn object(value: Value) -> Metadata {
    match value {
        Value::Object(object) => object,
        _ => Metadata::new(),
    }
}

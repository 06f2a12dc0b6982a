//! Auth0 features this server does not have yet, answered as Auth0 answers a tenant that uses
//! none of them: an empty list, or the settings object of a tenant that never changed them.
//! Tools that read every resource type (the deploy CLI, the dashboard) then work unchanged.
//! Each is listed in docs/management-api.md as "read-only, empty" until it is built.

use authhero_core::{ListPage, ListParams};
use axum::Json;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::Caller;
use super::listing::{ListQuery, page_reply};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, Verb};
use crate::error::ApiError;

/// A list that is always empty, paged as Auth0 pages it.
macro_rules! empty_list {
    ($path:literal, $scope:literal, $collection:literal, $summary:literal) => {
        Endpoint {
            verb: Verb::Get,
            path: $path.into(),
            scope: $scope.into(),
            summary: $summary.into(),
            parameters: &[],
            paged: true,
            body: Body::None,
            reply: Reply::Ok(openapi::any_page),
            route: || {
                axum::routing::get(|caller: Caller, RawQuery(query): RawQuery| async move {
                    empty_page(&caller, $collection, query.as_deref())
                })
            },
        }
    };
}

/// A fixed answer: the default settings object, or an empty array.
macro_rules! fixed {
    ($path:literal, $scope:literal, $summary:literal, $answer:expr) => {
        Endpoint {
            verb: Verb::Get,
            path: $path.into(),
            scope: $scope.into(),
            summary: $summary.into(),
            parameters: &[],
            paged: false,
            body: Body::None,
            reply: Reply::Ok(openapi::any_json),
            route: || axum::routing::get(|_caller: Caller| async move { Json::<Value>($answer) }),
        }
    };
}

fn empty_page(_caller: &Caller, collection: &'static str, raw: Option<&str>) -> Response {
    let answer = ListQuery::parse(raw, &[]).and_then(|query| {
        let params: ListParams = query.params()?;
        let empty: ListPage<Value> = ListPage {
            items: Vec::new(),
            total: Some(0),
            next: None,
        };
        page_reply(collection, &query, &params, empty)
    });
    answer.unwrap_or_else(|error: ApiError| error.into_response())
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        empty_list!(
            "/rules",
            "read:rules",
            "rules",
            "List rules (none: rules are not supported)"
        ),
        fixed!(
            "/rules-configs",
            "read:rules_configs",
            "List rules configs",
            json!([])
        ),
        empty_list!(
            "/hooks",
            "read:hooks",
            "hooks",
            "List hooks (none: legacy hooks are not supported)"
        ),
        empty_list!(
            "/actions/actions",
            "read:actions",
            "actions",
            "List actions (none yet)"
        ),
        fixed!(
            "/actions/triggers",
            "read:actions",
            "List action triggers",
            json!({"triggers": []})
        ),
        empty_list!(
            "/actions/triggers/{trigger_id}/bindings",
            "read:actions",
            "bindings",
            "List a trigger's bindings (none yet)"
        ),
        empty_list!("/forms", "read:forms", "forms", "List forms (none yet)"),
        empty_list!("/flows", "read:flows", "flows", "List flows (none yet)"),
        empty_list!(
            "/flows/vault/connections",
            "read:flows_vault_connections",
            "connections",
            "List flow vault connections (none yet)"
        ),
        fixed!(
            "/guardian/factors",
            "read:guardian_factors",
            "List MFA factors",
            json!([])
        ),
        fixed!(
            "/guardian/policies",
            "read:mfa_policies",
            "Get MFA policies",
            json!([])
        ),
        fixed!(
            "/guardian/factors/phone/selected-provider",
            "read:guardian_factors",
            "Get the phone factor's provider",
            json!({"provider": "auth0"})
        ),
        fixed!(
            "/guardian/factors/phone/message-types",
            "read:guardian_factors",
            "Get the phone factor's message types",
            json!({"message_types": ["sms"]})
        ),
        fixed!(
            "/guardian/factors/sms/templates",
            "read:guardian_factors",
            "Get the SMS factor's templates",
            json!({})
        ),
        fixed!(
            "/guardian/factors/phone/templates",
            "read:guardian_factors",
            "Get the phone factor's templates",
            json!({})
        ),
        fixed!(
            "/guardian/factors/sms/providers/twilio",
            "read:guardian_factors",
            "Get the SMS factor's Twilio settings",
            json!({})
        ),
        fixed!(
            "/guardian/factors/push-notification/providers/sns",
            "read:guardian_factors",
            "Get the push factor's SNS settings",
            json!({})
        ),
        fixed!(
            "/guardian/factors/push-notification/providers/apns",
            "read:guardian_factors",
            "Get the push factor's APNs settings",
            json!({})
        ),
        fixed!(
            "/guardian/factors/push-notification/providers/fcm",
            "read:guardian_factors",
            "Get the push factor's FCM settings",
            json!({})
        ),
        fixed!(
            "/log-streams",
            "read:log_streams",
            "List log streams",
            json!([])
        ),
        empty_list!(
            "/self-service-profiles",
            "read:self_service_profiles",
            "self_service_profiles",
            "List self-service profiles (none yet)"
        ),
        empty_list!(
            "/event-streams",
            "read:event_streams",
            "eventStreams",
            "List event streams (none yet)"
        ),
        empty_list!(
            "/network-acls",
            "read:network_acls",
            "network_acls",
            "List network ACLs (none yet)"
        ),
        fixed!(
            "/risk-assessments/settings",
            "read:attack_protection",
            "Get risk assessment settings",
            json!({"enabled": false})
        ),
        fixed!(
            "/branding/phone/providers",
            "read:phone_providers",
            "List phone providers",
            json!({"providers": []})
        ),
        empty_list!(
            "/user-attribute-profiles",
            "read:user_attribute_profiles",
            "user_attribute_profiles",
            "List user attribute profiles (none yet)"
        ),
        empty_list!(
            "/connection-profiles",
            "read:connection_profiles",
            "connection_profiles",
            "List connection profiles (none yet)"
        ),
        empty_list!(
            "/token-exchange-profiles",
            "read:token_exchange_profiles",
            "token_exchange_profiles",
            "List token exchange profiles (none yet)"
        ),
        fixed!(
            "/prompts/{prompt}/partials",
            "read:prompts",
            "Get a prompt's partials",
            json!({})
        ),
        fixed!(
            "/clients/{id}/credentials",
            "read:client_credentials",
            "List a client's credentials (none: private_key_jwt is not supported yet)",
            json!([])
        ),
    ]
}

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
use super::body::JsonBody;
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
            max_body_bytes: super::registry::MAX_BODY_BYTES,
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
            max_body_bytes: super::registry::MAX_BODY_BYTES,
            body: Body::None,
            reply: Reply::Ok(openapi::any_json),
            route: || axum::routing::get(|_caller: Caller| async move { Json::<Value>($answer) }),
        }
    };
}

/// A settings object this server keeps at its default: a PATCH that changes nothing is
/// answered with it, any other is refused (400), as the feature is not built.
macro_rules! default_only {
    ($path:literal, $read:literal, $update:literal, $summary:literal, $answer:expr) => {
        [
            fixed!($path, $read, $summary, $answer),
            Endpoint {
                verb: Verb::Patch,
                path: $path.into(),
                scope: $update.into(),
                summary: concat!($summary, " (only its defaults)").into(),
                parameters: &[],
                paged: false,
                max_body_bytes: super::registry::MAX_BODY_BYTES,
                body: Body::Json(openapi::any_json),
                reply: Reply::Ok(openapi::any_json),
                route: || {
                    axum::routing::patch(|_caller: Caller, body: JsonBody| async move {
                        keep_default($answer, body)
                    })
                },
            },
        ]
    };
}

/// `default`, when `body` sets nothing but what it already holds.
fn keep_default(default: Value, body: JsonBody) -> Result<Json<Value>, ApiError> {
    let changes = body.into_object()?;
    let unchanged = changes
        .iter()
        .all(|(field, value)| default.get(field) == Some(value));
    if !unchanged {
        return Err(ApiError::bad_request(
            "This server does not support changing this setting yet.",
        )
        .with_code("operation_not_supported"));
    }
    Ok(Json(default))
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
    let settings = [
        default_only!(
            "/risk-assessments/settings",
            "read:attack_protection",
            "update:attack_protection",
            "Risk assessment settings",
            json!({"enabled": false})
        ),
        default_only!(
            "/risk-assessments/settings/new-device",
            "read:attack_protection",
            "update:attack_protection",
            "New device risk assessment",
            json!({"remember_for": 0})
        ),
        default_only!(
            "/supplemental-signals",
            "read:attack_protection",
            "update:attack_protection",
            "Supplemental signals",
            json!({"akamai_enabled": false})
        ),
    ];
    let mut endpoints: Vec<Endpoint> = settings.into_iter().flatten().collect();
    endpoints.push(Endpoint {
        verb: Verb::Put,
        path: "/guardian/policies".into(),
        scope: "update:mfa_policies".into(),
        summary: "Set MFA policies (only none)".into(),
        parameters: &[],
        paged: false,
        max_body_bytes: super::registry::MAX_BODY_BYTES,
        body: Body::Json(openapi::any_json),
        reply: Reply::Ok(openapi::any_json),
        route: || {
            axum::routing::put(|_caller: Caller, body: JsonBody| async move { no_policies(body) })
        },
    });
    endpoints.extend([
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
        // Auth0 answers this list in its envelope whatever the query asks.
        fixed!(
            "/actions/actions",
            "read:actions",
            "List actions (none yet)",
            json!({"actions": [], "total": 0, "page": 0, "per_page": 50})
        ),
        fixed!(
            "/actions/modules",
            "read:actions",
            "List action modules (none yet)",
            json!({"modules": [], "total": 0})
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
            "/branding/phone/templates",
            "read:phone_templates",
            "List phone templates",
            json!({"templates": []})
        ),
        fixed!(
            "/attack-protection/bot-detection",
            "read:attack_protection",
            "Get bot detection settings",
            json!({})
        ),
        fixed!(
            "/attack-protection/captcha",
            "read:attack_protection",
            "Get CAPTCHA settings",
            json!({})
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
    ]);
    endpoints
}

/// `PUT /api/v2/guardian/policies`: only the empty list, as MFA is not built.
fn no_policies(body: JsonBody) -> Result<Json<Value>, ApiError> {
    match body.into_value() {
        Value::Array(policies) if policies.is_empty() => Ok(Json(json!([]))),
        _ => Err(
            ApiError::bad_request("This server does not support MFA policies yet.")
                .with_code("operation_not_supported"),
        ),
    }
}

//! The tenant log of the Management API: each write (POST, PUT, PATCH, DELETE) whose token
//! names a tenant is logged as `sapi` when it succeeds and `fapi` when it is refused, with the
//! operation and the answer's status. As in Auth0, reads are not API operations and leave no
//! event; calls without a valid token name no tenant and are not logged.

use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::auth::Declared;
use crate::flows::logs::{self, EventType};
use crate::state::AppState;

/// Where the caller's authentication leaves the tenant and client a call is logged under.
#[derive(Debug, Clone, Default)]
pub struct CallRecord(Arc<Mutex<Option<Recorded>>>);

#[derive(Debug)]
struct Recorded {
    state: AppState,
    tenant_id: String,
    client_id: String,
}

impl CallRecord {
    /// Notes who is calling, once their token is verified.
    pub fn fill(&self, state: &AppState, tenant_id: &str, client_id: &str) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(Recorded {
                state: state.clone(),
                tenant_id: tenant_id.to_owned(),
                client_id: client_id.to_owned(),
            });
        }
    }

    fn take(&self) -> Option<Recorded> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// Runs the call, then logs it under the caller's tenant.
pub async fn audit(mut request: Request, next: Next) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    let record = CallRecord::default();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let summary = request
        .extensions()
        .get::<Declared>()
        .map(|declared| declared.summary.clone());
    request.extensions_mut().insert(record.clone());
    let response = next.run(request).await;
    if let Some(recorded) = record.take() {
        let status = response.status();
        let kind = if status.is_success() {
            EventType::SuccessApiOperation
        } else {
            EventType::FailedApiOperation
        };
        let state = &recorded.state;
        let mut log = logs::event(kind, state.now());
        log.description = summary;
        log.client_id = Some(recorded.client_id);
        log.details = Some(json!({
            "request": {"method": method, "path": path},
            "response": {"statusCode": status.as_u16()},
        }));
        logs::record(state, &recorded.tenant_id, log);
    }
    response
}

//! `/api/v2/branding/themes`: the login pages' theme (borders, colors, fonts, page background,
//! widget), one per tenant as in Auth0, found by id or as the tenant's `default`.

use async_trait::async_trait;
use authhero_core::entities::Theme;
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, ListParams};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use super::auth::Caller;
use super::fields::{Field, field};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource};
use crate::error::ApiError;
use crate::random;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        resource::create_endpoint::<Theme>(),
        endpoint!(Get "/branding/themes/default", "read:branding", "Get the default theme",
            default_theme, Body::None => Reply::Ok(openapi::one::<Theme>)),
        resource::get_endpoint::<Theme>(),
        resource::update_endpoint::<Theme>(),
        resource::delete_endpoint::<Theme>(),
    ]
}

#[async_trait]
impl Resource for Theme {
    const PATH: &'static str = "/branding/themes";
    const COLLECTION: &'static str = "branding";
    const MISSING_CODE: &'static str = "inexistent_theme";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "themeId";
    const FIELDS: &'static [Field] = &[
        field("displayName"),
        field("borders"),
        field("colors"),
        field("fonts"),
        field("page_background"),
        field("widget"),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.themes.as_ref()
    }

    fn new_id() -> String {
        random::id("themes")
    }

    /// A tenant has one theme, as in Auth0: a second is a 409.
    async fn admit(
        &self,
        state: &AppState,
        tenant: &str,
        stored: Option<&Self>,
    ) -> Result<(), ApiError> {
        if stored.is_some() || the_theme(state, tenant).await?.is_none() {
            return Ok(());
        }
        Err(
            ApiError::new(StatusCode::CONFLICT, "The tenant already has a theme.")
                .with_code("theme_conflict"),
        )
    }
}

async fn the_theme(state: &AppState, tenant: &str) -> Result<Option<Theme>, ApiError> {
    let page = state
        .adapters
        .themes
        .list(tenant, &ListParams::default())
        .await?;
    Ok(page.items.into_iter().next())
}

/// `GET /api/v2/branding/themes/default`: the tenant's theme, or Auth0's 404.
async fn default_theme(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let theme = the_theme(&state, caller.tenant())
        .await?
        .ok_or_else(resource::not_found::<Theme>)?;
    Ok(Json(resource::shown(theme, &caller)?))
}

//! The look of a page reached by an emailed link: the tenant the link's ticket names, in the
//! language the browser asks for.

use axum::http::HeaderMap;

use crate::flows::user_tickets;
use crate::pages::{LanguageWishes, Look};
use crate::state::AppState;

pub async fn of(state: &AppState, headers: &HeaderMap, ticket: Option<&str>) -> Look {
    let wishes = LanguageWishes::of(headers, None);
    match ticket.and_then(user_tickets::parse) {
        Some((tenant_id, _)) => Look::of(state, tenant_id, None, &wishes).await,
        None => Look::plain(&wishes),
    }
}

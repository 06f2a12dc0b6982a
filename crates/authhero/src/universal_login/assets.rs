//! `/u/assets/…`: the pages' style sheet, versioned by its content so browsers keep it.

use axum::http::header;
use axum::response::IntoResponse;

use crate::pages::STYLESHEET;

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
}

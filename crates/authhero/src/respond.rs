//! Delivering an answer to the client's `redirect_uri` by its response mode: a 302 with the
//! fields in the query or fragment, a self-posting form (`form_post`), or a page that posts a
//! message to the application's window (`web_message`).

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value};

use crate::flows::authorize_request::ResponseMode;
use crate::flows::login::ClientResponse;
use crate::html;

/// The answer, as its response mode delivers it.
pub fn deliver(answer: ClientResponse) -> Response {
    match answer.mode {
        ResponseMode::Query | ResponseMode::Fragment => {
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(
                    answer
                        .fields
                        .iter()
                        .map(|(name, value)| (*name, value.as_str())),
                )
                .finish();
            let separator = match answer.mode {
                ResponseMode::Fragment => '#',
                _ if answer.redirect_uri.contains('?') => '&',
                _ => '?',
            };
            found(&format!("{}{separator}{encoded}", answer.redirect_uri))
        }
        ResponseMode::FormPost => {
            let page = html::form_post(&answer.redirect_uri, &answer.fields);
            ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
        }
        ResponseMode::WebMessage => {
            let origin = url::Url::parse(&answer.redirect_uri)
                .map(|url| url.origin().ascii_serialization())
                .unwrap_or_default();
            let response: Map<String, Value> = answer
                .fields
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.into()))
                .collect();
            let (page, script) = html::web_message(&origin, &Value::Object(response));
            let policy = crate::security_headers::web_message_policy(&script, &origin);
            (
                [
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                    (header::CONTENT_SECURITY_POLICY, policy),
                ],
                Html(page),
            )
                .into_response()
        }
    }
}

/// A 302 redirect, as Auth0 answers (axum's `Redirect::to` is a 303).
pub fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

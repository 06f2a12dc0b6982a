//! Delivering an answer to the client's `redirect_uri` by its response mode: a 302 with the
//! fields in the query or fragment, a self-posting form (`form_post`), or a page that posts a
//! message to the application's window (`web_message`).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::flows::authorize_request::ResponseMode;
use crate::flows::login::ClientResponse;
use crate::pages::{self, Look, Page};

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
        ResponseMode::FormPost => Page::new(&Look::default(), pages::FORM_POST)
            .fields(FormPostFields {
                redirect_uri: &answer.redirect_uri,
                hidden: &answer.fields,
            })
            .into_response(),
        ResponseMode::WebMessage => {
            let origin = url::Url::parse(&answer.redirect_uri)
                .map(|url| url.origin().ascii_serialization())
                .unwrap_or_default();
            let response: Map<String, Value> = answer
                .fields
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.into()))
                .collect();
            let message = json!({ "type": "authorization_response", "response": response });
            Page::new(&Look::default(), pages::WEB_MESSAGE)
                .fields(WebMessageFields {
                    message,
                    origin: &origin,
                })
                .framed_by(&origin)
                .into_response()
        }
    }
}

/// `form_post`: the form that posts the fields to the client at once.
#[derive(Debug, Serialize)]
struct FormPostFields<'a> {
    redirect_uri: &'a str,
    hidden: &'a [(&'static str, String)],
}

/// `web_message`: what the page posts to the opener or parent window at `origin`, as Auth0's
/// SPA SDK expects for silent authentication.
#[derive(Debug, Serialize)]
struct WebMessageFields<'a> {
    message: Value,
    origin: &'a str,
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

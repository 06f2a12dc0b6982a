//! The few server-rendered pages: errors, the login form, and the `form_post` / `web_message`
//! response modes. Every interpolated value is HTML-escaped.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub use crate::markup::escape;

/// The style sheet of every page, inline; the content security policy admits it by its hash.
pub const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}\
     label,input,button{display:block;width:100%;margin:.4rem 0;font-size:1rem}\
     input{padding:.5rem;box-sizing:border-box}button{padding:.6rem}.error{color:#b00020}";

/// The one script of the `form_post` page; admitted by its hash too.
pub const FORM_POST_SCRIPT: &str = "document.forms[0].submit()";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
         <style>{STYLE}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

/// An error shown to the user instead of a redirect (e.g. an unregistered `redirect_uri`).
pub fn error_page(status: StatusCode, error: &str, description: &str) -> Response {
    let body = format!(
        "<h1>Something went wrong</h1><p class=\"error\" id=\"error\">{}</p><p id=\"error_description\">{}</p>",
        escape(error),
        escape(description)
    );
    (
        status,
        [("cache-control", "no-store")],
        Html(page("Error", &body)),
    )
        .into_response()
}

/// The username and password form, posting back to `/u/login`.
pub fn login_form(state: &str, csrf: &str, username: &str, error: Option<&str>) -> String {
    let error = error
        .map(|message| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(message)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Log in</h1>{error}<form method=\"post\" action=\"/u/login\">\
         <input type=\"hidden\" name=\"state\" value=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label for=\"username\">Email or username</label>\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" value=\"{}\" required autofocus>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\">Continue</button></form>",
        escape(state),
        escape(csrf),
        escape(username)
    );
    page("Log in", &body)
}

/// The new-password form of a password reset, posting the ticket back to `/u/reset-password`;
/// `min_length` is the connection policy's, so the browser can say so before posting.
pub fn reset_form(ticket: &str, min_length: usize, error: Option<&str>) -> String {
    let error = error
        .map(|message| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(message)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Change your password</h1>{error}<form method=\"post\" action=\"/u/reset-password\">\
         <input type=\"hidden\" name=\"ticket\" value=\"{}\">\
         <label for=\"password\">New password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" minlength=\"{}\" required autofocus>\
         <label for=\"confirm\">Confirm the new password</label>\
         <input id=\"confirm\" name=\"confirm\" type=\"password\" autocomplete=\"new-password\" required>\
         <button type=\"submit\">Change password</button></form>",
        escape(ticket),
        min_length
    );
    page("Change your password", &body)
}

/// A page that only tells the user something, e.g. that their password has been changed.
pub fn message_page(title: &str, message: &str) -> String {
    let body = format!(
        "<h1>{}</h1><p id=\"message\">{}</p>",
        escape(title),
        escape(message)
    );
    page(title, &body)
}

/// Hidden form inputs carrying `fields`, escaped.
fn hidden_inputs<'a>(fields: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    fields
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect()
}

/// RP-initiated logout without an `id_token_hint`: the user confirms, posting the same request
/// back with `confirm`, which only this page knows.
pub fn logout_confirmation(fields: &[(&str, &str)], confirm: &str) -> String {
    let inputs = hidden_inputs(
        fields
            .iter()
            .copied()
            .chain(std::iter::once(("confirm", confirm))),
    );
    let body = format!(
        "<h1>Log out?</h1><p>Do you want to log out?</p>\
         <form method=\"post\" action=\"/oidc/logout\">{inputs}\
         <button type=\"submit\" id=\"logout\">Log out</button></form>"
    );
    page("Log out", &body)
}

/// `response_mode=form_post`: a form that posts the response to the client at once.
pub fn form_post(redirect_uri: &str, fields: &[(&str, String)]) -> String {
    let inputs = hidden_inputs(fields.iter().map(|(name, value)| (*name, value.as_str())));
    let body = format!(
        "<form method=\"post\" action=\"{}\">{inputs}<noscript><button type=\"submit\">Continue</button></noscript></form>\
         <script>{FORM_POST_SCRIPT}</script>",
        escape(redirect_uri)
    );
    page("Submitting", &body)
}

/// `response_mode=web_message`: posts the response to the opener or parent window at `origin`,
/// as Auth0's SPA SDK expects for silent authentication. Returns the page and its script, which
/// the page's content security policy must admit.
pub fn web_message(origin: &str, response: &serde_json::Value) -> (String, String) {
    // JSON inside a script: escape `<` so the payload cannot close the script element.
    let message = serde_json::json!({ "type": "authorization_response", "response": response })
        .to_string()
        .replace('<', "\\u003c");
    let origin = serde_json::Value::from(origin)
        .to_string()
        .replace('<', "\\u003c");
    let script = format!(
        "(function(){{var target=window.opener||window.parent;target.postMessage({message},{origin});}})();"
    );
    let body = format!("<script>{script}</script>");
    (page("Authorizing", &body), script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn web_message_cannot_close_its_script() {
        let (page, _) = web_message(
            "https://app.example.com",
            &serde_json::json!({ "state": "</script><b>" }),
        );
        assert!(!page.contains("</script><b>"));
    }
}

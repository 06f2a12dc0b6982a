//! Sending a user on to the `result_url` a ticket's creator gave, with Auth0's outcome
//! parameters (`success`, `code`, `message`) and, when asked, the user's `email`.

/// `result_url` with the outcome added to its query, before any fragment.
pub fn with_outcome(result_url: &str, message: &str, email: Option<&str>) -> String {
    let mut outcome = url::form_urlencoded::Serializer::new(String::new());
    outcome
        .append_pair("success", "true")
        .append_pair("code", "success")
        .append_pair("message", message);
    if let Some(email) = email {
        outcome.append_pair("email", email);
    }
    let outcome = outcome.finish();
    let (before_fragment, fragment) = match result_url.split_once('#') {
        Some((url, fragment)) => (url, Some(fragment)),
        None => (result_url, None),
    };
    let separator = if before_fragment.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut target = format!("{before_fragment}{separator}{outcome}");
    if let Some(fragment) = fragment {
        target.push('#');
        target.push_str(fragment);
    }
    target
}

#[cfg(test)]
mod tests {
    use super::with_outcome;

    #[test]
    fn the_outcome_joins_the_result_urls_query() {
        assert!(
            with_outcome("https://app.example/done", "Done.", None)
                .starts_with("https://app.example/done?success=true&code=success&message=Done.")
        );
        assert!(
            with_outcome("https://app.example/done?from=mail", "Done.", None)
                .starts_with("https://app.example/done?from=mail&success=true")
        );
        assert!(with_outcome("https://app.example/done#top", "Done.", None).ends_with("#top"));
        assert!(
            with_outcome("https://app.example/done", "Done.", Some("a+b@example.com"))
                .ends_with("&email=a%2Bb%40example.com")
        );
    }
}

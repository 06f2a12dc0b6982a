//! The tenant's page template (Auth0's `branding/templates/universal-login`): Liquid HTML in
//! which the `auth0:head` tag receives the page's head and `auth0:widget` its card.

use crate::flows::mail;

pub const HEAD_TAG: &str = "auth0:head";
pub const WIDGET_TAG: &str = "auth0:widget";

/// Whether `template` holds the Liquid tag `{% name %}`, with or without Liquid's
/// whitespace-trimming dashes.
pub fn has_tag(template: &str, name: &str) -> bool {
    template.split("{%").skip(1).any(|after| {
        after
            .split_once("%}")
            .is_some_and(|(inside, _)| tag_name(inside) == name)
    })
}

fn tag_name(inside: &str) -> &str {
    inside.trim_start_matches('-').trim_end_matches('-').trim()
}

/// `template` with each `auth0:head` and `auth0:widget` tag replaced by its marker, which
/// plain Liquid leaves alone.
fn with_markers(template: &str, markers: &Markers) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{%") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let Some((inside, tail)) = after[2..].split_once("%}") else {
            out.push_str(after);
            return out;
        };
        match tag_name(inside) {
            HEAD_TAG => out.push_str(&markers.head),
            WIDGET_TAG => out.push_str(&markers.widget),
            _ => {
                out.push_str("{%");
                out.push_str(inside);
                out.push_str("%}");
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

struct Markers {
    head: String,
    widget: String,
}

impl Markers {
    fn new(nonce: &str) -> Self {
        Self {
            head: format!("<!--authhero-head-{nonce}-->"),
            widget: format!("<!--authhero-widget-{nonce}-->"),
        }
    }
}

/// Refuses a template without both tags, or whose Liquid does not parse (or could loop
/// without end), saying why.
pub fn check(template: &str) -> Result<(), String> {
    for tag in [HEAD_TAG, WIDGET_TAG] {
        if !has_tag(template, tag) {
            return Err(format!(
                "The template must contain the {{%- {tag} -%}} tag."
            ));
        }
    }
    mail::check_template(&with_markers(template, &Markers::new("check")))
        .map_err(|why| format!("The template is not valid Liquid: {why}"))
}

/// `page` (one of the built-in pages, a whole document) inside the tenant's `template`: its
/// head's contents at `auth0:head`, its card at `auth0:widget`. The template's own inline
/// styles get the page's nonce, as the tenant wrote them; its scripts do not, so none runs.
/// None when the page has no card or the template does not render: the page goes as it is.
pub fn wrap(template: &str, page: &str, variables: &liquid::Object, nonce: &str) -> Option<String> {
    let head = page.split_once("<head>")?.1.split_once("</head>")?.0;
    let card_start = page.find("<main")?;
    let card_end = page.rfind("</main>")? + "</main>".len();
    let widget = page.get(card_start..card_end)?;
    let markers = Markers::new(nonce);
    let rendered = match mail::render_liquid(&with_markers(template, &markers), variables) {
        Ok(rendered) => rendered,
        Err(why) => {
            tracing::warn!(why, "the tenant's page template does not render");
            return None;
        }
    };
    Some(
        rendered
            .replace("<style>", &format!("<style nonce=\"{nonce}\">"))
            .replace(&markers.head, head)
            .replace(&markers.widget, widget),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!doctype html><html lang=\"en\"><head><title>Log in</title></head>\
        <body><main class=\"card\"><h1>Welcome</h1></main></body></html>";

    #[test]
    fn finds_liquid_tags_with_or_without_trimming() {
        assert!(has_tag("<head>{%- auth0:head -%}</head>", HEAD_TAG));
        assert!(has_tag("{% auth0:widget %}", WIDGET_TAG));
        assert!(has_tag("{%auth0:widget%}", WIDGET_TAG));
        assert!(!has_tag("auth0:head", HEAD_TAG));
        assert!(!has_tag("{% auth0:header %}", HEAD_TAG));
        assert!(!has_tag("{% auth0:head ", HEAD_TAG));
    }

    #[test]
    fn the_page_goes_into_the_tags() {
        let template = "<!DOCTYPE html><html><head>{%- auth0:head -%}<style>body{color:red}</style>\
            </head><body><p>{{ application.name }}</p>{% if true %}{%- auth0:widget -%}{% endif %}</body></html>";
        assert!(check(template).is_ok());
        let variables = liquid::object!({ "application": { "name": "Shop" } });
        let wrapped = wrap(template, PAGE, &variables, "n1").unwrap_or_default();
        assert!(
            wrapped.contains("<head><title>Log in</title><style nonce=\"n1\">"),
            "{wrapped}"
        );
        assert!(
            wrapped.contains("<p>Shop</p><main class=\"card\"><h1>Welcome</h1></main>"),
            "{wrapped}"
        );
    }

    #[test]
    fn a_template_without_its_tags_or_with_bad_liquid_is_refused() {
        assert!(check("<html>{%- auth0:head -%}</html>").is_err());
        assert!(check("{%- auth0:head -%}{%- auth0:widget -%}{% if %}").is_err());
        assert!(
            check("{%- auth0:head -%}{%- auth0:widget -%}{% for i in (1..99999999) %}{% endfor %}")
                .is_err()
        );
    }
}

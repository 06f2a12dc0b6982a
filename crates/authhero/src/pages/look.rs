//! How a tenant's pages look and whom they name: its branding (logo, colours, favicon, font),
//! its and the application's names, its support contact, its languages and custom text. Every
//! value that reaches a style sheet or a URL attribute is checked here first.

use authhero_core::entities::{Branding, Client, Tenant};
use serde::Serialize;
use serde_json::{Map, Value};

use super::texts::LanguageWishes;
use crate::state::AppState;

/// What a page shows of its tenant, in the language it is shown in.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Look {
    pub language: &'static str,
    pub company_name: String,
    pub client_name: String,
    pub logo_url: Option<String>,
    pub favicon_url: Option<String>,
    /// `#rrggbb`, and the text colour that reads on it.
    pub primary: Option<String>,
    pub on_primary: Option<String>,
    pub page_background: Option<String>,
    pub font_url: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    /// The tenant's custom text in this language: prompt → screen → key → text.
    #[serde(skip)]
    pub custom_text: Map<String, Value>,
    /// The tenant's page template (Liquid), if it set one.
    #[serde(skip)]
    pub page_template: Option<String>,
}

impl Look {
    /// No tenant known (an unknown client, a malformed link): the default look, in the language
    /// the browser asks for.
    pub fn plain(wishes: &LanguageWishes) -> Self {
        Self {
            language: wishes.choose(&[]),
            ..Self::default()
        }
    }

    /// The look of `tenant_id`'s pages for `client`. A setting that cannot be read leaves the
    /// default in its place: a page is still better than an error.
    pub async fn of(
        state: &AppState,
        tenant_id: &str,
        client: Option<&Client>,
        wishes: &LanguageWishes,
    ) -> Self {
        let adapters = &state.adapters;
        let (tenant, branding, page_template) = tokio::join!(
            adapters.tenants.get(tenant_id),
            adapters.branding.get(tenant_id),
            adapters.universal_login_templates.get(tenant_id)
        );
        let tenant = tenant.ok().flatten();
        let branding = branding.ok().flatten().unwrap_or_default();
        let enabled: &[String] = tenant
            .as_ref()
            .map_or(&[], |tenant| tenant.enabled_locales.as_slice());
        let language = wishes.choose(enabled);
        let custom_text = match adapters.custom_texts.list(tenant_id).await {
            Ok(texts) => texts
                .into_iter()
                .filter(|text| text.language == language)
                .map(|text| (text.prompt, Value::Object(text.texts)))
                .collect(),
            Err(_) => Map::new(),
        };
        Self {
            page_template: page_template.ok().flatten().map(|template| template.body),
            ..Self::from_settings(language, tenant.as_ref(), &branding, client, custom_text)
        }
    }

    fn from_settings(
        language: &'static str,
        tenant: Option<&Tenant>,
        branding: &Branding,
        client: Option<&Client>,
        custom_text: Map<String, Value>,
    ) -> Self {
        let company_name = tenant
            .and_then(|tenant| tenant.friendly_name.clone())
            .or_else(|| tenant.map(|tenant| tenant.id.clone()))
            .unwrap_or_default();
        let colors = branding.colors.clone().unwrap_or_default();
        let primary = colors.primary.as_deref().and_then(hex_colour);
        Self {
            language,
            client_name: client
                .map(|client| client.name.clone())
                .unwrap_or_else(|| company_name.clone()),
            logo_url: client
                .and_then(|client| client.logo_uri.as_deref())
                .or(branding.logo_url.as_deref())
                .or(tenant.and_then(|tenant| tenant.picture_url.as_deref()))
                .and_then(https_url),
            favicon_url: branding.favicon_url.as_deref().and_then(https_url),
            on_primary: primary.as_deref().map(readable_on),
            primary,
            page_background: colors.page_background.as_deref().and_then(hex_colour),
            font_url: branding
                .font
                .as_ref()
                .and_then(|font| font.url.as_deref())
                .and_then(https_url),
            support_email: tenant.and_then(|tenant| tenant.support_email.clone()),
            support_url: tenant
                .and_then(|tenant| tenant.support_url.as_deref())
                .and_then(web_url),
            company_name,
            custom_text,
            page_template: None,
        }
    }

    /// The tenant's custom text for one prompt in this page's language.
    pub fn custom_text(&self, prompt: &str) -> Option<&Map<String, Value>> {
        self.custom_text.get(prompt)?.as_object()
    }
}

/// `#rgb` or `#rrggbb`, as `#rrggbb`; anything else (names, `url(...)`, `;`) is dropped, so
/// nothing but a colour reaches the style sheet.
fn hex_colour(value: &str) -> Option<String> {
    let digits = value.trim().strip_prefix('#')?;
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match digits.len() {
        6 => Some(format!("#{}", digits.to_ascii_lowercase())),
        3 => Some(
            digits
                .chars()
                .flat_map(|c| [c, c])
                .fold(String::from("#"), |mut colour, c| {
                    colour.push(c.to_ascii_lowercase());
                    colour
                }),
        ),
        _ => None,
    }
}

/// Black or white, whichever contrasts more with `#rrggbb` (WCAG relative luminance).
fn readable_on(colour: &str) -> String {
    let channel = |index: usize| {
        let value = colour
            .get(index..index + 2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .map_or(0.0, |byte| f64::from(byte) / 255.0);
        if value <= 0.03928 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05; equal at L ≈ 0.179.
    if luminance > 0.179 {
        "#000000"
    } else {
        "#ffffff"
    }
    .to_owned()
}

/// An `http(s)` URL made only of characters that need no escaping in an attribute or a style
/// sheet; any other value is dropped.
fn web_url(value: &str) -> Option<String> {
    let url = url::Url::parse(value.trim()).ok()?;
    let text = url.as_str();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$*+,;=%".contains(c));
    (matches!(url.scheme(), "https" | "http") && plain).then(|| text.to_owned())
}

/// A [`web_url`] over https: what a page may load (its policy admits no other).
fn https_url(value: &str) -> Option<String> {
    web_url(value).filter(|url| url.starts_with("https://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_colours_and_plain_urls_pass() {
        assert_eq!(hex_colour("#ABC").as_deref(), Some("#aabbcc"));
        assert_eq!(hex_colour(" #0059d6 ").as_deref(), Some("#0059d6"));
        for bad in ["red", "#12345", "#0059d6;}body{x", "url(x)", "#ggg"] {
            assert_eq!(hex_colour(bad), None, "{bad}");
        }
        assert!(https_url("https://cdn.example.com/logo.png").is_some());
        assert!(https_url("http://cdn.example.com/logo.png").is_none());
        for bad in [
            "javascript:alert(1)",
            "https://x.example/a'b",
            "https://x.example/a)b",
            "https://x.example/?a=1&b=2",
            "data:image/png;base64,AAAA",
        ] {
            assert_eq!(web_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn text_on_the_primary_colour_contrasts() {
        assert_eq!(readable_on("#ffff00"), "#000000");
        assert_eq!(readable_on("#0059d6"), "#ffffff");
    }
}

//! The pages' words: the shipped catalogues (`locales/*.json`, prompt → screen → key), the
//! language a page is shown in, and a tenant's custom text laid over them.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};

/// The languages shipped complete, English first: it is the fallback for every key.
pub const LANGUAGES: [&str; 4] = ["en", "de", "fr", "es"];

const CATALOGUE_SOURCES: [&str; 4] = [
    include_str!("../../locales/en.json"),
    include_str!("../../locales/de.json"),
    include_str!("../../locales/fr.json"),
    include_str!("../../locales/es.json"),
];

/// The catalogues, parsed once, in the order of [`LANGUAGES`]. A catalogue that does not parse
/// is empty here; the catalogue tests refuse it before it can ship.
static CATALOGUES: LazyLock<Vec<Map<String, Value>>> = LazyLock::new(|| {
    CATALOGUE_SOURCES
        .iter()
        .map(|source| serde_json::from_str(source).unwrap_or_default())
        .collect()
});

/// Where a page's words come from in a catalogue: Auth0's prompt and screen names, which are
/// also the keys of `prompts/{prompt}/custom-text/{language}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextSource {
    pub prompt: &'static str,
    pub screen: &'static str,
}

/// What the user asked for, most wanted first: `ui_locales`, then `Accept-Language`.
#[derive(Debug, Clone, Default)]
pub struct LanguageWishes {
    pub ui_locales: Option<String>,
    pub accept_language: Option<String>,
}

impl LanguageWishes {
    /// A request's wishes: its `ui_locales`, then its `Accept-Language` header.
    pub fn of(headers: &HeaderMap, ui_locales: Option<&str>) -> Self {
        Self {
            ui_locales: ui_locales.map(str::to_owned),
            accept_language: headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
        }
    }

    /// The shipped language to show: the first wish the tenant offers, else the tenant's
    /// default (the first of its `enabled_locales` that ships), else English. A tenant without
    /// `enabled_locales` offers every shipped language.
    pub fn choose(&self, enabled_locales: &[String]) -> &'static str {
        let offered: Vec<&'static str> = LANGUAGES
            .into_iter()
            .filter(|language| {
                enabled_locales.is_empty()
                    || enabled_locales
                        .iter()
                        .any(|enabled| primary(enabled) == *language)
            })
            .collect();
        let from_ui_locales = self
            .ui_locales
            .iter()
            .flat_map(|locales| locales.split_whitespace());
        let from_header = self
            .accept_language
            .iter()
            .flat_map(|header| by_preference(header));
        from_ui_locales
            .map(str::to_owned)
            .chain(from_header)
            .find_map(|wish| {
                offered
                    .iter()
                    .copied()
                    .find(|language| primary(&wish) == *language)
            })
            .or_else(|| {
                enabled_locales.iter().find_map(|enabled| {
                    LANGUAGES
                        .into_iter()
                        .find(|language| primary(enabled) == *language)
                })
            })
            .unwrap_or(LANGUAGES[0])
    }
}

/// `de` of `de-CH`, lower-cased.
fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// An `Accept-Language` header's languages, highest quality first (ties keep their order);
/// `q=0` means "not this one" and is dropped.
fn by_preference(header: &str) -> Vec<String> {
    let mut wishes: Vec<(String, f32)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let quality = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && tag != "*" && quality > 0.0).then(|| (tag.to_owned(), quality))
        })
        .collect();
    wishes.sort_by(|a, b| b.1.total_cmp(&a.1));
    wishes.into_iter().map(|(tag, _)| tag).collect()
}

/// The words of one screen in `language`: English under the language's catalogue under the
/// tenant's custom text for it (`custom`: screen → key → text), with `${name}` variables
/// filled in from `variables`.
pub fn screen_texts(
    language: &str,
    source: TextSource,
    custom: Option<&Map<String, Value>>,
    variables: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let mut texts = BTreeMap::new();
    let catalogues = [Some(LANGUAGES[0]), Some(language)]
        .into_iter()
        .flatten()
        .filter_map(|wanted| LANGUAGES.iter().position(|shipped| *shipped == wanted))
        .filter_map(|index| CATALOGUES.get(index))
        .filter_map(|catalogue| {
            catalogue
                .get(source.prompt)?
                .get(source.screen)?
                .as_object()
        });
    let overrides = custom.and_then(|custom| custom.get(source.screen)?.as_object());
    for layer in catalogues.chain(overrides) {
        for (key, text) in layer {
            if let Some(text) = text.as_str() {
                texts.insert(key.clone(), fill(text, variables));
            }
        }
    }
    texts
}

/// `text` with each `${name}` of `variables` replaced by its value.
fn fill(text: &str, variables: &[(&str, &str)]) -> String {
    variables
        .iter()
        .fold(text.to_owned(), |text, (name, value)| {
            text.replace(&format!("${{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &Value, prefix: &str, out: &mut Vec<String>) {
        if let Value::Object(map) = value {
            for (key, inner) in map {
                keys(inner, &format!("{prefix}{key}."), out);
            }
        } else {
            out.push(prefix.trim_end_matches('.').to_owned());
        }
    }

    #[test]
    fn every_language_parses_and_has_exactly_the_english_keys() {
        let mut english = Vec::new();
        let sources: Vec<Value> = CATALOGUE_SOURCES
            .iter()
            .map(|source| serde_json::from_str(source).expect("catalogue parses"))
            .collect();
        keys(&sources[0], "", &mut english);
        assert!(english.len() > 50, "{english:?}");
        for (language, source) in LANGUAGES.iter().zip(&sources) {
            let mut found = Vec::new();
            keys(source, "", &mut found);
            assert_eq!(found, english, "{language}");
        }
    }

    fn wishes(ui_locales: Option<&str>, accept_language: Option<&str>) -> LanguageWishes {
        LanguageWishes {
            ui_locales: ui_locales.map(str::to_owned),
            accept_language: accept_language.map(str::to_owned),
        }
    }

    #[test]
    fn ui_locales_come_before_the_header_and_the_tenant_default() {
        let enabled = vec!["fr".to_owned(), "de".to_owned(), "es".to_owned()];
        assert_eq!(wishes(Some("ja de-AT"), Some("es")).choose(&enabled), "de");
        assert_eq!(
            wishes(None, Some("ja, es;q=0.5, de;q=0.9")).choose(&enabled),
            "de"
        );
        assert_eq!(wishes(None, Some("ja")).choose(&enabled), "fr");
        assert_eq!(wishes(None, None).choose(&[]), "en");
        assert_eq!(wishes(None, Some("de;q=0, fr")).choose(&[]), "fr");
        // A language the tenant does not offer is not shown, even if shipped.
        assert_eq!(wishes(Some("es"), None).choose(&["de".to_owned()]), "de");
        assert_eq!(
            wishes(Some("es"), Some("q=x;;,")).choose(&["ja".to_owned()]),
            "en"
        );
    }

    #[test]
    fn custom_text_overrides_and_variables_fill_in() {
        let source = TextSource {
            prompt: "login",
            screen: "login",
        };
        let custom = serde_json::json!({ "login": { "title": "Hallo ${clientName}" } });
        let texts = screen_texts(
            "de",
            source,
            custom.as_object(),
            &[("clientName", "Shop"), ("companyName", "Acme")],
        );
        assert_eq!(texts["title"], "Hallo Shop");
        assert_eq!(texts["buttonText"], "Weiter");
        assert!(texts["description"].contains("Acme"), "{texts:?}");
    }
}

//! Criterion micro-benchmarks for the checks `GET /authorize` runs on a request and its client
//! before any other look-up: a SPA's authorization-code request with PKCE as auth0-spa-js sends
//! it, and the same request refused for a `redirect_uri` the client did not register.

use std::hint::black_box;

use authhero::authorize_request::{AuthorizeQuery, AuthorizeRequest, Refusal};
use authhero_core::Timestamp;
use authhero_core::entities::{AppType, Client, TokenEndpointAuthMethod};
use criterion::{Criterion, criterion_group, criterion_main};

const CODE_WITH_PKCE: &str = "client_id=spa-client-id\
    &scope=openid%20profile%20email%20offline_access\
    &audience=https%3A%2F%2Fapi.example.com%2F\
    &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback\
    &response_type=code&response_mode=query\
    &state=bFhQa2lWVl9sT3lDR3FvM2JhM3pY&nonce=Wm5LSFpxaXhxOHBOS2k5bUV0MlJH\
    &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256\
    &auth0Client=eyJuYW1lIjoiYXV0aDAtc3BhLWpzIiwidmVyc2lvbiI6IjIuMS4zIn0%3D";

const WRONG_REDIRECT_URI: &str = "client_id=spa-client-id\
    &scope=openid%20profile%20email%20offline_access\
    &redirect_uri=https%3A%2F%2Fattacker.example%2Fcallback\
    &response_type=code&response_mode=query\
    &state=bFhQa2lWVl9sT3lDR3FvM2JhM3pY&nonce=Wm5LSFpxaXhxOHBOS2k5bUV0MlJH\
    &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

fn spa_client() -> Client {
    let mut client = Client::new("spa-client-id", "Example SPA", Timestamp::now());
    client.app_type = Some(AppType::Spa);
    client.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::None);
    client.callbacks = vec![
        "http://localhost:3000/callback".into(),
        "https://staging.app.example.com/callback".into(),
        "https://app.example.com/callback".into(),
    ];
    client
}

fn validate(query: &str, client: &Client) -> Result<AuthorizeRequest, Refusal> {
    AuthorizeQuery::parse(query)?.validate(client)
}

fn authorize(c: &mut Criterion) {
    let client = spa_client();
    // A case that took the other path would measure the wrong thing.
    assert!(validate(CODE_WITH_PKCE, &client).is_ok());
    assert!(matches!(
        validate(WRONG_REDIRECT_URI, &client),
        Err(Refusal::Page(description)) if description.starts_with("Callback URL mismatch.")
    ));
    let mut group = c.benchmark_group("authorize");
    group.bench_function("code_with_pkce", |b| {
        b.iter(|| validate(black_box(CODE_WITH_PKCE), &client))
    });
    group.bench_function("wrong_redirect_uri", |b| {
        b.iter(|| validate(black_box(WRONG_REDIRECT_URI), &client))
    });
    group.finish();
}

criterion_group!(benches, authorize);
criterion_main!(benches);

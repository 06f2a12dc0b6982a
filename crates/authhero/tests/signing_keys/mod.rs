//! `/api/v2/keys/signing`: rotation makes a new key sign while the old one stays published;
//! revocation takes a key out of the JWKS; the signing key cannot be revoked; only the bootstrap
//! tenant may change the keys every tenant shares.

use anyhow::Context;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::{ADMIN_ID, ADMIN_SECRET, Api};

/// The kids the JWKS publishes.
async fn published_kids(api: &Api) -> anyhow::Result<Vec<String>> {
    let request = Request::get("/.well-known/jwks.json").body(Body::empty())?;
    let jwks = api.send(request).await?.expect(StatusCode::OK)?;
    Ok(jwks.body["keys"]
        .as_array()
        .context("keys")?
        .iter()
        .filter_map(|key| key["kid"].as_str().map(str::to_owned))
        .collect())
}

/// The `kid` in a JWT's header.
fn kid_of(token: &str) -> anyhow::Result<String> {
    let header = token.split('.').next().context("a JWT")?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header)?)?;
    Ok(header["kid"].as_str().context("kid")?.to_owned())
}

#[tokio::test]
async fn rotation_signs_with_the_new_key_and_revocation_unpublishes_the_old() -> anyhow::Result<()>
{
    let api = Api::start().await?;
    let listed = api
        .get("/api/v2/keys/signing")
        .await?
        .expect(StatusCode::OK)?;
    let keys = listed.items()?;
    assert_eq!(keys.len(), 1, "{}", listed.body);
    assert_eq!(keys[0]["current"], true);
    assert!(keys[0].get("private_key").is_none(), "{}", listed.body);
    let old = keys[0]["kid"].as_str().context("kid")?.to_owned();

    let rotated = api
        .post("/api/v2/keys/signing/rotate", Value::Null)
        .await?
        .expect(StatusCode::CREATED)?;
    let new = rotated.str("kid")?.to_owned();
    assert_ne!(new, old);
    let kids = published_kids(&api).await?;
    assert!(kids.contains(&old) && kids.contains(&new), "{kids:?}");
    let token = api.token_for(ADMIN_ID, ADMIN_SECRET).await?;
    assert_eq!(kid_of(&token)?, new);
    let old_key = api
        .get(&format!("/api/v2/keys/signing/{old}"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(old_key.body["current"], false);
    assert_eq!(old_key.body["previous"], true);

    api.call(
        Method::PUT,
        &format!("/api/v2/keys/signing/{new}/revoke"),
        Some(&api.admin_token),
        None,
    )
    .await?
    .expect(StatusCode::BAD_REQUEST)?;
    let revoked = api
        .call(
            Method::PUT,
            &format!("/api/v2/keys/signing/{old}/revoke"),
            Some(&token),
            None,
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(revoked.body["kid"], old.as_str());
    assert_eq!(published_kids(&api).await?, [new]);
    let old_key = api
        .call(
            Method::GET,
            &format!("/api/v2/keys/signing/{old}"),
            Some(&token),
            None,
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(old_key.body["revoked"], true);
    api.call(Method::GET, "/api/v2/keys/signing/nope", Some(&token), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

#[tokio::test]
async fn only_the_bootstrap_tenant_changes_the_shared_keys() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let other = api.other_tenant_token().await?;
    let before = published_kids(&api).await?;
    api.call(
        Method::POST,
        "/api/v2/keys/signing/rotate",
        Some(&other),
        None,
    )
    .await?
    .expect_error(StatusCode::FORBIDDEN, Some("operation_not_supported"))?;
    api.call(
        Method::PUT,
        &format!("/api/v2/keys/signing/{}/revoke", before[0]),
        Some(&other),
        None,
    )
    .await?
    .expect_error(StatusCode::FORBIDDEN, Some("operation_not_supported"))?;
    assert_eq!(published_kids(&api).await?, before);
    Ok(())
}

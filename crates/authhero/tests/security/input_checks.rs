//! Item 9, weak input checks at signup: malformed emails were accepted, a trailing space or
//! capitals made a second, look-alike account, and `12345678` passed as a password. Emails are
//! now trimmed, validated and compared lower-cased; passwords meet the connection's policy
//! ("good" unless it names another), and every refusal writes nothing.

use anyhow::{Context, ensure};
use authhero_core::ListParams;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::Reply;
use crate::{EMAIL, Server};

const DATABASE: &str = "Username-Password-Authentication";
const STRONG: &str = "Tr0ub4dor&3";

async fn signup(server: &Server, email: &str, password: &str) -> anyhow::Result<Reply> {
    let body = json!({
        "client_id": server.web, "email": email, "password": password, "connection": DATABASE,
    });
    let request = Request::post("/dbconnections/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))?;
    server.send(request).await
}

/// Every user's email, to show that refusals wrote nothing.
async fn emails(server: &Server) -> anyhow::Result<Vec<String>> {
    let users = server
        .adapters
        .users
        .list(&server.tenant, &ListParams::default())
        .await?;
    Ok(users
        .items
        .into_iter()
        .filter_map(|user| user.email)
        .collect())
}

/// The reply is Auth0's `/dbconnections` 400 with this `code`.
fn refused(reply: &Reply, code: &str, what: &str) -> anyhow::Result<Value> {
    ensure!(
        reply.status == StatusCode::BAD_REQUEST,
        "{what}: {} {}",
        reply.status,
        reply.body
    );
    let body = reply.json()?;
    ensure!(
        body["code"] == code && body["statusCode"] == 400,
        "{what}: {body}"
    );
    Ok(body)
}

#[tokio::test]
async fn malformed_emails_are_refused_at_signup_and_write_nothing() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let before = emails(&server).await?;
    for email in [
        "a@",
        "@b",
        "@",
        "a",
        "a b@c.d",
        "a@b c.d",
        "a@@b.c",
        "a@b@c.d",
        "a..b@c.d",
        ".a@c.d",
        "a@c..d",
        "a@c.d.",
        "a@-c.d",
        "a\tb@c.d",
        "a\u{0}b@c.d",
        "a\u{7}@c.d",
        "a\u{200b}@c.d",
        "\"a b\"@c.d",
        "a@[127.0.0.1]",
        "   ",
    ] {
        let reply = signup(&server, email, STRONG).await?;
        let body = refused(&reply, "invalid_signup", &format!("{email:?}"))?;
        ensure!(body["name"] == "BadRequestError", "{email:?}: {body}");
    }
    ensure!(
        emails(&server).await? == before,
        "a refused signup wrote a user"
    );
    Ok(())
}

#[tokio::test]
async fn a_trailing_space_or_capitals_do_not_make_a_second_account() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let created = signup(&server, " Alice@Example.com\t", STRONG)
        .await?
        .ok()?;
    ensure!(
        created.json()?["email"] == "alice@example.com",
        "{}",
        created.body
    );
    let seeded = format!("{} ", EMAIL.to_uppercase());
    for look_alike in [
        "alice@example.com ",
        "Alice@Example.com",
        " ALICE@EXAMPLE.COM",
        seeded.as_str(),
    ] {
        let reply = signup(&server, look_alike, STRONG).await?;
        refused(&reply, "user_exists", look_alike)?;
    }
    let mut stored = emails(&server).await?;
    stored.sort();
    ensure!(
        stored == ["alice@example.com", EMAIL],
        "a look-alike account was made: {stored:?}"
    );
    Ok(())
}

#[tokio::test]
async fn the_default_policy_refuses_12345678_as_auth0_does() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let before = emails(&server).await?;
    let reply = signup(&server, "weak@example.com", "12345678").await?;
    let body = refused(&reply, "invalid_password", "12345678")?;
    ensure!(
        body["name"] == "PasswordStrengthError" && body["message"] == "Password is too weak",
        "{body}"
    );
    let rules = &body["description"]["rules"];
    ensure!(
        body["description"]["verified"] == false
            && rules[0]["code"] == "lengthAtLeast"
            && rules[0]["format"] == json!([8])
            && rules[0]["verified"] == true
            && rules[1]["code"] == "containsAtLeast"
            && rules[1]["format"] == json!([3, 4])
            && rules[1]["verified"] == false,
        "{body}"
    );
    let kinds: Vec<(&str, bool)> = rules[1]["items"]
        .as_array()
        .context("items")?
        .iter()
        .filter_map(|item| Some((item["code"].as_str()?, item["verified"].as_bool()?)))
        .collect();
    ensure!(
        kinds
            == [
                ("lowerCase", false),
                ("upperCase", false),
                ("numbers", true),
                ("specialCharacters", false),
            ],
        "{body}"
    );
    ensure!(
        body["policy"].as_str().is_some_and(|policy| policy
            .starts_with("* At least 8 characters in length\n* Contain at least 3 of")),
        "{body}"
    );
    for weak in ["abcdefgh", "ABCDEFGH1", "abcdEFGH", "Ab1!"] {
        let reply = signup(&server, "weak@example.com", weak).await?;
        refused(&reply, "invalid_password", weak)?;
    }
    ensure!(
        emails(&server).await? == before,
        "a weak signup wrote a user"
    );

    for (email, good) in [
        ("good@example.com", "abcdEF12"),
        ("spaced@example.com", "Long enough password"),
    ] {
        signup(&server, email, good).await?.ok()?;
    }
    Ok(())
}

#[tokio::test]
async fn a_connection_asking_for_excellent_refuses_what_good_accepts() -> anyhow::Result<()> {
    let server = Server::start().await?;
    crate::support::edit_default_connection(&server.adapters, &server.tenant, |connection| {
        connection
            .options
            .insert("passwordPolicy".into(), json!("excellent"));
    })
    .await?;

    let reply = signup(&server, "eve@example.com", "abcdEF12").await?;
    let body = refused(&reply, "invalid_password", "8 characters")?;
    ensure!(
        body["description"]["rules"][0]["format"] == json!([10]),
        "{body}"
    );
    let reply = signup(&server, "eve@example.com", "abcdEF111gh").await?;
    let body = refused(&reply, "invalid_password", "three in a row")?;
    ensure!(
        body["description"]["rules"][2]["code"] == "identicalChars"
            && body["description"]["rules"][2]["verified"] == false,
        "{body}"
    );
    ensure!(
        !emails(&server)
            .await?
            .contains(&"eve@example.com".to_owned()),
        "a refused signup wrote a user"
    );
    signup(&server, "eve@example.com", "abcdEF12gh")
        .await?
        .ok()?;
    Ok(())
}

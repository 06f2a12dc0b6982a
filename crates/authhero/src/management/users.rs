//! `/api/v2/users`: users of the tenant's connections. A new user names an existing connection;
//! on a database (`auth0`) connection it needs an email and a password, which must meet the
//! connection's password policy and is stored only as a hash (bcrypt unless the server chose
//! argon2id). Emails are validated and kept trimmed and lower-cased; PATCH merges
//! `app_metadata` and `user_metadata`.

use authhero_core::entities::{Connection, Metadata, User};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, ListParams, Query, Timestamp};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::auth::Caller;
use super::body::{JsonBody, payload_error, require_non_empty};
use super::listing::{ListQuery, invalid_query, page_reply, query_error};
use super::patch::PatchRules;
use super::resource::{Resource, find, scope};
use crate::error::ApiError;
use crate::flows::users;
use crate::flows::validation::{self, PasswordPolicy};
use crate::passwords;
use crate::random;
use crate::state::AppState;

/// The strategy of database connections, whose users sign in with a password.
const DATABASE_STRATEGY: &str = "auth0";

impl Resource for User {
    const COLLECTION: &'static str = "users";
    const MISSING_CODE: &'static str = "inexistent_user";
    const FILTERS: &'static [&'static str] = &[];
    const PATCH: PatchRules = PatchRules {
        updatable: &[
            "blocked",
            "email_verified",
            "email",
            "phone_number",
            "phone_verified",
            "user_metadata",
            "app_metadata",
            "given_name",
            "family_name",
            "name",
            "nickname",
            "picture",
            "username",
            "connection",
            "verify_email",
            "verify_phone_number",
            "client_id",
        ],
        merged: &["app_metadata", "user_metadata"],
    };

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.users.as_ref()
    }
}

/// The body of `POST /api/v2/users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    connection: String,
    email: Option<String>,
    username: Option<String>,
    phone_number: Option<String>,
    password: Option<String>,
    /// The id within the connection; `user_id` becomes `<provider>|<this>`.
    user_id: Option<String>,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    phone_verified: bool,
    #[serde(default)]
    blocked: bool,
    given_name: Option<String>,
    family_name: Option<String>,
    name: Option<String>,
    nickname: Option<String>,
    picture: Option<String>,
    #[serde(default)]
    user_metadata: Metadata,
    #[serde(default)]
    app_metadata: Metadata,
    /// Accepted as Auth0 accepts it; sending the verification email is not this module's job.
    #[serde(default, rename = "verify_email")]
    _verify_email: bool,
}

impl NewUser {
    fn into_user(self, connection: &Connection, now: Timestamp) -> User {
        let provider = connection.strategy.as_str();
        let id = self.user_id.unwrap_or_else(random::hex_id);
        let mut user = User::new(provider, &id, &connection.name, now);
        user.email = self.email;
        user.username = self.username;
        user.phone_number = self.phone_number;
        user.email_verified = self.email_verified;
        user.phone_verified = self.phone_verified;
        user.blocked = self.blocked;
        user.given_name = self.given_name;
        user.family_name = self.family_name;
        user.name = self.name;
        user.nickname = self.nickname;
        user.picture = self.picture;
        user.user_metadata = self.user_metadata;
        user.app_metadata = self.app_metadata;
        user
    }
}

/// `GET /api/v2/users`: `q` is Auth0's user search (`search_engine` is accepted and ignored).
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant_for(&scope::<User>("read"))?;
    let query = ListQuery::parse(query.as_deref(), &["q", "search_engine"])?;
    let mut params = query.params()?;
    if let Some(q) = query.get("q") {
        params = params.with_query(Query::parse(q).map_err(invalid_query)?);
    }
    let page = state
        .adapters
        .users
        .list(tenant, &params)
        .await
        .map_err(query_error)?;
    page_reply(User::COLLECTION, &query, &params, page)
}

/// `GET /api/v2/users-by-email?email=`: every user with that email, in any connection, as a
/// bare array (Auth0 compares emails without regard to case).
pub async fn by_email(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant_for(&scope::<User>("read"))?;
    let query = ListQuery::parse(query.as_deref(), &["email"])?;
    let email = query
        .get("email")
        .ok_or_else(|| invalid_query("Missing required property: email"))?;
    let by_email = ListParams::default()
        .with_query(Query::equals("email", email.trim().to_lowercase()).map_err(invalid_query)?);
    let found = state
        .adapters
        .users
        .list(tenant, &by_email)
        .await
        .map_err(query_error)?;
    query.one(found.items)
}

/// `POST /api/v2/users`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let tenant = caller.tenant_for(&scope::<User>("create"))?;
    let mut new_user: NewUser = body.parse()?;
    require_non_empty("connection", &new_user.connection)?;
    if let Some(id) = &new_user.user_id {
        require_non_empty("user_id", id)?;
    }
    let connection = connection_named(&state, tenant, &new_user.connection).await?;
    if connection.strategy == DATABASE_STRATEGY {
        require_database_fields(&new_user)?;
    }
    new_user.email = new_user.email.as_deref().map(checked_email).transpose()?;
    let password = match new_user.password.take() {
        Some(password) => {
            PasswordPolicy::of(&connection)
                .check(&password)
                .map_err(weak_password)?;
            Some((password, state.password_algorithm))
        }
        None => None,
    };
    let user = new_user.into_user(&connection, state.now());
    let user = users::create(&state.adapters, tenant, user, password, state.now())
        .await
        .map_err(user_error)?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// `PATCH /api/v2/users/{id}`: metadata merges one level deep; a `password` replaces the hash.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<User>, ApiError> {
    let tenant = caller.tenant_for(&scope::<User>("update"))?;
    let mut body = body.into_object()?;
    let new_password = take_password(&mut body)?;
    let patch = User::PATCH.check(body)?;
    let stored = find::<User>(&state, tenant, &id).await?;
    let mut patched = patch.apply(&stored)?;
    // Only a changed email is checked: one stored before these checks must not block a PATCH.
    if patched.email != stored.email {
        patched.email = patched.email.as_deref().map(checked_email).transpose()?;
    }
    let hash = match new_password {
        Some(password) => {
            let policy = PasswordPolicy::of_user(&state, tenant, &patched).await?;
            Some(checked_hash(&state, policy, password).await?)
        }
        None => None,
    };
    let updated = state
        .adapters
        .users
        .update(tenant, patched)
        .await
        .map_err(user_error)?;
    if let Some(hash) = hash {
        users::set_password(&state, tenant, &updated.user_id, hash).await?;
    }
    Ok(Json(updated))
}

/// The tenant's connection called `name`; Auth0 answers 400 when there is none.
async fn connection_named(
    state: &AppState,
    tenant: &str,
    name: &str,
) -> Result<Connection, ApiError> {
    state.connection_named(tenant, name).await?.ok_or_else(|| {
        ApiError::bad_request("The connection does not exist.").with_code("inexistent_connection")
    })
}

/// A database connection's user signs in with an email and a password.
fn require_database_fields(new_user: &NewUser) -> Result<(), ApiError> {
    if new_user.email.is_none() {
        return Err(payload_error("Missing required property: email"));
    }
    if new_user.password.is_none() {
        return Err(payload_error("Missing required property: password"));
    }
    Ok(())
}

/// The email as stored (trimmed, lower-cased), or Auth0's format error.
fn checked_email(email: &str) -> Result<String, ApiError> {
    validation::email(email).map_err(|_| {
        ApiError::bad_request(format!(
            "Payload validation error: 'Object didn't pass validation for format email: {email}' on property email."
        ))
    })
}

/// Removes `password` from a PATCH body: it is stored as a hash, never in the user.
fn take_password(body: &mut Map<String, Value>) -> Result<Option<String>, ApiError> {
    match body.remove("password") {
        None => Ok(None),
        Some(Value::String(password)) => Ok(Some(password)),
        Some(_) => Err(ApiError::bad_request(
            "Payload validation error: 'Expected type string' on property password.",
        )),
    }
}

/// The hash of a new password; one the policy refuses is Auth0's `PasswordStrengthError`.
async fn checked_hash(
    state: &AppState,
    policy: PasswordPolicy,
    password: String,
) -> Result<String, ApiError> {
    policy.check(&password).map_err(weak_password)?;
    Ok(passwords::hash(password, state.password_algorithm).await?)
}

/// Auth0's 400 for a password the connection's policy refuses.
fn weak_password(weak: validation::WeakPassword) -> ApiError {
    ApiError::bad_request(format!("PasswordStrengthError: {weak}"))
}

/// Auth0's 409 for a second user with the same email or username in a connection.
fn user_error(error: authhero_core::Error) -> ApiError {
    if error.is_conflict() {
        return ApiError::new(StatusCode::CONFLICT, "The user already exists.")
            .with_code("auth0_idp_error");
    }
    error.into()
}

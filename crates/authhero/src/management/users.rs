//! `/api/v2/users`: users of the tenant's connections. A new user names an existing connection;
//! on a database (`auth0`) connection it needs an email and a password, which must meet the
//! connection's password policy and is stored only as a hash (bcrypt unless the server chose
//! argon2id). Emails are validated and kept trimmed and lower-cased; PATCH merges
//! `app_metadata` and `user_metadata`.

use async_trait::async_trait;
use authhero_core::entities::{Connection, User};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, ListParams, Query};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::auth::Caller;
use super::body::{JsonBody, from_json, payload_error, require_non_empty};
use super::fields::{Field, check_create, field};
use super::listing::{ListQuery, invalid_query, page_reply, query_error};
use super::openapi;
use super::patch::Patch;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource, find};
use crate::error::ApiError;
use crate::flows::validation::{self, PasswordPolicy};
use crate::flows::{user_links, users};
use crate::passwords;
use crate::random;
use crate::state::AppState;

/// The strategy of database connections, whose users sign in with a password.
const DATABASE_STRATEGY: &str = "auth0";

/// Fields of a create body that are not stored in the user as given.
const NOT_STORED: &[&str] = &["connection", "password", "user_id", "verify_email"];

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/users", "read:users", "List or search users", list,
            Body::None => Reply::Ok(openapi::page_of::<User>))
        .reading(&["q", "search_engine"])
        .paged(),
        endpoint!(Post "/users", "create:users", "Create a user", create,
            Body::Json(openapi::create_body::<User>) => Reply::Created(openapi::one::<User>)),
        resource::get_endpoint::<User>(),
        endpoint!(Patch "/users/{id}", "update:users", "Update a user", update,
            Body::Json(openapi::update_body::<User>) => Reply::Ok(openapi::one::<User>)),
        endpoint!(Delete "/users/{id}", "delete:users", "Delete a user", remove,
            Body::None => Reply::NoContent),
        endpoint!(Get "/users-by-email", "read:users", "Find users by email", by_email,
            Body::None => Reply::Ok(openapi::list_of::<User>))
        .reading(&["email"]),
    ]
}

#[async_trait]
impl Resource for User {
    const PATH: &'static str = "/users";
    const COLLECTION: &'static str = "users";
    const MISSING_CODE: &'static str = "inexistent_user";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "user_id";
    const FIELDS: &'static [Field] = &[
        field("connection").required(),
        field("email"),
        field("username"),
        field("phone_number"),
        // Stored only as a hash, never in the user.
        field("password"),
        // The id within the connection; `user_id` becomes `<provider>|<this>`.
        field("user_id").fixed(),
        field("email_verified"),
        field("phone_verified"),
        field("blocked"),
        field("given_name"),
        field("family_name"),
        field("name"),
        field("nickname"),
        field("picture"),
        field("user_metadata").merged(),
        field("app_metadata").merged(),
        // Accepted as Auth0 accepts them; sending the verification message is not this
        // module's job.
        field("verify_email"),
        field("verify_phone_number").update_only(),
        field("client_id").update_only(),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.users.as_ref()
    }

    fn new_id() -> String {
        random::hex_id()
    }

    fn stands_alone(&self) -> bool {
        user_links::stands_alone(self)
    }
}

/// `GET /api/v2/users`: `q` is Auth0's user search (`search_engine` is accepted and ignored).
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    let query = ListQuery::parse(query.as_deref(), &["q", "search_engine"])?;
    let mut params = query.params()?;
    let asked = query
        .get("q")
        .map(Query::parse)
        .transpose()
        .map_err(invalid_query)?;
    params = params.with_query(user_links::standalone(asked));
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
async fn by_email(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    let query = ListQuery::parse(query.as_deref(), &["email"])?;
    let email = query
        .get("email")
        .ok_or_else(|| invalid_query("Missing required property: email"))?;
    let email = Query::equals("email", email.trim().to_lowercase()).map_err(invalid_query)?;
    let by_email = ListParams::default().with_query(user_links::standalone(Some(email)));
    let found = state
        .adapters
        .users
        .list(tenant, &by_email)
        .await
        .map_err(query_error)?;
    query.one(found.items)
}

/// `POST /api/v2/users`.
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let tenant = caller.tenant();
    let mut body = body.into_object()?;
    check_create(User::FIELDS, &body)?;
    let connection_name = string_field(&body, "connection")?.unwrap_or_default();
    require_non_empty("connection", &connection_name)?;
    let id = string_field(&body, "user_id")?;
    if let Some(id) = &id {
        require_non_empty("user_id", id)?;
    }
    let connection = connection_named(&state, tenant, &connection_name).await?;
    let password = string_field(&body, "password")?;
    if connection.strategy == DATABASE_STRATEGY {
        for required in ["email", "password"] {
            if !body.contains_key(required) {
                return Err(payload_error(format!(
                    "Missing required property: {required}"
                )));
            }
        }
    }
    if let Some(email) = string_field(&body, "email")? {
        body.insert("email".into(), Value::String(checked_email(&email)?));
    }
    let user = new_user(&connection, id, body, &state)?;
    let password = match password {
        Some(password) => {
            PasswordPolicy::of(&connection)
                .for_user(&user)
                .check(&password)
                .map_err(weak_password)?;
            Some((password, state.password_algorithm))
        }
        None => None,
    };
    let user = users::create(&state.adapters, tenant, user, password, state.now())
        .await
        .map_err(user_error)?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// The user a checked create body describes, in `connection`; nothing is written here.
fn new_user(
    connection: &Connection,
    id: Option<String>,
    body: Map<String, Value>,
    state: &AppState,
) -> Result<User, ApiError> {
    let id = id.unwrap_or_else(User::new_id);
    let user = User::new(&connection.strategy, &id, &connection.name, state.now());
    let Value::Object(mut document) = serde_json::to_value(user)
        .map_err(|error| authhero_core::Error::internal(error.to_string()))?
    else {
        return Err(authhero_core::Error::internal("a user is not a JSON object").into());
    };
    document.extend(
        body.into_iter()
            .filter(|(name, _)| !NOT_STORED.contains(&name.as_str())),
    );
    from_json(Value::Object(document))
}

/// A string field of a body, if given; any other JSON type is Auth0's 400.
fn string_field(body: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match body.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(other) => Err(ApiError::bad_request(format!(
            "Payload validation error: 'Expected type string but found type {}' on property {name}.",
            super::body::json_type(other)
        ))),
    }
}

/// `PATCH /api/v2/users/{id}`: metadata merges one level deep; a `password` replaces the hash.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<User>, ApiError> {
    let tenant = caller.tenant();
    let mut body = body.into_object()?;
    let new_password = take_password(&mut body)?;
    let patch = Patch::checked(User::FIELDS, body)?;
    let stored = find::<User>(&state, tenant, &id).await?;
    let mut patched = patch.apply(&stored)?;
    // Only a changed email is checked: one stored before these checks must not block a PATCH.
    if patched.email != stored.email {
        patched.email = patched.email.as_deref().map(checked_email).transpose()?;
    }
    let hash = match new_password {
        Some(password) => {
            let policy = PasswordPolicy::of_user(&state, tenant, &patched).await?;
            let hash = checked_hash(&state, tenant, &policy, &stored.user_id, password).await?;
            Some((hash, policy.remembered_before()))
        }
        None => None,
    };
    let updated = state
        .adapters
        .users
        .update(tenant, patched)
        .await
        .map_err(user_error)?;
    if let Some((hash, kept)) = hash {
        users::change_password(&state, tenant, &updated.user_id, hash, kept).await?;
    }
    Ok(Json(updated))
}

/// `DELETE /api/v2/users/{id}`: the user with every identity linked into it; 204 whether or
/// not it existed, as Auth0 answers.
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    user_links::remove(&state, caller.tenant(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
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

/// The hash of a new password; one the policy refuses is Auth0's 400 naming why.
async fn checked_hash(
    state: &AppState,
    tenant: &str,
    policy: &PasswordPolicy,
    user_id: &str,
    password: String,
) -> Result<String, ApiError> {
    policy.check(&password).map_err(weak_password)?;
    if policy.refuses_reuse()
        && users::reused(
            state,
            tenant,
            user_id,
            &password,
            policy.remembered_before(),
        )
        .await?
    {
        return Err(weak_password(validation::PasswordRefused::Reused));
    }
    Ok(passwords::hash(password, state.password_algorithm).await?)
}

/// Auth0's 400 for a password the connection's policy refuses.
fn weak_password(refused: validation::PasswordRefused) -> ApiError {
    ApiError::bad_request(format!("{}: {refused}", refused.name()))
}

/// Auth0's 409 for a second user with the same email or username in a connection.
fn user_error(error: authhero_core::Error) -> ApiError {
    if error.is_conflict() {
        return ApiError::new(StatusCode::CONFLICT, "The user already exists.")
            .with_code("auth0_idp_error");
    }
    error.into()
}

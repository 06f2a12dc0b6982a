//! Account linking, as Auth0 does it: a secondary user's identity joins a primary user's
//! `identities`, and whoever logs in with it is the primary from then on.
//!
//! The secondary keeps its row, naming the primary in `linked_to`, so its connection still
//! finds it by email or username and its password still checks; every list leaves it out and
//! every look-up by id treats it as gone. Unlinking clears `linked_to`, and the secondary stands
//! alone again, without metadata, as Auth0 recreates it.

use authhero_core::entities::{Identity, Metadata, User};
use authhero_core::{FieldPath, ListParams, Query, Result};
use serde_json::Value;

use crate::state::AppState;

/// The field naming a secondary user's primary.
const LINKED_TO: &str = "linked_to";

/// Why a link or an unlink was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error("Main identity and the new one are the same.")]
    SameUser,
    #[error("The user does not exist.")]
    PrimaryMissing,
    #[error("The secondary user does not exist.")]
    SecondaryMissing,
    #[error("The secondary user has linked identities of its own; unlink them first.")]
    SecondaryHasLinks,
    #[error("Main identity cannot be removed.")]
    MainIdentity,
    #[error("The identity is not linked to this user.")]
    NotLinked,
}

/// The filter that leaves linked users out of a list, joined to the one asked for.
pub fn standalone(asked: Option<Query>) -> Query {
    let unlinked = match FieldPath::parse(LINKED_TO) {
        Ok(field) => Query::Not(Box::new(Query::Exists(field))),
        Err(_) => Query::All,
    };
    match asked {
        None | Some(Query::All) => unlinked,
        Some(asked) => Query::And(vec![asked, unlinked]),
    }
}

/// Whether the user stands alone: not linked into another user.
pub fn stands_alone(user: &User) -> bool {
    user.linked_to.is_none()
}

/// The user a login with this user's identity is: its primary when it is linked, else itself.
pub async fn primary_of(state: &AppState, tenant_id: &str, user: User) -> Result<User> {
    let Some(primary_id) = &user.linked_to else {
        return Ok(user);
    };
    match state.adapters.users.get(tenant_id, primary_id).await? {
        Some(primary) if stands_alone(&primary) => Ok(primary),
        // A primary removed behind the link's back leaves the identity its own user.
        _ => Ok(user),
    }
}

/// Links `secondary_id` into `primary_id`; `connection`, when given, is the connection the
/// secondary must belong to. The answer is the primary's identities.
pub async fn link(
    state: &AppState,
    tenant_id: &str,
    primary_id: &str,
    secondary_id: &str,
    connection: Option<&str>,
) -> Result<std::result::Result<Vec<Identity>, LinkRefused>> {
    if primary_id == secondary_id {
        return Ok(Err(LinkRefused::SameUser));
    }
    let Some(mut primary) = standalone_user(state, tenant_id, primary_id).await? else {
        return Ok(Err(LinkRefused::PrimaryMissing));
    };
    let Some(mut secondary) = standalone_user(state, tenant_id, secondary_id).await? else {
        return Ok(Err(LinkRefused::SecondaryMissing));
    };
    if connection.is_some_and(|name| secondary.connection() != Some(name)) {
        return Ok(Err(LinkRefused::SecondaryMissing));
    }
    let [identity] = secondary.identities.as_slice() else {
        return Ok(Err(LinkRefused::SecondaryHasLinks));
    };
    let mut identity = identity.clone();
    identity.profile_data = Some(profile_data(&secondary));
    // The primary first: should the second write fail, the secondary still stands alone and
    // a retry finds nothing half done but an identity it replaces.
    primary
        .identities
        .retain(|known| !same_identity(known, &identity.provider, &identity.user_id));
    primary.identities.push(identity);
    primary.updated_at = state.now();
    let primary = state.adapters.users.update(tenant_id, primary).await?;
    secondary.linked_to = Some(primary.user_id.clone());
    secondary.updated_at = state.now();
    state.adapters.users.update(tenant_id, secondary).await?;
    Ok(Ok(primary.identities))
}

/// Unlinks the identity `provider`/`user_id` from `primary_id`, which stands alone again as
/// its own user. The answer is the primary's remaining identities.
pub async fn unlink(
    state: &AppState,
    tenant_id: &str,
    primary_id: &str,
    provider: &str,
    user_id: &str,
) -> Result<std::result::Result<Vec<Identity>, LinkRefused>> {
    let Some(mut primary) = standalone_user(state, tenant_id, primary_id).await? else {
        return Ok(Err(LinkRefused::PrimaryMissing));
    };
    if primary
        .primary_identity()
        .is_some_and(|main| same_identity(main, provider, user_id))
    {
        return Ok(Err(LinkRefused::MainIdentity));
    }
    let Some(position) = primary
        .identities
        .iter()
        .position(|known| same_identity(known, provider, user_id))
    else {
        return Ok(Err(LinkRefused::NotLinked));
    };
    let identity = primary.identities.remove(position);
    let secondary_id = format!("{}|{}", identity.provider, identity.user_id);
    // The secondary first: should the second write fail, the primary still lists the
    // identity, and a retry finds it.
    match state.adapters.users.get(tenant_id, &secondary_id).await? {
        Some(mut secondary) if secondary.linked_to.as_deref() == Some(primary_id) => {
            secondary.linked_to = None;
            secondary.app_metadata = Metadata::new();
            secondary.user_metadata = Metadata::new();
            secondary.updated_at = state.now();
            state.adapters.users.update(tenant_id, secondary).await?;
        }
        // A user of that id that stands alone (or belongs to another primary) is left as it is.
        Some(_) => {}
        // An identity that came linked (an import) has no row yet: it gets one.
        None => {
            let user = user_from_identity(&identity, state);
            state.adapters.users.create(tenant_id, user).await?;
        }
    }
    primary.updated_at = state.now();
    let primary = state.adapters.users.update(tenant_id, primary).await?;
    Ok(Ok(primary.identities))
}

/// Removes a user with the users linked into it, as Auth0 deletes a user whole. A linked user
/// is not removed alone: it is part of its primary. Whether the user was there.
pub async fn remove(state: &AppState, tenant_id: &str, user_id: &str) -> Result<bool> {
    let Some(user) = state.adapters.users.get(tenant_id, user_id).await? else {
        return Ok(false);
    };
    if !stands_alone(&user) {
        return Ok(false);
    }
    let linked = ListParams::default().with_query(Query::equals(LINKED_TO, user_id)?);
    loop {
        let page = state.adapters.users.list(tenant_id, &linked).await?;
        let mut removed_any = false;
        for secondary in page.items {
            removed_any |= state
                .adapters
                .users
                .remove(tenant_id, &secondary.user_id)
                .await?;
        }
        // An empty page ends it, and so does one whose users a store would not remove.
        if !removed_any {
            break;
        }
    }
    state.adapters.users.remove(tenant_id, user_id).await
}

async fn standalone_user(state: &AppState, tenant_id: &str, user_id: &str) -> Result<Option<User>> {
    Ok(state
        .adapters
        .users
        .get(tenant_id, user_id)
        .await?
        .filter(stands_alone))
}

/// Whether the identity is `provider`'s `user_id`; the id may also be given whole
/// (`provider|id`), as Auth0 accepts it.
fn same_identity(identity: &Identity, provider: &str, user_id: &str) -> bool {
    let id = user_id
        .strip_prefix(provider)
        .and_then(|rest| rest.strip_prefix('|'))
        .unwrap_or(user_id);
    identity.provider == provider && identity.user_id == id
}

/// The fields of Auth0's `profileData`: the secondary user's profile as it was when linked.
fn profile_data(user: &User) -> Metadata {
    let mut profile = Metadata::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            profile.insert(name.to_owned(), value);
        }
    };
    put("email", user.email.clone().map(Value::String));
    put("email_verified", Some(Value::Bool(user.email_verified)));
    put("name", user.name.clone().map(Value::String));
    put("username", user.username.clone().map(Value::String));
    put("given_name", user.given_name.clone().map(Value::String));
    put("family_name", user.family_name.clone().map(Value::String));
    put("nickname", user.nickname.clone().map(Value::String));
    put("picture", user.picture.clone().map(Value::String));
    put("phone_number", user.phone_number.clone().map(Value::String));
    put("phone_verified", Some(Value::Bool(user.phone_verified)));
    profile
}

/// A standalone user made from a linked identity that had no row of its own.
fn user_from_identity(identity: &Identity, state: &AppState) -> User {
    let mut user = User::new(
        &identity.provider,
        &identity.user_id,
        &identity.connection,
        state.now(),
    );
    let profile = identity.profile_data.clone().unwrap_or_default();
    let text = |name: &str| profile.get(name).and_then(Value::as_str).map(str::to_owned);
    let flag = |name: &str| profile.get(name).and_then(Value::as_bool).unwrap_or(false);
    user.email = text("email");
    user.email_verified = flag("email_verified");
    user.name = text("name");
    user.username = text("username");
    user.given_name = text("given_name");
    user.family_name = text("family_name");
    user.nickname = text("nickname");
    user.picture = text("picture");
    user.phone_number = text("phone_number");
    user.phone_verified = flag("phone_verified");
    user
}

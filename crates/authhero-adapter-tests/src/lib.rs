//! The conformance suite: one set of plain `pub async fn` cases that every AuthHero adapter and
//! every layer must pass, and [`conformance_tests!`] to stamp them out as `#[tokio::test]`s.
//!
//! ```ignore
//! async fn cached(url: &str) -> DataAdapters { /* open `url`, wrap it in the layer */ }
//! authhero_adapter_tests::conformance_on_every_backend!(cached: cached);
//! ```
//!
//! The expression yields `Option<DataAdapters>`; `None` means the backend is not available in
//! this run, and each test returns at once (the xtask counts only backends it configured).
//! Every case works in tenants of its own with random ids, so cases run in parallel on one
//! shared database and leave nothing behind when they pass.

mod codes;
mod crud;
pub mod fixtures;
mod integrity;
mod invalid;
mod listing;
mod login_failures;
mod relations;

pub use codes::*;
pub use crud::*;
pub use integrity::*;
pub use invalid::*;
pub use listing::*;
pub use login_failures::*;
pub use relations::*;

/// The suite on every backend: SQLite in memory always, PostgreSQL and MySQL when
/// `AUTHHERO_TEST_POSTGRES_URL` and `AUTHHERO_TEST_MYSQL_URL` name them. `$open` is an async fn
/// in the invoking module that opens adapters over a database URL; with `$layer:` the modules
/// `sqlite`, `postgres` and `mysql` go inside a module of that name, which is how
/// `cargo xtask test` tallies each layer.
#[macro_export]
macro_rules! conformance_on_every_backend {
    ($layer:ident: $open:ident) => {
        mod $layer {
            $crate::conformance_on_every_backend!(@backends super::super::$open);
        }
    };
    ($open:ident) => {
        $crate::conformance_on_every_backend!(@backends super::$open);
    };
    (@backends $($open:ident)::+) => {
        mod sqlite {
            // A fresh in-memory database per test: nothing shared, nothing left behind.
            $crate::conformance_tests!(async { Some($($open)::+("sqlite::memory:").await) });
        }
        mod postgres {
            $crate::conformance_tests!(async {
                match $crate::configured("AUTHHERO_TEST_POSTGRES_URL") {
                    Some(url) => Some($($open)::+(&url).await),
                    None => None,
                }
            });
        }
        mod mysql {
            $crate::conformance_tests!(async {
                match $crate::configured("AUTHHERO_TEST_MYSQL_URL") {
                    Some(url) => Some($($open)::+(&url).await),
                    None => None,
                }
            });
        }
    };
}

/// The database URL in `variable`, if it is set and not empty.
pub fn configured(variable: &str) -> Option<String> {
    std::env::var(variable).ok().filter(|url| !url.is_empty())
}

/// Stamps one `#[tokio::test]` per conformance case, each calling `$adapters` (an expression
/// evaluating to a future of `Option<DataAdapters>`) for a fresh set of adapters.
#[macro_export]
macro_rules! conformance_tests {
    ($adapters:expr) => {
        $crate::conformance_tests!(@cases $adapters;
            tenants_round_trip,
            clients_round_trip,
            client_grants_round_trip,
            connections_round_trip,
            resource_servers_round_trip,
            users_round_trip,
            passwords_round_trip,
            users_are_created_with_their_password,
            users_are_created_in_bulk,
            roles_round_trip,
            organizations_round_trip,
            invitations_round_trip,
            sessions_round_trip,
            login_sessions_round_trip,
            refresh_tokens_round_trip,
            grants_round_trip,
            authentication_methods_round_trip,
            logs_round_trip,
            themes_round_trip,
            jobs_round_trip,
            email_templates_round_trip,
            hooks_round_trip,
            custom_domains_round_trip,
            signing_keys_round_trip,
            tenant_settings_round_trip,
            custom_texts_round_trip,
            codes_round_trip,
            code_consumption_rules,
            concurrent_code_consumption_has_one_winner,
            concurrent_rotation_has_one_winner,
            duplicate_ids_conflict,
            user_email_is_unique_per_connection,
            unique_names_conflict,
            concurrent_duplicate_inserts_yield_one_row,
            tenants_are_isolated,
            removing_a_tenant_removes_its_data,
            removing_a_user_removes_what_belongs_to_it,
            role_permissions_assign_list_remove,
            user_permissions_assign_list_remove,
            user_roles_assign_list_remove,
            organization_members_add_list_remove,
            organization_connections_set_get_list_remove,
            pagination_and_totals,
            q_exact_terms_and_phrases,
            q_prefix_terms,
            unsorted_prefix_searches_follow_their_field,
            q_boolean_operators,
            q_exists,
            q_linked_users,
            q_ranges,
            q_metadata_fields,
            q_bare_terms,
            sort_ascending_and_descending,
            checkpoint_paging,
            logs_list_newest_first,
            logs_past_their_retention_are_removed,
            malformed_list_params_are_invalid,
            invalid_writes_are_refused_and_write_nothing,
            login_failures_round_trip,
            login_failures_are_isolated_by_tenant,
            login_failures_clear_by_identifier,
            concurrent_login_failures_add_up,
        );
    };
    (@cases $adapters:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(adapters) = $adapters.await else { return };
                if let Err(error) = $crate::$case(adapters).await {
                    panic!("{}: {error:?}", stringify!($case));
                }
            }
        )*
    };
}

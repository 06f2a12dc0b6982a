//! The security review's findings (issue 8), one module per finding, each with the tests that
//! fail without its fix. Included from `auth_api.rs`, so they share its `Server` fixture.

mod input_checks;

mod brute_force;
mod connections;
mod pages;
mod protocol;
mod refresh_tokens;
mod secrets_at_rest;
mod session_cookie;
mod slow_clients;
mod token_answers;

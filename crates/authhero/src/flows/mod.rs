//! The flows: what AuthHero does, apart from how it is asked. Logging in, issuing tokens,
//! creating users, resetting passwords and ending sessions live here and know no HTTP: the Auth
//! API, the Management API and the login pages parse requests, call a flow, and render its
//! answer or its [`FlowError`] in their own shape.

pub mod authenticate;
pub mod authentication_methods;
pub mod authorize_request;
pub mod brute_force;
mod clock;
pub mod consent;
pub mod custom_domains;
pub mod email_verification;
mod error;
pub mod exports;
pub mod grant_types;
pub mod grants;
pub mod imports;
pub mod invitations;
pub mod issue;
pub mod jobs;
pub mod login;
pub mod logout;
pub mod logs;
pub mod mail;
pub mod migration;
mod params;
pub mod password_reset;
mod password_screen;
pub mod passwordless;
pub mod sessions;
pub mod throttle;
pub mod unblock;
pub mod user_links;
pub mod user_tickets;
pub mod users;
pub mod validation;

pub use clock::{Clock, SystemClock};
pub use error::{ErrorKind, FlowError, THROTTLED_DESCRIPTION};
pub use params::Params;

#[cfg(test)]
mod tests;

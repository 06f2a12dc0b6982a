//! Entities, as serde types whose JSON is the Auth0 Management API shape.
//!
//! Entities carry no tenant id: every port call names the tenant, so a value can never be written
//! to one tenant while claiming to belong to another.

mod attack_protection;
mod authentication_method;
mod branding;
mod client;
mod code;
mod connection;
mod custom_domain;
mod email;
mod grant;
mod hook;
mod job;
mod log;
mod login_failure;
mod organization;
mod prompt;
mod refresh_token;
mod resource_server;
mod role;
mod session;
mod signing_key;
mod tenant;
mod user;

pub use attack_protection::{
    AttackProtection, BreachedPasswordDetection, BruteForceProtection, SuspiciousIpThrottling,
};
pub use authentication_method::{AuthenticationMethod, AuthenticationMethodType, PhoneDelivery};
pub use branding::{Branding, BrandingColors, BrandingFont, Theme, UniversalLoginTemplate};
pub use client::{
    AppType, Client, ClientGrant, JwtConfiguration, RefreshTokenConfig, RefreshTokenExpiration,
    RefreshTokenRotation, TokenEndpointAuthMethod,
};
pub use code::{Code, CodeType};
pub use connection::Connection;
pub use custom_domain::{CustomDomain, CustomDomainStatus, CustomDomainType};
pub use email::{EmailProvider, EmailTemplate};
pub use grant::Grant;
pub use hook::Hook;
pub use job::{ExportField, Job, JobErrorDetail, JobRowError, JobSummary};
pub use log::Log;
pub use login_failure::LoginFailure;
pub use organization::{
    Invitation, Invitee, Inviter, Organization, OrganizationBranding, OrganizationColors,
    OrganizationConnection, OrganizationMember,
};
pub use prompt::{CustomText, PromptSettings};
pub use refresh_token::RefreshToken;
pub use resource_server::{ResourceServer, ResourceServerScope};
pub use role::{Permission, Role, RoleAssignment};
pub use session::{
    AuthenticationRecord, AuthorizationParams, LoginSession, Session, SessionClient, SessionDevice,
};
pub use signing_key::{SigningAlgorithm, SigningKey};
pub use tenant::Tenant;
pub use user::{Identity, Password, PasswordAlgorithm, PreviousPassword, User};

/// Free-form JSON such as `app_metadata`, `user_metadata` or connection `options`.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

//! Sample entities with unicode and nested metadata, and fresh tenants to put them in.

use authhero_core::entities::*;
use authhero_core::{DataAdapters, Timestamp};
use serde_json::json;

/// Text that breaks naive encodings: accents, CJK, emoji, quotes and a backslash.
pub const UNICODE: &str = "Zoë Ångström 李小龍 🚀 \"quoted\" \\ back";

/// A unique id with a readable prefix.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// Metadata with every JSON type, nested.
pub fn metadata() -> Metadata {
    let value = json!({
        "plan": "pro",
        "seats": 42,
        "ratio": 2.5,
        "active": true,
        "nothing": null,
        "tags": ["α", "β", 3, false],
        "nested": { "deep": { "emoji": "🦀", "text": UNICODE } }
    });
    match value {
        serde_json::Value::Object(map) => map,
        _ => Metadata::new(),
    }
}

pub fn now() -> Timestamp {
    Timestamp::now()
}

/// A fresh tenant, removed (with everything in it) by [`TestTenant::cleanup`].
#[derive(Debug)]
pub struct TestTenant {
    pub id: String,
    adapters: DataAdapters,
}

impl TestTenant {
    pub async fn new(adapters: &DataAdapters) -> anyhow::Result<Self> {
        let mut tenant = Tenant::new(unique("ten"), now());
        tenant.friendly_name = Some(UNICODE.to_owned());
        let tenant = adapters.tenants.create(tenant).await?;
        Ok(Self {
            id: tenant.id,
            adapters: adapters.clone(),
        })
    }

    pub async fn cleanup(self) -> anyhow::Result<()> {
        self.adapters.tenants.remove(&self.id).await?;
        Ok(())
    }
}

pub fn client(client_id: &str) -> Client {
    let mut client = Client::new(client_id, UNICODE, now());
    client.app_type = Some(AppType::Spa);
    client.callbacks = vec!["https://app.example.com/callback".into()];
    client
        .client_metadata
        .insert("team".into(), "🦀 crab".into());
    client.refresh_token = Some(RefreshTokenConfig {
        rotation_type: RefreshTokenRotation::Rotating,
        expiration_type: RefreshTokenExpiration::Expiring,
        leeway: Some(0),
        token_lifetime: Some(2_592_000),
        infinite_token_lifetime: Some(false),
        idle_token_lifetime: Some(1_296_000),
        infinite_idle_token_lifetime: Some(false),
    });
    client
}

pub fn client_grant(id: &str, client_id: &str, audience: &str) -> ClientGrant {
    ClientGrant {
        id: id.into(),
        client_id: client_id.into(),
        audience: audience.into(),
        scope: vec!["read:users".into(), "create:users".into()],
        organization_usage: None,
        allow_any_organization: Some(false),
        organization_ids: Vec::new(),
        created_at: now(),
        updated_at: now(),
    }
}

pub fn connection(id: &str, name: &str) -> Connection {
    Connection {
        id: id.into(),
        name: name.into(),
        display_name: Some(UNICODE.into()),
        strategy: "auth0".into(),
        options: metadata(),
        enabled_clients: vec!["client-a".into()],
        realms: vec![name.into()],
        is_domain_connection: false,
        metadata: Metadata::new(),
        created_at: now(),
        updated_at: now(),
    }
}

pub fn resource_server(id: &str, identifier: &str) -> ResourceServer {
    ResourceServer {
        id: id.into(),
        name: UNICODE.into(),
        identifier: identifier.into(),
        scopes: vec![ResourceServerScope {
            value: "read:things".into(),
            description: Some("Läsa".into()),
        }],
        signing_alg: Some("RS256".into()),
        signing_secret: None,
        allow_offline_access: true,
        skip_consent_for_verifiable_first_party_clients: true,
        token_lifetime: Some(86_400),
        token_lifetime_for_web: Some(7_200),
        enforce_policies: true,
        token_dialect: Some("access_token_authz".into()),
        is_system: false,
        created_at: now(),
        updated_at: now(),
    }
}

/// A database user `auth0|<id>` at `connection`.
pub fn user(id: &str, connection: &str, email: Option<&str>) -> User {
    let mut user = User::new("auth0", id, connection, now());
    user.email = email.map(str::to_owned);
    user.name = Some(UNICODE.into());
    user.app_metadata = metadata();
    user.user_metadata = metadata();
    user
}

pub fn password(user_id: &str) -> Password {
    Password {
        user_id: user_id.into(),
        hash: "$2b$10$abcdefghijklmnopqrstuu5S6pN8m9JH9oRkS3OQzYcH2k9a9nN9K".into(),
        algorithm: PasswordAlgorithm::Bcrypt,
        created_at: now(),
        updated_at: now(),
        history: Vec::new(),
    }
}

pub fn role(id: &str, name: &str) -> Role {
    Role {
        id: id.into(),
        name: name.into(),
        description: Some(UNICODE.into()),
        created_at: now(),
        updated_at: now(),
    }
}

pub fn organization(id: &str, name: &str) -> Organization {
    Organization {
        id: id.into(),
        name: name.into(),
        display_name: Some(UNICODE.into()),
        branding: Some(OrganizationBranding {
            logo_url: Some("https://example.com/logo.png".into()),
            colors: Some(OrganizationColors {
                primary: Some("#123456".into()),
                page_background: None,
            }),
        }),
        metadata: metadata(),
        created_at: now(),
        updated_at: now(),
    }
}

pub fn invitation(id: &str, organization_id: &str) -> Invitation {
    Invitation {
        id: id.into(),
        organization_id: organization_id.into(),
        inviter: Inviter {
            name: UNICODE.into(),
        },
        invitee: Invitee {
            email: "invitee@example.com".into(),
        },
        client_id: "client-a".into(),
        connection_id: None,
        invitation_url: Some("https://example.com/invite?ticket=abc".into()),
        ticket_id: Some(unique("tkt")),
        app_metadata: metadata(),
        user_metadata: Metadata::new(),
        roles: vec!["rol_1".into()],
        created_at: now(),
        expires_at: now().plus_seconds(86_400),
    }
}

pub fn session(id: &str, user_id: &str) -> Session {
    Session {
        id: id.into(),
        user_id: user_id.into(),
        created_at: now(),
        updated_at: now(),
        authenticated_at: now(),
        last_interacted_at: now(),
        expires_at: Some(now().plus_seconds(3_600)),
        idle_expires_at: None,
        device: SessionDevice {
            initial_user_agent: Some(UNICODE.into()),
            initial_ip: Some("127.0.0.1".into()),
            ..SessionDevice::default()
        },
        clients: vec![SessionClient {
            client_id: "client-a".into(),
        }],
        authentication: vec![AuthenticationRecord {
            name: "pwd".into(),
            timestamp: now(),
            kind: None,
        }],
        revoked_at: None,
        secret_hash: Some("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU".into()),
    }
}

pub fn login_session(id: &str) -> LoginSession {
    LoginSession {
        id: id.into(),
        authorization: AuthorizationParams {
            client_id: "client-a".into(),
            redirect_uri: Some("https://app.example.com/callback".into()),
            response_type: Some("code".into()),
            scope: Some("openid profile".into()),
            state: Some(UNICODE.into()),
            code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
            code_challenge_method: Some("S256".into()),
            max_age: Some(3_600),
            ..AuthorizationParams::default()
        },
        csrf_token: unique("csrf"),
        session_id: None,
        user_id: None,
        ip: Some("::1".into()),
        user_agent: Some("test".into()),
        created_at: now(),
        updated_at: now(),
        expires_at: now().plus_seconds(600),
    }
}

pub fn code(code_id: &str, code_type: CodeType, expires_at: Timestamp) -> Code {
    Code {
        code_id: code_id.into(),
        code_type,
        login_session_id: Some(unique("ls")),
        session_id: Some(unique("ses")),
        user_id: Some("auth0|someone".into()),
        client_id: Some("client-a".into()),
        redirect_uri: Some("https://app.example.com/callback".into()),
        code_challenge: None,
        code_challenge_method: None,
        nonce: Some(UNICODE.into()),
        scope: Some("openid".into()),
        audience: None,
        auth_time: Some(now()),
        custom_claims: metadata(),
        created_at: now(),
        expires_at,
        used_at: None,
    }
}

pub fn refresh_token(id: &str, family_id: &str, user_id: &str) -> RefreshToken {
    RefreshToken {
        id: id.into(),
        family_id: family_id.into(),
        client_id: "client-a".into(),
        user_id: user_id.into(),
        session_id: Some(unique("ses")),
        audience: Some("https://api.example.com/".into()),
        scope: Some("openid offline_access".into()),
        created_at: now(),
        expires_at: Some(now().plus_seconds(86_400)),
        idle_expires_at: None,
        last_exchanged_at: None,
        auth_time: Some(now()),
        rotated_at: None,
    }
}

pub fn grant(id: &str, user_id: &str, audience: &str) -> Grant {
    Grant {
        id: id.into(),
        user_id: user_id.into(),
        client_id: "client-a".into(),
        audience: audience.into(),
        scope: vec!["openid".into(), "read:things".into()],
        created_at: now(),
    }
}

pub fn authentication_method(id: &str, user_id: &str) -> AuthenticationMethod {
    let mut method = AuthenticationMethod::new(
        id.into(),
        user_id.into(),
        AuthenticationMethodType::Totp,
        now(),
    );
    method.name = Some(UNICODE.into());
    method.totp_secret = Some("JBSWY3DPEHPK3PXP".into());
    method
}

pub fn signing_key(kid: &str) -> SigningKey {
    SigningKey {
        kid: kid.into(),
        algorithm: SigningAlgorithm::RS256,
        private_key: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n".into(),
        public_key: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into(),
        cert: None,
        fingerprint: Some("AB:CD".into()),
        thumbprint: Some("abcd".into()),
        created_at: now(),
        revoked_at: None,
    }
}

pub fn log(log_id: &str, date: Timestamp) -> Log {
    Log {
        log_id: log_id.into(),
        date,
        kind: "s".into(),
        description: Some(UNICODE.into()),
        ip: Some("127.0.0.1".into()),
        user_agent: None,
        client_id: Some("client-a".into()),
        client_name: None,
        user_id: Some("auth0|someone".into()),
        user_name: None,
        connection: Some("Username-Password-Authentication".into()),
        connection_id: None,
        strategy: None,
        strategy_type: None,
        audience: None,
        scope: None,
        hostname: Some("login.example.com".into()),
        is_mobile: false,
        details: Some(serde_json::Value::Object(metadata())),
    }
}

pub fn job(id: &str, now: Timestamp) -> Job {
    Job {
        id: id.into(),
        kind: "users_import".into(),
        status: "pending".into(),
        connection_id: Some("con_1".into()),
        connection: Some(UNICODE.into()),
        upsert: true,
        external_id: None,
        send_completion_email: false,
        summary: None,
        status_details: None,
        errors: vec![JobRowError {
            user: serde_json::json!({"email": UNICODE}),
            errors: vec![JobErrorDetail {
                code: "INVALID_FORMAT".into(),
                message: UNICODE.into(),
                path: Some("email".into()),
            }],
        }],
        format: None,
        limit: None,
        fields: Vec::new(),
        location: None,
        location_expires_at: None,
        download_digest: None,
        heartbeat_at: None,
        created_at: now,
    }
}

pub fn theme(theme_id: &str) -> Theme {
    Theme {
        theme_id: theme_id.into(),
        display_name: Some(UNICODE.into()),
        borders: metadata(),
        colors: Metadata::new(),
        fonts: Metadata::new(),
        page_background: Metadata::new(),
        widget: Metadata::new(),
    }
}

pub fn email_template(template: &str) -> EmailTemplate {
    EmailTemplate {
        template: template.into(),
        body: format!("<p>{UNICODE} {{{{ user.email }}}}</p>"),
        from: "noreply@example.com".into(),
        subject: UNICODE.into(),
        syntax: "liquid".into(),
        result_url: Some("https://example.com/done".into()),
        url_lifetime_in_seconds: Some(432_000),
        include_email_in_redirect: Some(false),
        enabled: true,
    }
}

pub fn hook(hook_id: &str) -> Hook {
    Hook {
        hook_id: hook_id.into(),
        trigger_id: "post-user-login".into(),
        url: "https://hooks.example.com/🚀".into(),
        enabled: true,
        synchronous: false,
        priority: Some(1),
        created_at: now(),
        updated_at: now(),
    }
}

pub fn custom_domain(id: &str, domain: &str) -> CustomDomain {
    CustomDomain {
        custom_domain_id: id.into(),
        domain: domain.into(),
        primary: true,
        status: CustomDomainStatus::Ready,
        kind: CustomDomainType::SelfManagedCerts,
        custom_client_ip_header: None,
        tls_policy: Some("recommended".into()),
        verification_token: None,
        created_at: now(),
        updated_at: now(),
    }
}

//! `cargo xtask bench`: builds the release server, starts it on a fresh database, seeds what the
//! workloads need through the Management API, drives each hot path from a second process (wrk
//! for single endpoints, xtask's flow workers for multi-step logins), measures the limit each
//! figure is bounded by on the same machine in the same run, and writes the report.

mod backend;
mod client;
mod flows;
mod limits;
mod load;
mod report;
mod seed;
mod server;

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;

use self::backend::Backend;
use self::client::Client;
use self::flows::Login;
use self::load::{Request, Wrk};
use self::report::Report;
use self::seed::{Admin, USER_DOMAIN};
use self::server::{Launch, Server};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Seconds each load workload runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds each limit measurement runs.
    #[arg(long, default_value_t = 3)]
    limit_seconds: u64,
    /// The server's database.
    #[arg(long, value_enum, default_value = "sqlite")]
    db: Backend,
    /// Users seeded for the Management API search.
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    /// Also drive the endpoint workloads against this Auth0-compatible server (a peer).
    #[arg(long, requires_all = ["client_id", "client_secret"])]
    base_url: Option<String>,
    /// The peer's application for client_credentials.
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long)]
    client_secret: Option<String>,
    /// The API the peer's client_credentials tokens are for, if it needs one.
    #[arg(long)]
    audience: Option<String>,
}

const ADMIN_ID: &str = "bench-admin";
const ADMIN_SECRET: &str = "bench-admin-secret";
const USER_EMAIL: &str = "bench@example.com";
const USER_PASSWORD: &str = "bench password 1";
/// Users seeded one request at a time, to compare the bulk import with.
const POSTED_USERS: usize = 100_000;
/// Rows in one import file: about 20 MB of JSON, as a large Auth0 export would be split.
const USERS_PER_IMPORT: usize = 100_000;
/// Flow workers: enough to keep both cores busy while each waits on its own requests.
const FLOW_WORKERS: usize = 16;

/// The limits every figure is compared with, measured before the server starts.
#[derive(Debug)]
struct Limits {
    rsa: f64,
    ecdsa: f64,
    ed25519: f64,
    bcrypt: f64,
    argon2id: f64,
}

pub fn run(args: &BenchArgs) -> Result<()> {
    let wrk = Wrk::find()?;
    let binary = server::build_release()?;
    let workload = Duration::from_secs(args.seconds);
    let limit_time = Duration::from_secs(args.limit_seconds);
    let mut report = Report::new(&command_line(args), args.db.name());

    let limits = Limits {
        rsa: limits::rsa_signatures_per_second(limit_time)?,
        ecdsa: limits::ecdsa_signatures_per_second(limit_time)?,
        ed25519: limits::ed25519_signatures_per_second(limit_time)?,
        bcrypt: limits::bcrypt_verifications_per_second(limit_time)?,
        argon2id: limits::argon2id_verifications_per_second(limit_time)?,
    };

    let database_url = args.db.fresh_database()?;
    let first = Server::start(&Launch {
        binary: &binary,
        database_url: &database_url,
        password_hash: "bcrypt",
        port: None,
    })?;
    report.absolute(
        "first start on an empty database, to first 200",
        first.started_in.as_secs_f64() * 1000.0,
        "ms",
    );
    report.absolute(
        "resident memory, idle",
        first.resident_kib()? as f64 / 1024.0,
        "MiB",
    );
    report.absolute(
        "of which anonymous (heap, stacks), idle",
        first.anonymous_kib()? as f64 / 1024.0,
        "MiB",
    );

    let base = first.base_url();
    let management_audience = first.management_audience();
    let admin = Admin::new(first.client(), &management_audience)?;
    let app = admin.create_app()?;
    admin.allowlist_loopback()?;

    let healthz = wrk.run(&Request::get(&format!("{base}healthz")), workload)?;
    let endpoints = Endpoints {
        base: &base,
        client_id: ADMIN_ID,
        client_secret: ADMIN_SECRET,
        audience: Some(&management_audience),
    };
    let client_credentials = endpoints.measure(
        &wrk,
        workload,
        &limits,
        healthz.requests_per_second,
        &mut report,
        "",
    )?;
    let user_token = seed::user_access_token(&first.client(), &app, USER_EMAIL, USER_PASSWORD)?;
    let userinfo = wrk.run(
        &Request::get(&format!("{base}userinfo")).bearer(&user_token),
        workload,
    )?;
    report.bounded(
        "userinfo requests/s",
        userinfo.requests_per_second,
        "/healthz requests/s",
        healthz.requests_per_second,
    );
    report.latency("client_credentials (32 connections)", &client_credentials);
    report.latency("userinfo (32 connections)", &userinfo);

    for (algorithm, bound, limit) in [
        ("ES256", "ECDSA P-256 signatures/s, all cores", limits.ecdsa),
        ("EdDSA", "Ed25519 signatures/s, all cores", limits.ed25519),
    ] {
        admin.set_signing_alg(algorithm)?;
        let tokens = wrk.run(&endpoints.client_credentials(), workload)?;
        report.bounded(
            &format!("client_credentials tokens/s, {algorithm}"),
            tokens.requests_per_second,
            bound,
            limit,
        );
    }
    admin.set_signing_alg("RS256")?;

    let login = Login {
        base: base.clone(),
        client_id: app.client_id.clone(),
        client_secret: app.client_secret.clone(),
        username: USER_EMAIL.into(),
        password: USER_PASSWORD.into(),
    };
    // One transaction's login page, rendered again and again: the template, the words in its
    // language and the tenant's look, but no login.
    let page = login.login_page(&first.client())?;
    let login_pages = wrk.run(
        &Request::get(&format!("{base}{}", page.trim_start_matches('/'))),
        workload,
    )?;
    report.bounded(
        "login page (GET /u/login) requests/s",
        login_pages.requests_per_second,
        "/healthz requests/s",
        healthz.requests_per_second,
    );
    // Enough codes for the exchanges to run at the limit for the whole workload, and a half.
    let codes = (limits.rsa / 2.0 * workload.as_secs_f64() * 1.5 / FLOW_WORKERS as f64) as usize;
    let exchanges = flows::code_exchanges(&login, FLOW_WORKERS, codes.max(100), workload)?;
    report.bounded(
        "authorization_code exchanges/s (access + ID token, RS256)",
        exchanges.requests_per_second,
        "half the RSA-2048 signatures/s",
        limits.rsa / 2.0,
    );
    let bcrypt_logins = flows::password_logins(&login, FLOW_WORKERS, workload)?;
    report.bounded(
        "full password logins/s, bcrypt cost 10",
        bcrypt_logins.requests_per_second,
        "bcrypt verifications/s, all cores",
        limits.bcrypt,
    );
    report.latency("code exchange", &exchanges);
    report.latency("full password login, bcrypt", &bcrypt_logins);

    // One request per user, as a script seeding through the API would, for comparison.
    let posted = args.users.min(POSTED_USERS);
    let seeding = Instant::now();
    admin.create_users(posted, 8)?;
    let seeding = seeding.elapsed().as_secs_f64();
    report.absolute(
        &format!("seeding {posted} users through POST /api/v2/users"),
        seeding,
        "s",
    );
    // The searched users, in Auth0's bulk format.
    let importing = Instant::now();
    admin.import_users(args.users, USERS_PER_IMPORT)?;
    let importing = importing.elapsed().as_secs_f64();
    report.absolute(
        &format!(
            "importing {} users with bcrypt custom_password_hash through jobs/users-imports",
            args.users
        ),
        importing,
        "s",
    );
    args.db.settle(&database_url)?;
    report.bounded(
        "users imported/s",
        args.users as f64 / importing,
        "users created/s through POST /api/v2/users",
        posted as f64 / seeding,
    );
    let users = args.users.max(1);
    let get_user = wrk.run(
        &Request::get_each(
            &base,
            &format!(
                r#""/api/v2/users/auth0%7Cuser-" .. math.random(0, {})"#,
                users - 1
            ),
        )
        .bearer(&admin.token),
        workload,
    )?;
    report.bounded(
        &format!("GET /api/v2/users/{{id}} requests/s, {} users", args.users),
        get_user.requests_per_second,
        "/healthz requests/s",
        healthz.requests_per_second,
    );
    report.latency("GET /api/v2/users/{id} (32 connections)", &get_user);
    for (name, path) in [
        (
            "users search, q=email:\"user-<n>@…\" (exact)",
            format!(
                r#""/api/v2/users?q=email%3A%22user-" .. math.random(0, {}) .. "%40{USER_DOMAIN}%22""#,
                users - 1
            ),
        ),
        (
            "users search, q=email:user-<n>* (prefix)",
            format!(
                r#""/api/v2/users?q=email%3Auser-" .. math.random(0, {}) .. "*""#,
                (users / 100).max(1)
            ),
        ),
    ] {
        let search = wrk.run_serial(
            &Request::get_each(&base, &path).bearer(&admin.token),
            workload,
        )?;
        report.latency(
            &format!("{name}, {} users, one connection", args.users),
            &search,
        );
    }

    report.absolute(
        "resident memory, after the run",
        first.resident_kib()? as f64 / 1024.0,
        "MiB",
    );
    let port = first.port();
    first.stop()?;

    // The same database again, now hashing new passwords with argon2id.
    let again = Server::start(&Launch {
        binary: &binary,
        database_url: &database_url,
        password_hash: "argon2id",
        port: Some(port),
    })?;
    report.absolute(
        "start on an existing database, to first 200",
        again.started_in.as_secs_f64() * 1000.0,
        "ms",
    );
    // A first start also runs every migration and generates a key; a restart does neither.
    report.absolute(
        "resident memory, idle after that start",
        again.resident_kib()? as f64 / 1024.0,
        "MiB",
    );
    let argon_user = format!("argon2id@{USER_DOMAIN}");
    Admin::new(again.client(), &again.management_audience())?
        .create_password_user(&argon_user, USER_PASSWORD)?;
    let faults_before = again.minor_faults()?;
    let argon_logins = flows::password_logins(
        &Login {
            base: again.base_url(),
            username: argon_user,
            ..login
        },
        FLOW_WORKERS,
        workload,
    )?;
    report.bounded(
        "full password logins/s, argon2id (19 MiB, 2 passes)",
        argon_logins.requests_per_second,
        "argon2id verifications/s, all cores",
        limits.argon2id,
    );
    report.latency("full password login, argon2id", &argon_logins);
    let faults = again.minor_faults()? - faults_before;
    let logins = argon_logins.requests_per_second * workload.as_secs_f64();
    report.absolute(
        "minor page faults per argon2id login",
        faults as f64 / logins.max(1.0),
        "faults",
    );
    report.absolute(
        "resident memory, after the argon2id logins",
        again.resident_kib()? as f64 / 1024.0,
        "MiB",
    );
    again.stop()?;

    if let (Some(peer), Some(client_id), Some(client_secret)) =
        (&args.base_url, &args.client_id, &args.client_secret)
    {
        let peer = format!("{}/", peer.trim_end_matches('/'));
        Endpoints {
            base: &peer,
            client_id,
            client_secret,
            audience: args.audience.as_deref(),
        }
        .measure(
            &wrk,
            workload,
            &limits,
            healthz.requests_per_second,
            &mut report,
            "peer ",
        )?;
    }

    report.write().context("writing the report")?;
    Ok(())
}

/// The single-endpoint workloads any Auth0-compatible server answers: JWKS, discovery and
/// client_credentials.
#[derive(Debug)]
struct Endpoints<'a> {
    base: &'a str,
    client_id: &'a str,
    client_secret: &'a str,
    audience: Option<&'a str>,
}

impl Endpoints<'_> {
    fn client_credentials(&self) -> Request {
        let mut body = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            urlencode(self.client_id),
            urlencode(self.client_secret)
        );
        if let Some(audience) = self.audience {
            body.push_str(&format!("&audience={}", urlencode(audience)));
        }
        Request::post_form(&format!("{}oauth/token", self.base), &body)
    }

    /// Measures the three workloads; `label` prefixes each figure's name. Returns the
    /// client_credentials outcome.
    fn measure(
        &self,
        wrk: &Wrk,
        workload: Duration,
        limits: &Limits,
        healthz: f64,
        report: &mut Report,
        label: &str,
    ) -> Result<load::Outcome> {
        let base = self.base;
        // The peer must answer before its figures mean anything.
        Client::new(base)
            .get("/.well-known/openid-configuration", None)
            .and_then(|reply| reply.json())
            .with_context(|| format!("{base} has no discovery document"))?;
        let jwks = wrk.run(
            &Request::get(&format!("{base}.well-known/jwks.json")),
            workload,
        )?;
        let discovery = wrk.run(
            &Request::get(&format!("{base}.well-known/openid-configuration")),
            workload,
        )?;
        let tokens = wrk.run(&self.client_credentials(), workload)?;
        report.bounded(
            &format!("{label}client_credentials tokens/s, RS256"),
            tokens.requests_per_second,
            "RSA-2048 signatures/s, all cores",
            limits.rsa,
        );
        report.bounded(
            &format!("{label}JWKS requests/s"),
            jwks.requests_per_second,
            "/healthz requests/s",
            healthz,
        );
        report.bounded(
            &format!("{label}discovery requests/s"),
            discovery.requests_per_second,
            "/healthz requests/s",
            healthz,
        );
        Ok(tokens)
    }
}

/// The command as typed, for the report.
fn command_line(args: &BenchArgs) -> String {
    let mut line = format!(
        "cargo xtask bench --seconds {} --limit-seconds {} --db {} --users {}",
        args.seconds,
        args.limit_seconds,
        args.db.name(),
        args.users
    );
    if let Some(peer) = &args.base_url {
        line.push_str(&format!(
            " --base-url {peer} --client-id … --client-secret …"
        ));
    }
    line
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

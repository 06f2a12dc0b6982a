//! Library mode: AuthHero mounted inside your own axum service, on an in-memory SQLite database.
//!
//! `cargo run -p authhero-server --example embedded`, then open
//! <http://localhost:3000/.well-known/openid-configuration> beside your own <http://localhost:3000/>.

use authhero::bootstrap::{BootstrapOptions, bootstrap};
use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issuer = "http://localhost:3000/";
    let database = authhero_sea_orm::Database::connect("sqlite::memory:").await?;
    database.migrate().await?;
    let adapters = database.adapters();
    if let Some(seeded) = bootstrap(&adapters, issuer, BootstrapOptions::default()).await? {
        println!(
            "admin client_id {}, secret {:?}",
            seeded.admin_client_id, seeded.generated_secret
        );
    }
    let app = Router::new()
        .route(
            "/",
            get(|| async { "your own service, with AuthHero beside it" }),
        )
        .merge(authhero::AuthHero::new(adapters).issuer(issuer)?.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000");
    // authhero::serve gives every request its peer address (brute-force protection counts per
    // IP) and deadlines against slow clients; a plain `axum::serve` would count every caller as
    // one.
    authhero::serve(
        listener,
        app,
        authhero::HEADER_READ_TIMEOUT,
        std::future::pending(),
    )
    .await?;
    Ok(())
}

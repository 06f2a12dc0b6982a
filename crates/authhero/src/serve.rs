//! Serving the router over TCP, with what an identity server exposed to the internet needs:
//! deadlines for the request head and the whole request, so clients that send nothing, half a
//! header or a body a byte at a time cannot hold connections; a bound on open connections; the
//! peer address for brute-force protection; and a graceful drain on shutdown.
//!
//! HTTP/1.1 only: TLS terminates in front of the server, and hyper's protocol sniffing for
//! cleartext HTTP/2 reads the first bytes with no deadline, so a silent client would stay.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;
use tower_http::timeout::TimeoutLayer;

/// How long a client may take to send its request head (line and headers), counted from the
/// connection's start or the end of the previous answer.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one request may take, body included, before it is answered 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections open at once; more wait in the listen backlog instead of exhausting descriptors.
const MAX_CONNECTIONS: usize = 4_096;

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
/// Each request carries the peer's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let router = router.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(peer));
            router.clone().call(request)
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            // A client that goes away or times out ends its own connection; nothing to report.
            let _ = watcher.watch(connection).await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

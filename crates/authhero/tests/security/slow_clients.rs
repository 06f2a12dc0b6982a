//! Finding 10: a declared oversized body got no early 413, and clients sending half a header
//! held connections open. Bodies are refused by their declared length, and the serve loop gives
//! each client a deadline for its first byte and its request head, idle or not.

use std::time::Duration;

use anyhow::{Context, ensure};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support;
use crate::{ISSUER, Server};

#[tokio::test]
async fn a_declared_oversized_body_is_refused_before_it_is_read() -> anyhow::Result<()> {
    let server = Server::start().await?;
    for path in ["/oauth/token", "/u/login", "/api/v2/users"] {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CONTENT_LENGTH, "20000000")
            .body(Body::empty())?;
        let reply = server.send(request).await?;
        ensure!(
            reply.status == StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {} {}",
            reply.status,
            reply.body
        );
    }
    Ok(())
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut TcpStream) -> anyhow::Result<String> {
    let mut received = Vec::new();
    stream.read_to_end(&mut received).await?;
    Ok(String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn the_serve_loop_drops_half_sent_headers_and_answers_oversized_bodies_at_once()
-> anyhow::Result<()> {
    let (adapters, _) = support::bootstrapped(ISSUER).await?;
    let router = authhero::AuthHero::new(adapters).issuer(ISSUER)?.router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(authhero::serve(
        listener,
        router,
        Duration::from_millis(300),
        async {
            let _ = stopped.await;
        },
    ));

    // Half a request head, then silence: the server hangs up after the deadline. The bound is
    // generous so a loaded machine does not fail the test; without a deadline it never closes.
    let mut slow = TcpStream::connect(address).await?;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Half: ")
        .await?;
    let closed = tokio::time::timeout(Duration::from_secs(20), read_to_close(&mut slow)).await;
    ensure!(
        closed.is_ok(),
        "a half-sent header kept its connection open"
    );

    // Nothing at all after connecting: dropped too.
    let mut silent = TcpStream::connect(address).await?;
    let closed = tokio::time::timeout(Duration::from_secs(20), read_to_close(&mut silent)).await;
    ensure!(closed.is_ok(), "a silent connection stayed open");

    // A kept-alive connection that goes quiet after its request is dropped as well.
    let mut idle = TcpStream::connect(address).await?;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await?;
    let answered = tokio::time::timeout(Duration::from_secs(20), read_to_close(&mut idle))
        .await
        .context("an idle kept-alive connection stayed open")??;
    ensure!(
        answered.starts_with("HTTP/1.1 200"),
        "healthz: {answered:?}"
    );

    // A declared 20 MB body is answered 413 without the body ever being sent.
    let mut big = TcpStream::connect(address).await?;
    big.write_all(
        b"POST /oauth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000000\r\n\r\n",
    )
    .await?;
    let mut head = vec![0_u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(20), big.read(&mut head))
        .await
        .context("no answer to an oversized declared body")??;
    let head = String::from_utf8_lossy(&head[..read]).into_owned();
    ensure!(head.starts_with("HTTP/1.1 413"), "answered {head:?}");

    // And a whole request is served.
    let mut plain = TcpStream::connect(address).await?;
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let answer = read_to_close(&mut plain).await?;
    ensure!(answer.starts_with("HTTP/1.1 200"), "healthz: {answer:?}");

    drop((slow, big));
    let _ = stop.send(());
    serving.await??;
    Ok(())
}

//! The listening socket of `gpteam serve`: a plain bind, or with `--reuse-port` one that
//! several `gpteam serve` processes bind to the same port (SO_REUSEPORT), the kernel
//! spreading new connections across them — so two processes serve one address with no
//! proxy, and one can be killed or restarted while the other answers.
use anyhow::Context;
use socket2::{Domain, Protocol, Socket, Type};
use std::net::SocketAddr;

pub async fn bind(addr: &str, reuse_port: bool) -> anyhow::Result<tokio::net::TcpListener> {
    if !reuse_port {
        return tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"));
    }
    let addr: SocketAddr = tokio::net::lookup_host(addr)
        .await
        .with_context(|| format!("resolving {addr}"))?
        .next()
        .with_context(|| format!("{addr} names no address"))?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket
        .bind(&addr.into())
        .with_context(|| format!("listening on {addr}"))?;
    socket.listen(1024)?;
    Ok(tokio::net::TcpListener::from_std(socket.into())?)
}

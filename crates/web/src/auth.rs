//! Who is asking: the `CurrentUser` extractor, and logging in and out (pages and API).
use crate::AppState;
use crate::error::WebError;
use app::{Actor, AppError};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use tower_sessions::Session;

const USER_KEY: &str = "user_id";
const EPOCH_KEY: &str = "session_epoch";
/// When the session was started (Unix seconds, by the app's clock): a session ends
/// `SignInPolicy::session_lifetime` after it, however active.
const STARTED_KEY: &str = "session_started";

/// The logged-in user. Pages without one redirect to the log-in page; the API answers 401.
pub struct CurrentUser {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let api = parts.uri.path().starts_with("/api/");
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let login_required = || WebError::LoginRequired {
            api,
            next: next.clone(),
        };
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| login_required())?;
        let user_id: Option<String> = session.get(USER_KEY).await.map_err(|_| login_required())?;
        let Some(user_id) = user_id else {
            return Err(login_required());
        };
        let epoch: i64 = session
            .get(EPOCH_KEY)
            .await
            .map_err(|_| login_required())?
            .unwrap_or(0);
        let started: Option<i64> = session
            .get(STARTED_KEY)
            .await
            .map_err(|_| login_required())?;
        let now = state.app.clock().now().timestamp();
        let lifetime = state.sign_in.session_lifetime.as_secs();
        // A session from before the absolute lifetime existed has no start: it ends too.
        if started
            .is_none_or(|at| now.saturating_sub(at) >= i64::try_from(lifetime).unwrap_or(i64::MAX))
        {
            let _ = session.flush().await;
            return Err(login_required());
        }
        match state.app.accounts().session_actor(&user_id, epoch).await {
            Ok(actor) => {
                // A system administrator sets up two-factor sign-in before anything else.
                let setting_up = parts.uri.path().starts_with("/account/two-factor");
                if !setting_up && state.app.accounts().needs_two_factor_setup(&actor).await? {
                    return Err(WebError::TwoFactorSetupRequired { api });
                }
                Ok(CurrentUser { actor })
            }
            Err(AppError::Unauthenticated) => {
                let _ = session.flush().await;
                Err(login_required())
            }
            Err(other) => Err(if api {
                WebError::Api(other)
            } else {
                WebError::Page(other)
            }),
        }
    }
}

/// The address failed log-ins are counted against: the connecting peer or, when the peer
/// is a trusted proxy (`SignInPolicy::trusted_proxies`), the address `X-Forwarded-For`
/// gives for it.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        // Lossy, so that bytes a client put in front cannot hide what the proxy appended.
        let forwarded: Vec<String> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect();
        let forwarded: Vec<&str> = forwarded.iter().map(String::as_str).collect();
        let trusted = &state.sign_in.trusted_proxies;
        let client = peer.map(|peer| client_ip(peer, &forwarded, trusted));
        Ok(ClientAddr(
            client.map_or_else(|| "unknown".into(), |ip| ip.to_string()),
        ))
    }
}

/// The client behind `peer`: `X-Forwarded-For` (every header, in order) is read only when
/// the peer is trusted, from the right, skipping trusted proxies; the first address not
/// trusted is the client. Anything unreadable stops the walk at the last trusted hop, so
/// a forged entry cannot name another client.
pub(crate) fn client_ip(peer: IpAddr, forwarded: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    let mut client = canonical(peer);
    if !is_trusted(&client) {
        return client;
    }
    let hops = forwarded.iter().flat_map(|header| header.split(','));
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = canonical(ip);
                if !is_trusted(&client) {
                    return client;
                }
            }
            Err(_) => return client,
        }
    }
    client
}

/// IPv4 addresses seen through an IPv6 socket (`::ffff:10.0.0.1`) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// Starts a session for the user, with a fresh id so an old cookie cannot be reused.
/// The session remembers the account's epoch, so raising it ends the session.
pub(crate) async fn start_session(
    state: &AppState,
    session: &Session,
    actor: &Actor,
) -> Result<(), AppError> {
    let epoch = state.app.accounts().session_epoch(&actor.user_id).await?;
    let internal = |e: tower_sessions::session::Error| AppError::Internal(e.to_string());
    session.cycle_id().await.map_err(internal)?;
    crate::csrf::forget_token(session).await.map_err(internal)?;
    session
        .insert(USER_KEY, &actor.user_id)
        .await
        .map_err(internal)?;
    session.insert(EPOCH_KEY, epoch).await.map_err(internal)?;
    let started = state.app.clock().now().timestamp();
    session.insert(STARTED_KEY, started).await.map_err(internal)
}

pub(crate) async fn end_session(session: &Session) {
    let _ = session.flush().await;
}

#[cfg(test)]
mod tests {
    use super::client_ip;
    use ipnet::IpNet;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        // No proxy trusted: the peer, whatever the header says.
        assert_eq!(
            client_ip(ip("10.1.1.1"), &["203.0.113.9"], &[]),
            ip("10.1.1.1")
        );
        // An untrusted peer cannot name another client.
        assert_eq!(
            client_ip(ip("198.51.100.7"), &["203.0.113.9"], &trusted),
            ip("198.51.100.7")
        );
        // A trusted proxy: the right-most address that is not a proxy.
        assert_eq!(
            client_ip(
                ip("10.1.1.1"),
                &["1.2.3.4, 203.0.113.9, 10.2.2.2"],
                &trusted
            ),
            ip("203.0.113.9")
        );
        // Several headers are one list, in order.
        assert_eq!(
            client_ip(ip("::1"), &["1.2.3.4", "203.0.113.9"], &trusted),
            ip("203.0.113.9")
        );
        // IPv4 through an IPv6 socket is matched as IPv4.
        assert_eq!(
            client_ip(ip("::ffff:10.1.1.1"), &["203.0.113.9"], &trusted),
            ip("203.0.113.9")
        );
        // Garbage stops the walk at the last trusted hop; no header leaves the proxy.
        assert_eq!(
            client_ip(ip("10.1.1.1"), &["1.2.3.4, nonsense"], &trusted),
            ip("10.1.1.1")
        );
        assert_eq!(client_ip(ip("10.1.1.1"), &[], &trusted), ip("10.1.1.1"));
        // Every hop trusted: the left-most.
        assert_eq!(
            client_ip(ip("10.1.1.1"), &["10.9.9.9, 10.2.2.2"], &trusted),
            ip("10.9.9.9")
        );
    }
}

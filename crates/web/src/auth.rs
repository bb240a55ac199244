//! Who is asking: the `CurrentUser` extractor, and logging in and out (pages and API).
use crate::AppState;
use crate::error::WebError;
use app::{Actor, AppError};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;
use tower_sessions::Session;

const USER_KEY: &str = "user_id";
const EPOCH_KEY: &str = "session_epoch";

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
        match state.app.session_actor(&user_id, epoch).await {
            Ok(actor) => {
                // A system administrator sets up two-factor sign-in before anything else.
                let setting_up = parts.uri.path().starts_with("/account/two-factor");
                if !setting_up && state.app.needs_two_factor_setup(&actor).await? {
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

/// The address failed log-ins are counted against: the connecting peer.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(ClientAddr(peer.unwrap_or_else(|| "unknown".into())))
    }
}

/// Starts a session for the user, with a fresh id so an old cookie cannot be reused.
/// The session remembers the account's epoch, so raising it ends the session.
pub(crate) async fn start_session(
    state: &AppState,
    session: &Session,
    actor: &Actor,
) -> Result<(), AppError> {
    let epoch = state.app.session_epoch(&actor.user_id).await?;
    let internal = |e: tower_sessions::session::Error| AppError::Internal(e.to_string());
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(USER_KEY, &actor.user_id)
        .await
        .map_err(internal)?;
    session.insert(EPOCH_KEY, epoch).await.map_err(internal)
}

pub(crate) async fn end_session(session: &Session) {
    let _ = session.flush().await;
}

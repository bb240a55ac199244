//! The web tier of gpteam: server-rendered pages in the NHS design system, a JSON API under
//! `/api` with its OpenAPI document, and the embedded static assets. See README.md.
//!
//! Handlers hold no state of their own: the database is the only shared state, so several
//! instances can serve one PostgreSQL. Every handler gets the user through the `CurrentUser`
//! extractor and calls an `app` use case, which checks role and tenant.

mod api;
mod assets;
mod auth;
mod csrf;
mod error;
mod error_nav;
mod guard;
mod input;
mod layout;
pub mod limits;
mod pages;
mod server;

use axum::Router;
use axum::routing::MethodRouter;
use std::sync::Arc;
use tower_sessions::{Expiry, SessionManagerLayer};

pub use api::openapi_document;
pub use error::WebError;
pub use server::{ServeLimits, serve, serve_with};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: app::App,
    /// Sends invitations and password resets (SMTP, or the server log).
    pub mailer: Arc<dyn app::mail::Mailer>,
    /// The address people reach gpteam at, for links in emails (no trailing slash).
    pub public_url: String,
    pub sign_in: Arc<SignInPolicy>,
}

/// Who is believed about a client's address, and how long a session may last.
#[derive(Debug, Clone)]
pub struct SignInPolicy {
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxies`); empty: the
    /// connecting peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A session ends this long after log-in, however active (8 hours idle ends it sooner).
    pub session_lifetime: std::time::Duration,
}

impl Default for SignInPolicy {
    fn default() -> SignInPolicy {
        SignInPolicy {
            trusted_proxies: Vec::new(),
            session_lifetime: std::time::Duration::from_secs(12 * 3600),
        }
    }
}

/// How the web tier is set up for one deployment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (only sent over HTTPS). Off only for plain-HTTP local use.
    pub secure_cookies: bool,
    /// Sends invitations and password resets (SMTP, or the server log).
    pub mailer: Arc<dyn app::mail::Mailer>,
    /// The address people reach gpteam at, for links in emails: `http://host:port`.
    pub public_url: String,
    pub sign_in: SignInPolicy,
}

/// One route as registered: the access-matrix test walks this list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
}

/// Builds the router and, beside it, the list of every route it serves.
pub(crate) struct Routes {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub(crate) fn get(self, path: &'static str, handler: MethodRouter<AppState>) -> Routes {
        self.add("GET", path, handler)
    }

    pub(crate) fn post(self, path: &'static str, handler: MethodRouter<AppState>) -> Routes {
        self.add("POST", path, handler)
    }

    pub(crate) fn put(self, path: &'static str, handler: MethodRouter<AppState>) -> Routes {
        self.add("PUT", path, handler)
    }

    /// A POST that uploads a file: `body_limit` instead of `limits::BODY_LIMIT`, and more
    /// time. Its handler must find the user before it reads the body.
    pub(crate) fn upload(
        mut self,
        path: &'static str,
        handler: MethodRouter<AppState>,
        body_limit: usize,
    ) -> Routes {
        self.table.push(RouteInfo {
            method: "POST",
            path,
        });
        self.router = self.router.route(path, limits::upload(handler, body_limit));
        self
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Routes {
        self.table.push(RouteInfo { method, path });
        self.router = self.router.route(path, limits::ordinary(handler));
        self
    }
}

fn routes() -> Routes {
    let routes = Routes::new();
    let routes = pages::routes(routes);
    api::routes(routes)
}

/// Every route the product serves, in registration order.
pub fn route_table() -> Vec<RouteInfo> {
    routes().table
}

/// The whole web application, ready to serve.
pub fn router(
    app: app::App,
    sessions: store::accounts::sessions::SessionBackend,
    config: &WebConfig,
) -> Router {
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("gpteam_session")
        .with_secure(config.secure_cookies)
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)));
    let state = AppState {
        app,
        mailer: config.mailer.clone(),
        public_url: config.public_url.trim_end_matches('/').to_string(),
        sign_in: Arc::new(config.sign_in.clone()),
    };
    let router = routes()
        .router
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error_nav::keep_navigation,
        ))
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(limits::BODY_LIMIT))
        .layer(session_layer);
    guard::layers(router, config.secure_cookies)
}

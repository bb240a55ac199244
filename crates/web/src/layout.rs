//! What every page shares: the navigation for the user's role, the user badge and the
//! CSRF token for the log-out form (and any other form on the page).
use app::Actor;
use domain::account::UserRole;

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct UserBadge {
    pub name: String,
    pub role_label: String,
    pub org_label: String,
}

/// Passed to every template as `ctx`.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub nav: Vec<NavItem>,
    pub user: Option<UserBadge>,
    pub csrf_token: String,
    /// The user's unread notifications, for the header link.
    pub unread: i64,
}

impl PageCtx {
    pub fn anonymous() -> PageCtx {
        PageCtx {
            nav: Vec::new(),
            user: None,
            csrf_token: String::new(),
            unread: 0,
        }
    }

    /// The page context for a logged-in user on the page at `path`.
    pub fn new(actor: &Actor, csrf_token: String, path: &str) -> PageCtx {
        let mut items: Vec<(String, &str)> = Vec::new();
        let org = &actor.org;
        match actor.role {
            UserRole::PracticeManager => {
                items.push((format!("/practices/{org}"), "Dashboard"));
                items.push((format!("/practices/{org}/staff"), "Team"));
                items.push((format!("/practices/{org}/leave"), "Leave"));
                items.push(("/rotas".into(), "Rota"));
                items.push((format!("/practices/{org}/rota/cover"), "Cover template"));
                items.push((format!("/practices/{org}/sites"), "Sites and rooms"));
                items.push((format!("/practices/{org}/training"), "Training"));
                items.push((format!("/practices/{org}/wellbeing"), "Wellbeing"));
                items.push(("/import".into(), "Import"));
                items.push(("/accounts".into(), "Accounts"));
                items.push(("/audit".into(), "Audit trail"));
            }
            UserRole::PcnManager => {
                items.push((format!("/pcns/{org}"), "PCN"));
                items.push(("/rotas".into(), "Rota"));
                items.push((format!("/pcns/{org}/rota/cover"), "Cover template"));
                items.push((format!("/pcns/{org}/training"), "Training"));
                items.push((format!("/pcns/{org}/coaching"), "Coaching"));
                items.push((format!("/pcns/{org}/wellbeing"), "Wellbeing"));
                items.push(("/import".into(), "Import"));
                items.push(("/accounts".into(), "Accounts"));
                items.push(("/audit".into(), "Audit trail"));
            }
            UserRole::IcsViewer => items.push(("/system".into(), "System overview")),
            UserRole::SystemAdmin => {
                items.push(("/admin".into(), "Organisations"));
                items.push(("/import".into(), "Import"));
                items.push(("/accounts".into(), "Accounts"));
                items.push(("/audit".into(), "Audit trail"));
            }
            UserRole::Staff => {}
        }
        if actor.staff_id.is_some() {
            items.push(("/me".into(), "My details and leave"));
            items.push(("/me/development".into(), "My development"));
            // Managers reach these from "My details and leave", keeping their menu short.
            if actor.role == UserRole::Staff {
                items.push(("/me/rota".into(), "My rota"));
                items.push(("/me/training".into(), "My training"));
                items.push(("/checkin".into(), "Wellbeing check-in"));
            }
        }
        // The current item is the longest link the path is on (so "My training" and not
        // "My details" on /me/training, and the dashboard only on itself).
        let on = |href: &str| {
            path == href
                || (href.len() > 1
                    && path.starts_with(&format!("{href}/"))
                    && !items_is_prefix_root(href))
        };
        let current = items
            .iter()
            .filter(|(href, _)| on(href))
            .map(|(href, _)| href.len())
            .max();
        let nav = items
            .into_iter()
            .map(|(href, label)| NavItem {
                current: on(&href) && Some(href.len()) == current,
                href,
                label: label.to_string(),
            })
            .collect();
        PageCtx {
            nav,
            user: Some(UserBadge {
                name: actor.name.clone(),
                role_label: actor.role.label().into(),
                org_label: if actor.org_name.is_empty() {
                    actor.org.clone()
                } else {
                    actor.org_name.clone()
                },
            }),
            csrf_token,
            unread: actor.unread_notifications,
        }
    }
}

/// The dashboard link is a prefix of every practice page; it is current only on itself.
fn items_is_prefix_root(href: &str) -> bool {
    href.starts_with("/practices/") && href.matches('/').count() == 2
}

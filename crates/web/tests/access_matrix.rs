//! The access matrix: every route the router serves × every kind of user × own and other
//! tenant, with the outcome each must get. A route without an entry here fails the test, so
//! a new route cannot ship without a decision about who may use it.
use super::on_both;
use crate::support::*;
use std::collections::BTreeMap;
use store::Backend;
use store::accounts::tokens::Purpose;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    PcnManager,
    PracticeManager,
    Staff,
    IcsViewer,
    /// Reaches every organisation: where allowed, on the other tenant too.
    SystemAdmin,
}

const EVERYONE: &[Who] = &[
    Who::Anonymous,
    Who::PcnManager,
    Who::PracticeManager,
    Who::Staff,
    Who::IcsViewer,
    Who::SystemAdmin,
];
const LOGGED_IN: &[Who] = &[
    Who::PcnManager,
    Who::PracticeManager,
    Who::Staff,
    Who::IcsViewer,
    Who::SystemAdmin,
];
/// Organisations and reference data: the system administrator alone.
const ADMIN_ONLY: &[Who] = &[Who::SystemAdmin];
/// The team register import: managers for their own people, and the administrator.
const STAFF_IMPORTERS: &[Who] = &[Who::PcnManager, Who::PracticeManager, Who::SystemAdmin];
const MANAGERS: &[Who] = &[Who::PcnManager, Who::PracticeManager];
/// Those who run accounts: invite, list, disable, enable.
const ACCOUNT_MANAGERS: &[Who] = &[Who::PcnManager, Who::PracticeManager, Who::SystemAdmin];
/// A person's data (export, erasure): the employer's manager, and the administrator.
const PERSON_DATA: &[Who] = &[Who::PracticeManager, Who::SystemAdmin];
/// Role changes: a PCN manager within its authority, and the administrator.
const ROLE_CHANGERS: &[Who] = &[Who::PcnManager, Who::SystemAdmin];
/// Accounts linked to a staff record (the demo managers are members of staff too).
const WITH_STAFF_RECORD: &[Who] = &[Who::PcnManager, Who::PracticeManager, Who::Staff];
const PCN_READERS: &[Who] = &[Who::PcnManager, Who::IcsViewer];
const ICS_ONLY: &[Who] = &[Who::IcsViewer];
/// A practice's payment lines: its managers (and the administrator, who reaches every
/// organisation); a PCN's payment totals: its managers and its ICS's viewers.
const PRACTICE_PAYMENTS: &[Who] = &[Who::PcnManager, Who::PracticeManager, Who::SystemAdmin];
const PCN_PAYMENTS: &[Who] = &[Who::PcnManager, Who::IcsViewer, Who::SystemAdmin];
/// Anyone allowed at a site: its practice's managers and the people who work there.
const AT_THE_SITE: &[Who] = &[Who::PcnManager, Who::PracticeManager, Who::Staff];
/// Room use of a practice as aggregates: its managers and the ICS viewer.
const ESTATES_READERS: &[Who] = &[Who::PcnManager, Who::PracticeManager, Who::IcsViewer];

/// What a route's path parameters point at.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    /// No tenant in the path: the same request for everyone.
    None,
    Practice,
    Pcn,
    /// The own ICS (the ICS viewer's) or the other one.
    Ics,
    Staff,
    Site,
    Room,
    Leave,
    Vacancy,
    /// A topic of the practice's own training catalogue.
    Topic,
    TrainingRecord,
    Evidence,
    /// A coaching session of the staff log-in's own record (own) or of the other PCN.
    CoachingSession,
    /// A goal of the practice manager's own plan (own) or of the other tenant's person.
    Goal,
    /// A rota of the own or the other practice.
    Rota,
    /// A swap request on a rota of the own or the other practice.
    Swap,
    /// A session request of a person of the own practice or of the other tenant.
    SessionRequest,
    /// An import kind of reference data (`ods-practices`), the same for every tenant.
    ImportKind,
    /// A team register import held for the own practice manager (own), or for the other
    /// tenant's manager.
    HeldImport,
    /// The own staff log-in's calendar feed file, `<token>.ics` (public: the token is
    /// the secret, so it answers whoever has it).
    CalendarFeed,
    /// A fresh staff account of the own practice, or the other tenant's manager's account.
    Account,
    /// A fresh, unused invitation token (public: the token is the secret).
    InvitationLink,
    /// A fresh, unused password reset token of a staff account.
    ResetLink,
    /// A set-up token (dead, as the test database has accounts).
    SetupLink,
    /// A fresh notification of the user asking (own), or of the other tenant's manager.
    Notification,
}

/// How the request body is sent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Body {
    Empty,
    Form,
    Multipart,
    /// Multipart to the API, with the `X-Requested-With` header it requires.
    ApiMultipart,
    Json,
    /// A file as the body, `text/csv` (the import API).
    Csv,
}

struct Entry {
    target: Target,
    body: Body,
    /// Who gets through on their own tenant. On the other tenant nobody does.
    allowed: &'static [Who],
    /// Public routes (log-in, health, assets) answer everyone, logged in or not.
    public: bool,
}

fn entry(target: Target, body: Body, allowed: &'static [Who]) -> Entry {
    Entry {
        target,
        body,
        allowed,
        public: false,
    }
}

fn public(body: Body) -> Entry {
    Entry {
        target: Target::None,
        body,
        allowed: EVERYONE,
        public: true,
    }
}

/// A public route behind a one-time link: answered for everyone who has the link.
fn link(target: Target, body: Body) -> Entry {
    Entry {
        target,
        ..public(body)
    }
}

fn matrix() -> BTreeMap<(&'static str, &'static str), Entry> {
    use Body::*;
    use Target::*;
    let rows = [
        (("GET", "/"), entry(None, Empty, LOGGED_IN)),
        (("GET", "/login"), public(Empty)),
        (("POST", "/login"), public(Form)),
        (("POST", "/logout"), public(Form)),
        // Accounts people run themselves.
        (("GET", "/setup/{token}"), link(SetupLink, Empty)),
        (("POST", "/setup/{token}"), link(SetupLink, Form)),
        (("GET", "/invitations/{token}"), link(InvitationLink, Empty)),
        (("POST", "/invitations/{token}"), link(InvitationLink, Form)),
        (("GET", "/password-reset"), public(Empty)),
        (("POST", "/password-reset"), public(Form)),
        (("GET", "/password-reset/{token}"), link(ResetLink, Empty)),
        (("POST", "/password-reset/{token}"), link(ResetLink, Form)),
        (("GET", "/account/password"), entry(None, Empty, LOGGED_IN)),
        (("POST", "/account/password"), entry(None, Form, LOGGED_IN)),
        (("GET", "/accounts"), entry(None, Empty, ACCOUNT_MANAGERS)),
        (
            ("GET", "/accounts/invite"),
            entry(None, Empty, ACCOUNT_MANAGERS),
        ),
        (
            ("POST", "/accounts/invite"),
            entry(None, Form, ACCOUNT_MANAGERS),
        ),
        (
            ("POST", "/accounts/{id}/disable"),
            entry(Account, Form, ACCOUNT_MANAGERS),
        ),
        (
            ("POST", "/accounts/{id}/enable"),
            entry(Account, Form, ACCOUNT_MANAGERS),
        ),
        (
            ("POST", "/accounts/{id}/role"),
            entry(Account, Form, ROLE_CHANGERS),
        ),
        (
            ("POST", "/api/invitations"),
            entry(None, Json, ACCOUNT_MANAGERS),
        ),
        (
            ("POST", "/api/invitations/{token}/accept"),
            link(InvitationLink, Json),
        ),
        (("POST", "/api/password-resets"), public(Json)),
        (
            ("POST", "/api/password-resets/{token}"),
            link(ResetLink, Json),
        ),
        (
            ("GET", "/api/accounts"),
            entry(None, Empty, ACCOUNT_MANAGERS),
        ),
        (
            ("POST", "/api/accounts/{id}/disable"),
            entry(Account, Json, ACCOUNT_MANAGERS),
        ),
        (
            ("POST", "/api/accounts/{id}/enable"),
            entry(Account, Json, ACCOUNT_MANAGERS),
        ),
        // Two-factor sign-in: the code step of logging in is public (it answers only a
        // session whose password was just checked); everyone sets up their own.
        (("GET", "/login/two-factor"), public(Empty)),
        (("POST", "/login/two-factor"), public(Form)),
        (
            ("GET", "/account/two-factor"),
            entry(None, Empty, LOGGED_IN),
        ),
        (
            ("POST", "/account/two-factor"),
            entry(None, Form, LOGGED_IN),
        ),
        (
            ("POST", "/account/two-factor/disable"),
            entry(None, Form, LOGGED_IN),
        ),
        (("GET", "/assets/{*path}"), public(Empty)),
        (
            ("GET", "/practices/{ods}"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/practices/{ods}/staff"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/practices/{ods}/staff/new"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/practices/{ods}/staff"),
            entry(Practice, Form, MANAGERS),
        ),
        (
            ("GET", "/practices/{ods}/staff/export"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/staff/template.csv"),
            entry(None, Empty, LOGGED_IN),
        ),
        (
            ("GET", "/staff/template.xlsx"),
            entry(None, Empty, LOGGED_IN),
        ),
        (("GET", "/staff/{id}"), entry(Staff, Empty, MANAGERS)),
        (("POST", "/staff/{id}"), entry(Staff, Form, MANAGERS)),
        (
            ("GET", "/practices/{ods}/vacancies/new"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/practices/{ods}/vacancies"),
            entry(Practice, Form, MANAGERS),
        ),
        (
            ("POST", "/vacancies/{id}/status"),
            entry(Vacancy, Form, MANAGERS),
        ),
        (
            ("GET", "/practices/{ods}/sites"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/practices/{ods}/sites"),
            entry(Practice, Form, MANAGERS),
        ),
        (("POST", "/sites/{id}/rooms"), entry(Site, Form, MANAGERS)),
        (("GET", "/rooms/{id}"), entry(Room, Empty, MANAGERS)),
        (("POST", "/rooms/{id}"), entry(Room, Form, MANAGERS)),
        (("POST", "/rooms/{id}/delete"), entry(Room, Form, MANAGERS)),
        // Estates: room use for managers; bookings and marks for anyone at the site; the
        // summaries (aggregates, no person) for managers and the ICS viewer.
        (
            ("GET", "/sites/{id}/utilisation"),
            entry(Site, Empty, MANAGERS),
        ),
        (
            ("GET", "/api/sites/{id}/utilisation"),
            entry(Site, Empty, MANAGERS),
        ),
        (
            ("GET", "/sites/{id}/bookings"),
            entry(Site, Empty, AT_THE_SITE),
        ),
        (
            ("POST", "/sites/{id}/bookings"),
            entry(Site, Form, AT_THE_SITE),
        ),
        (
            ("POST", "/sites/{id}/bookings/cancel"),
            entry(Site, Form, AT_THE_SITE),
        ),
        (
            ("GET", "/sites/{id}/room-use"),
            entry(Site, Empty, AT_THE_SITE),
        ),
        (
            ("POST", "/sites/{id}/room-use"),
            entry(Site, Form, AT_THE_SITE),
        ),
        (
            ("GET", "/practices/{ods}/estates"),
            entry(Practice, Empty, ESTATES_READERS),
        ),
        (
            ("GET", "/pcns/{code}/estates"),
            entry(Pcn, Empty, PCN_READERS),
        ),
        (
            ("POST", "/pcns/{code}/estates/threshold"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("GET", "/practices/{ods}/leave"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/leave/{id}/decision"),
            entry(Leave, Form, MANAGERS),
        ),
        (
            ("GET", "/practices/{ods}/leave/rules"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/practices/{ods}/leave/rules"),
            entry(Practice, Form, MANAGERS),
        ),
        (
            ("GET", "/staff/{id}/leave-entitlement"),
            entry(Staff, Empty, MANAGERS),
        ),
        (
            ("POST", "/staff/{id}/leave-entitlement"),
            entry(Staff, Form, MANAGERS),
        ),
        (
            ("GET", "/api/staff/{id}/leave-balance"),
            entry(Staff, Empty, MANAGERS),
        ),
        (
            ("PUT", "/api/staff/{id}/leave-entitlement"),
            entry(Staff, Json, MANAGERS),
        ),
        (
            ("GET", "/api/practices/{ods}/leave-balances"),
            entry(Practice, Empty, MANAGERS),
        ),
        (("GET", "/import"), entry(None, Empty, STAFF_IMPORTERS)),
        (
            ("POST", "/import/staff"),
            entry(None, Multipart, STAFF_IMPORTERS),
        ),
        // An import's address opened directly leads to its form.
        (
            ("GET", "/import/staff"),
            entry(None, Empty, STAFF_IMPORTERS),
        ),
        (
            ("GET", "/import/ods-practices"),
            entry(None, Empty, STAFF_IMPORTERS),
        ),
        (
            ("GET", "/import/list-sizes"),
            entry(None, Empty, STAFF_IMPORTERS),
        ),
        (
            ("GET", "/import/appointments"),
            entry(None, Empty, STAFF_IMPORTERS),
        ),
        (
            ("GET", "/import/pcn-membership"),
            entry(None, Empty, STAFF_IMPORTERS),
        ),
        (
            ("GET", "/import/payments"),
            entry(None, Empty, STAFF_IMPORTERS),
        ),
        // A held import is the practice manager's who ran it (own), nobody else's.
        (
            ("GET", "/import/staff/{id}"),
            entry(HeldImport, Empty, &[Who::PracticeManager]),
        ),
        (
            ("POST", "/import/staff/{id}"),
            entry(HeldImport, Form, &[Who::PracticeManager]),
        ),
        // Reference data: a practice or PCN manager can no longer overwrite it.
        (
            ("POST", "/import/ods-practices"),
            entry(None, Multipart, ADMIN_ONLY),
        ),
        (
            ("POST", "/import/list-sizes"),
            entry(None, Multipart, ADMIN_ONLY),
        ),
        (
            ("POST", "/import/appointments"),
            entry(None, Multipart, ADMIN_ONLY),
        ),
        (
            ("POST", "/import/pcn-membership"),
            entry(None, Multipart, ADMIN_ONLY),
        ),
        (
            ("POST", "/import/payments"),
            entry(None, Multipart, ADMIN_ONLY),
        ),
        (
            ("GET", "/practices/{ods}/payments"),
            entry(Practice, Empty, PRACTICE_PAYMENTS),
        ),
        (
            ("GET", "/pcns/{code}/payments"),
            entry(Pcn, Empty, PCN_PAYMENTS),
        ),
        (
            ("GET", "/api/practices/{ods}/payments"),
            entry(Practice, Empty, PRACTICE_PAYMENTS),
        ),
        (
            ("GET", "/api/pcns/{code}/payments"),
            entry(Pcn, Empty, PCN_PAYMENTS),
        ),
        (("GET", "/admin"), entry(None, Empty, ADMIN_ONLY)),
        (("POST", "/admin/ics"), entry(None, Form, ADMIN_ONLY)),
        (("POST", "/admin/pcns"), entry(None, Form, ADMIN_ONLY)),
        (
            ("POST", "/admin/memberships"),
            entry(None, Form, ADMIN_ONLY),
        ),
        (
            ("GET", "/admin/practices/{ods}"),
            entry(Practice, Empty, ADMIN_ONLY),
        ),
        (("POST", "/api/ics"), entry(None, Json, ADMIN_ONLY)),
        (("POST", "/api/pcns"), entry(None, Json, ADMIN_ONLY)),
        (
            ("PUT", "/api/practices/{ods}/pcn"),
            entry(Practice, Json, ADMIN_ONLY),
        ),
        (
            ("POST", "/api/imports/{kind}"),
            entry(ImportKind, Csv, ADMIN_ONLY),
        ),
        (("GET", "/pcns/{code}"), entry(Pcn, Empty, PCN_READERS)),
        (("GET", "/audit"), entry(None, Empty, MANAGERS)),
        (("GET", "/api/audit"), entry(None, Empty, MANAGERS)),
        // The own staff target is employed by the own practice: its manager handles its
        // data; a PCN manager only for PCN-employed people.
        (
            ("GET", "/staff/{id}/export"),
            entry(Staff, Empty, PERSON_DATA),
        ),
        (
            ("GET", "/api/staff/{id}/export"),
            entry(Staff, Empty, PERSON_DATA),
        ),
        (
            ("GET", "/staff/{id}/erase"),
            entry(Staff, Empty, PERSON_DATA),
        ),
        (
            ("POST", "/staff/{id}/erase"),
            entry(Staff, Form, PERSON_DATA),
        ),
        (
            ("GET", "/pcns/{code}/demand"),
            entry(Pcn, Empty, PCN_READERS),
        ),
        // The ARRS ledger: the PCN manager (and the administrator); the year's aggregates
        // through the API to an ICS viewer too; rates to the administrator alone.
        (
            ("GET", "/pcns/{code}/arrs/{year}"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/arrs/{year}/settings"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("GET", "/pcns/{code}/arrs/{year}/claims/{month}"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/arrs/{year}/claims/{month}"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("GET", "/pcns/{code}/arrs/{year}/claims/{month}/export"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("GET", "/pcns/{code}/arrs-posts"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/arrs-posts/import"),
            entry(Pcn, Multipart, &[Who::PcnManager]),
        ),
        (
            ("GET", "/staff/{id}/arrs"),
            entry(Staff, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/staff/{id}/arrs"),
            entry(Staff, Form, &[Who::PcnManager]),
        ),
        (("GET", "/admin/arrs-rates"), entry(None, Empty, ADMIN_ONLY)),
        (("POST", "/admin/arrs-rates"), entry(None, Form, ADMIN_ONLY)),
        (
            ("POST", "/admin/arrs-sum-rates"),
            entry(None, Form, ADMIN_ONLY),
        ),
        (
            ("GET", "/api/pcns/{code}/arrs/{year}"),
            entry(Pcn, Empty, PCN_READERS),
        ),
        (
            ("GET", "/api/pcns/{code}/arrs/{year}/claims/{month}"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("GET", "/practices/{ods}/demand"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/practices/{ods}/scenarios"),
            entry(Practice, Form, MANAGERS),
        ),
        (
            ("POST", "/practices/{ods}/capacity"),
            entry(Practice, Form, MANAGERS),
        ),
        (
            ("POST", "/pcns/{code}/scenarios"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("GET", "/practices/{ods}/training"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/practices/{ods}/training/export"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/practices/{ods}/training/topics"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/practices/{ods}/training/topics"),
            entry(Practice, Form, MANAGERS),
        ),
        (
            ("GET", "/pcns/{code}/training"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("GET", "/pcns/{code}/training/export"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("GET", "/pcns/{code}/training/topics"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/training/topics"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("GET", "/training-topics/{id}"),
            entry(Topic, Empty, MANAGERS),
        ),
        (
            ("POST", "/training-topics/{id}"),
            entry(Topic, Form, MANAGERS),
        ),
        (
            ("POST", "/training-topics/{id}/retire"),
            entry(Topic, Form, MANAGERS),
        ),
        (
            ("GET", "/staff/{id}/training"),
            entry(Staff, Empty, MANAGERS),
        ),
        (
            ("POST", "/staff/{id}/training"),
            entry(Staff, Multipart, MANAGERS),
        ),
        (
            ("POST", "/training-records/{id}/verify"),
            entry(TrainingRecord, Form, MANAGERS),
        ),
        (("GET", "/evidence/{id}"), entry(Evidence, Empty, MANAGERS)),
        (
            ("GET", "/me/training"),
            entry(None, Empty, WITH_STAFF_RECORD),
        ),
        (
            ("GET", "/me/development"),
            entry(None, Empty, WITH_STAFF_RECORD),
        ),
        (
            ("GET", "/staff/{id}/development"),
            entry(Staff, Empty, MANAGERS),
        ),
        (("POST", "/me/cpd"), entry(None, Form, WITH_STAFF_RECORD)),
        (
            ("POST", "/staff/{id}/professional-dates"),
            entry(Staff, Form, MANAGERS),
        ),
        (("POST", "/me/goals"), entry(None, Form, MANAGERS)),
        (
            ("POST", "/goals/{id}"),
            entry(Goal, Form, &[Who::PracticeManager]),
        ),
        (
            ("POST", "/coaching-sessions/{id}/note"),
            entry(CoachingSession, Form, &[Who::Staff]),
        ),
        (
            ("POST", "/coaching-sessions/{id}/attendance"),
            entry(CoachingSession, Form, &[Who::PcnManager]),
        ),
        (
            ("GET", "/pcns/{code}/coaching"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/coaching/programmes"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/coaching/enrolments"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/coaching/sessions"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        // Rota set-up.
        (
            ("GET", "/practices/{ods}/rota/cover"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/pcns/{code}/rota/cover"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/sites/{id}/sessions"),
            entry(Site, Form, MANAGERS),
        ),
        (("POST", "/sites/{id}/cover"), entry(Site, Form, MANAGERS)),
        (
            ("POST", "/sites/{id}/cover/suggested"),
            entry(Site, Form, MANAGERS),
        ),
        (
            ("GET", "/staff/{id}/rota-rules"),
            entry(Staff, Empty, MANAGERS),
        ),
        (
            ("POST", "/staff/{id}/rota-rules"),
            entry(Staff, Form, MANAGERS),
        ),
        (("GET", "/system"), entry(None, Empty, ICS_ONLY)),
        (("GET", "/me"), entry(None, Empty, WITH_STAFF_RECORD)),
        (
            ("POST", "/me/contact"),
            entry(None, Form, WITH_STAFF_RECORD),
        ),
        (("POST", "/me/leave"), entry(None, Form, WITH_STAFF_RECORD)),
        (("GET", "/health"), public(Empty)),
        (("GET", "/api/openapi.json"), public(Empty)),
        (("POST", "/api/login"), public(Json)),
        (("POST", "/api/logout"), public(Json)),
        (("GET", "/api/me"), entry(None, Empty, LOGGED_IN)),
        (("GET", "/api/practices"), entry(None, Empty, LOGGED_IN)),
        (
            ("GET", "/api/practices/{ods}/staff"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/api/practices/{ods}/staff"),
            entry(Practice, Json, MANAGERS),
        ),
        (("GET", "/api/staff/{id}"), entry(Staff, Empty, MANAGERS)),
        (("PUT", "/api/staff/{id}"), entry(Staff, Json, MANAGERS)),
        (("GET", "/api/leave"), entry(None, Empty, WITH_STAFF_RECORD)),
        (("POST", "/api/leave"), entry(None, Json, WITH_STAFF_RECORD)),
        (
            ("POST", "/api/leave/{id}/decision"),
            entry(Leave, Json, MANAGERS),
        ),
        (("GET", "/api/pcns/{code}"), entry(Pcn, Empty, PCN_READERS)),
        (("GET", "/api/system"), entry(None, Empty, ICS_ONLY)),
        // Evidence packs: aggregates, for who may see the practice, the PCN or the ICS.
        (
            ("GET", "/api/practices/{ods}/evidence-pack"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/api/pcns/{code}/evidence-pack"),
            entry(Pcn, Empty, PCN_READERS),
        ),
        (
            ("GET", "/api/ics/{code}/evidence-pack"),
            entry(Ics, Empty, ICS_ONLY),
        ),
        (
            ("GET", "/api/practices/{ods}/training-matrix"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/api/training-records"),
            entry(None, ApiMultipart, WITH_STAFF_RECORD),
        ),
        (("GET", "/checkin"), entry(None, Empty, WITH_STAFF_RECORD)),
        (("POST", "/checkin"), entry(None, Form, WITH_STAFF_RECORD)),
        (("GET", "/support"), entry(None, Empty, LOGGED_IN)),
        (
            ("GET", "/me/workload"),
            entry(None, Empty, WITH_STAFF_RECORD),
        ),
        (
            ("GET", "/practices/{ods}/wellbeing"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/pcns/{code}/wellbeing"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/wellbeing/settings"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/wellbeing/services"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/wellbeing/services/remove"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("GET", "/api/checkins/current"),
            entry(None, Empty, WITH_STAFF_RECORD),
        ),
        (
            ("POST", "/api/checkins"),
            entry(None, Json, WITH_STAFF_RECORD),
        ),
        (
            ("GET", "/api/practices/{ods}/wellbeing"),
            entry(Practice, Empty, MANAGERS),
        ),
        // Rotas: made, read, edited and published by managers; staff see their own and ask
        // for swaps, which managers decide.
        (("GET", "/rotas"), entry(None, Empty, MANAGERS)),
        (("POST", "/rotas"), entry(None, Form, MANAGERS)),
        (("GET", "/rotas/{id}"), entry(Rota, Empty, MANAGERS)),
        (("POST", "/rotas/{id}/cancel"), entry(Rota, Form, MANAGERS)),
        (("POST", "/rotas/{id}/publish"), entry(Rota, Form, MANAGERS)),
        (("POST", "/rotas/{id}/resolve"), entry(Rota, Form, MANAGERS)),
        (("GET", "/rotas/{id}/day"), entry(Rota, Empty, MANAGERS)),
        (("POST", "/rotas/{id}/day"), entry(Rota, Form, MANAGERS)),
        (("GET", "/rotas/{id}/cover"), entry(Rota, Empty, MANAGERS)),
        (
            ("POST", "/rotas/{id}/cover/book"),
            entry(Rota, Form, MANAGERS),
        ),
        (("GET", "/rotas/{id}/print"), entry(Rota, Empty, MANAGERS)),
        (("GET", "/rotas/{id}/pdf"), entry(Rota, Empty, MANAGERS)),
        (("POST", "/rotas/{id}/repair"), entry(Rota, Form, MANAGERS)),
        (("GET", "/rotas/{id}/repair"), entry(Rota, Empty, MANAGERS)),
        (
            ("POST", "/rotas/{id}/repair/publish"),
            entry(Rota, Form, MANAGERS),
        ),
        (("GET", "/me/rota"), entry(None, Empty, WITH_STAFF_RECORD)),
        (("POST", "/me/swaps"), entry(None, Form, WITH_STAFF_RECORD)),
        (
            ("GET", "/api/me/rota"),
            entry(None, Empty, WITH_STAFF_RECORD),
        ),
        // The requests managers decide, in one list; a session off is decided for a person
        // the manager manages (the practice manager of a PCN rota's practice only reads it:
        // `practice_managers_read_the_pcn_rota_of_their_practice_only`).
        (("GET", "/rotas/requests"), entry(None, Empty, MANAGERS)),
        (
            ("POST", "/session-requests/{id}/decision"),
            entry(SessionRequest, Form, MANAGERS),
        ),
        // Session requests: staff make their own; managers make them for their people.
        (
            ("POST", "/me/session-requests"),
            entry(None, Form, WITH_STAFF_RECORD),
        ),
        (
            ("POST", "/staff/{id}/session-requests"),
            entry(Staff, Form, MANAGERS),
        ),
        (
            ("POST", "/session-requests/{id}/withdraw"),
            entry(SessionRequest, Form, MANAGERS),
        ),
        (
            ("POST", "/swaps/{id}/decision"),
            entry(Swap, Form, MANAGERS),
        ),
        // The rota API and calendar feeds.
        (("POST", "/api/rotas"), entry(None, Json, MANAGERS)),
        (("GET", "/api/rotas"), entry(None, Empty, MANAGERS)),
        (("GET", "/api/rotas/{id}"), entry(Rota, Empty, MANAGERS)),
        (
            ("GET", "/api/rotas/{id}/assignments"),
            entry(Rota, Empty, MANAGERS),
        ),
        (
            ("POST", "/api/rotas/{id}/publish"),
            entry(Rota, Json, MANAGERS),
        ),
        (
            ("POST", "/api/rotas/{id}/cancel"),
            entry(Rota, Json, MANAGERS),
        ),
        (
            ("GET", "/api/me/calendar"),
            entry(None, Empty, WITH_STAFF_RECORD),
        ),
        (
            ("GET", "/ical/{file}"),
            Entry {
                target: CalendarFeed,
                ..public(Empty)
            },
        ),
        (
            ("POST", "/me/calendar"),
            entry(None, Form, WITH_STAFF_RECORD),
        ),
        // Training reminders: the organisation's managers.
        (
            ("GET", "/practices/{ods}/training/remind"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("POST", "/practices/{ods}/training/remind"),
            entry(Practice, Form, MANAGERS),
        ),
        (
            ("GET", "/practices/{ods}/training/reminders"),
            entry(Practice, Empty, MANAGERS),
        ),
        (
            ("GET", "/pcns/{code}/training/remind"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        (
            ("POST", "/pcns/{code}/training/remind"),
            entry(Pcn, Form, &[Who::PcnManager]),
        ),
        (
            ("GET", "/pcns/{code}/training/reminders"),
            entry(Pcn, Empty, &[Who::PcnManager]),
        ),
        // Notifications: everyone their own; someone else's is not found.
        (("GET", "/notifications"), entry(None, Empty, LOGGED_IN)),
        (
            ("POST", "/notifications/read-all"),
            entry(None, Form, LOGGED_IN),
        ),
        (
            ("POST", "/notifications/{id}/read"),
            entry(Notification, Form, LOGGED_IN),
        ),
        (
            ("GET", "/account/notifications"),
            entry(None, Empty, LOGGED_IN),
        ),
        (
            ("POST", "/account/notifications"),
            entry(None, Form, LOGGED_IN),
        ),
        (("GET", "/api/notifications"), entry(None, Empty, LOGGED_IN)),
        (
            ("POST", "/api/notifications/{id}/read"),
            entry(Notification, Json, LOGGED_IN),
        ),
    ];
    rows.into_iter().collect()
}

/// Routes a PCN manager may use that the system administrator may not: those acting on
/// the user's own staff record, which an administrator's account has none of (`/me`,
/// check-ins, leave and swap requests), and those whose use case asks for a manager's role
/// rather than reach over the organisation (training and development records, asking for a
/// rota, a site's sessions).
const NOT_FOR_ADMIN: &[(&str, &str)] = &[
    ("GET", "/api/checkins/current"),
    ("GET", "/api/leave"),
    ("GET", "/api/me/calendar"),
    ("GET", "/api/me/rota"),
    ("GET", "/api/rotas"),
    ("GET", "/checkin"),
    ("GET", "/evidence/{id}"),
    ("GET", "/me"),
    ("GET", "/me/development"),
    ("GET", "/me/rota"),
    ("GET", "/me/training"),
    ("GET", "/me/workload"),
    ("GET", "/rotas"),
    ("GET", "/rotas/requests"),
    ("GET", "/staff/{id}/development"),
    ("GET", "/staff/{id}/training"),
    ("POST", "/api/checkins"),
    ("POST", "/api/leave"),
    ("POST", "/api/rotas"),
    ("POST", "/api/training-records"),
    ("POST", "/checkin"),
    ("POST", "/me/calendar"),
    ("POST", "/me/contact"),
    ("POST", "/me/cpd"),
    ("POST", "/me/goals"),
    ("POST", "/me/leave"),
    ("POST", "/me/session-requests"),
    ("POST", "/me/swaps"),
    ("POST", "/rotas"),
    ("POST", "/sites/{id}/sessions"),
    ("POST", "/staff/{id}/professional-dates"),
    ("POST", "/staff/{id}/training"),
    ("POST", "/training-records/{id}/verify"),
];

/// Routes about the user's own records alone (their notifications): nobody, not even the
/// system administrator, reaches another person's.
const OWN_ONLY: &[(&str, &str)] = &[
    ("POST", "/notifications/{id}/read"),
    ("POST", "/api/notifications/{id}/read"),
];

/// The system administrator reaches every organisation (`app::access`): wherever a PCN
/// manager gets through on their own tenant, the administrator does on any tenant; and the
/// routes made for the administrator alone.
fn admin_allowed(method: &str, path: &str, entry: &Entry) -> bool {
    entry.allowed.contains(&Who::SystemAdmin)
        || (entry.allowed.contains(&Who::PcnManager) && !NOT_FOR_ADMIN.contains(&(method, path)))
}

#[test]
fn every_route_has_an_entry() {
    let matrix = matrix();
    let routes = web::route_table();
    let missing: Vec<String> = routes
        .iter()
        .filter(|r| !matrix.contains_key(&(r.method, r.path)))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an access-matrix entry: {missing:?}"
    );
    let stale: Vec<String> = matrix
        .keys()
        .filter(|(m, p)| !routes.iter().any(|r| r.method == *m && r.path == *p))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        stale.is_empty(),
        "access-matrix entries for routes that do not exist: {stale:?}"
    );
}

/// The logged-in clients, one per kind of user.
struct Clients {
    by_who: BTreeMap<Who, reqwest::Client>,
}

impl Clients {
    async fn new(t: &TestApp) -> Clients {
        let mut by_who = BTreeMap::new();
        by_who.insert(Who::Anonymous, TestApp::client());
        for who in LOGGED_IN {
            by_who.insert(*who, t.logged_in(&email_of(t, *who).await).await);
        }
        Clients { by_who }
    }
}

async fn email_of(t: &TestApp, who: Who) -> String {
    match who {
        Who::PcnManager => t.login_email("pcn_manager", Some(OWN_PCN)).await,
        Who::PracticeManager => t.login_email("practice_manager", Some(OWN_PRACTICE)).await,
        Who::Staff => t.login_email("staff", Some(OWN_PRACTICE)).await,
        Who::IcsViewer => t.login_email("ics_viewer", Some(OWN_ICS)).await,
        Who::SystemAdmin => ADMIN_EMAIL.into(),
        Who::Anonymous => unreachable!(),
    }
}

/// Fills the path's parameters for the own or the other tenant (making fresh records where
/// a request would change or remove them).
async fn path_for(t: &TestApp, path: &str, target: Target, own: bool) -> String {
    path_for_as(t, path, target, own, Who::Staff).await
}

/// As `path_for`, for a request made by `who` (whose own notification an own target is).
async fn path_for_as(t: &TestApp, path: &str, target: Target, own: bool, who: Who) -> String {
    let value = match (target, own) {
        (Target::Notification, true) => {
            let asking = if who == Who::Anonymous {
                Who::Staff
            } else {
                who
            };
            t.fresh_notification(&email_of(t, asking).await).await
        }
        (Target::Notification, false) => t.fresh_notification(&t.other.manager_email).await,
        (Target::None, _) => String::new(),
        (Target::Practice, true) => OWN_PRACTICE.into(),
        (Target::Practice, false) => OTHER_PRACTICE.into(),
        (Target::Pcn, true) => OWN_PCN.into(),
        (Target::Pcn, false) => OTHER_PCN.into(),
        (Target::Ics, true) => OWN_ICS.into(),
        (Target::Ics, false) => OTHER_ICS.into(),
        (Target::Staff, true) => t.own_staff().await,
        (Target::Staff, false) => t.other.staff_id.clone(),
        (Target::Site, true) => t.own_site().await,
        (Target::Site, false) => t.other.site_id.clone(),
        (Target::Room, true) => t.fresh_room(&t.own_site().await).await,
        (Target::Room, false) => t.fresh_room(&t.other.site_id).await,
        (Target::Leave, true) => t.fresh_leave(&t.own_staff().await).await,
        (Target::Leave, false) => t.fresh_leave(&t.other.staff_id).await,
        (Target::Vacancy, true) => t.fresh_vacancy(OWN_PRACTICE).await,
        (Target::Vacancy, false) => t.fresh_vacancy(OTHER_PRACTICE).await,
        (Target::Topic, true) => t.fresh_topic(OWN_PRACTICE).await,
        (Target::Topic, false) => t.fresh_topic(OTHER_PRACTICE).await,
        (Target::TrainingRecord, true) => t.fresh_training_record(&t.own_staff().await).await,
        (Target::TrainingRecord, false) => t.fresh_training_record(&t.other.staff_id).await,
        (Target::Evidence, true) => t.fresh_evidence(&t.own_staff().await).await,
        (Target::Evidence, false) => t.fresh_evidence(&t.other.staff_id).await,
        (Target::CoachingSession, true) => {
            let staff = t.login_email("staff", Some(OWN_PRACTICE)).await;
            let staff_id = t.user(&staff).await.staff_id.unwrap();
            t.fresh_coaching_session(OWN_PCN, &staff_id).await
        }
        (Target::CoachingSession, false) => {
            t.fresh_coaching_session(OTHER_PCN, &t.other.staff_id).await
        }
        (Target::Goal, true) => {
            let manager = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
            let staff_id = t.user(&manager).await.staff_id.unwrap();
            t.fresh_goal(&staff_id).await
        }
        (Target::Goal, false) => t.fresh_goal(&t.other.staff_id).await,
        (Target::Rota, true) => t.fresh_rota(OWN_PRACTICE).await,
        (Target::Rota, false) => t.fresh_rota(OTHER_PRACTICE).await,
        (Target::Swap, true) => t.fresh_swap(OWN_PRACTICE, &t.own_staff().await).await,
        (Target::Swap, false) => t.fresh_swap(OTHER_PRACTICE, &t.other.staff_id).await,
        (Target::SessionRequest, true) => t.fresh_session_request(&t.own_staff().await).await,
        (Target::SessionRequest, false) => t.fresh_session_request(&t.other.staff_id).await,
        (Target::CalendarFeed, _) => t.own_calendar_file().await,
        (Target::ImportKind, _) => "ods-practices".into(),
        (Target::HeldImport, true) => {
            let manager = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
            t.fresh_held_import(&manager, OWN_PRACTICE).await
        }
        (Target::HeldImport, false) => {
            t.fresh_held_import(&t.other.manager_email, OTHER_PRACTICE)
                .await
        }
        (Target::Account, true) => t.fresh_account(OWN_PRACTICE).await,
        (Target::Account, false) => t.user(&t.other.manager_email).await.id,
        (Target::InvitationLink, _) => t.fresh_link(Purpose::Invitation).await,
        (Target::ResetLink, _) => t.fresh_link(Purpose::PasswordReset).await,
        (Target::SetupLink, _) => t.fresh_link(Purpose::Setup).await,
    };
    let path = path
        .replace("{*path}", "app.css")
        .replace("{year}", "2025-26")
        .replace("{month}", "2025-07");
    match path.find('{') {
        Some(start) => {
            let end = path[start..].find('}').unwrap() + start;
            format!("{}{}{}", &path[..start], value, &path[end + 1..])
        }
        None => path,
    }
}

async fn send(
    t: &TestApp,
    client: &reqwest::Client,
    method: &str,
    path: &str,
    body: Body,
) -> (u16, String) {
    let url = format!("{}{path}", t.base);
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let request = client.request(method, &url);
    let request = match body {
        Body::Empty => request,
        Body::Form => {
            let token = t.csrf(client).await;
            // A harmless body: a decision to approve, a status, otherwise fields left empty.
            request.form(&[
                ("csrf_token", token.as_str()),
                ("decision", "approve"),
                ("status", "filled"),
                ("name", ""),
            ])
        }
        Body::Multipart => {
            let token = t.csrf(client).await;
            request.multipart(reqwest::multipart::Form::new().text("csrf_token", token))
        }
        Body::ApiMultipart => request
            .header("X-Requested-With", "test")
            .multipart(reqwest::multipart::Form::new().text("provider", "")),
        Body::Json => request.json(&serde_json::json!({ "approve": true })),
        Body::Csv => request
            .header("content-type", "text/csv")
            .body("not,a,file\n"),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location)
}

fn denied(status: u16, location: &str) -> bool {
    matches!(status, 401 | 403 | 404)
        || ((300..400).contains(&status) && location.starts_with("/login"))
}

on_both!(
    access_matrix_holds_for_every_route_role_and_tenant,
    async |t: &TestApp| {
        let matrix = matrix();
        let clients = Clients::new(t).await;
        store::testing::install_write_probe(t.app.store())
            .await
            .unwrap();
        let mut failures = Vec::new();
        let mut checked = 0;
        for route in web::route_table() {
            let entry = &matrix[&(route.method, route.path)];
            if entry.public {
                // Answered for everyone; a fresh client so that log-out does not end the others.
                let (status, _) = send(
                    t,
                    &TestApp::client(),
                    route.method,
                    &path_for(t, route.path, entry.target, true).await,
                    entry.body,
                )
                .await;
                checked += 1;
                if matches!(status, 403 | 404 | 500) {
                    failures.push(format!(
                        "{} {} public, got {status}",
                        route.method, route.path
                    ));
                }
                continue;
            }
            let tenants: &[bool] = if entry.target == Target::None {
                &[true]
            } else {
                &[true, false]
            };
            for &own in tenants {
                for who in EVERYONE {
                    let path = path_for_as(t, route.path, entry.target, own, *who).await;
                    // Authorise first: a refused request writes nothing, not even a row
                    // rolled back afterwards (SQLite counts those; on PostgreSQL the write probe).
                    let writes_before = t.app.store().total_changes().await.unwrap();
                    let (status, location) =
                        send(t, &clients.by_who[who], route.method, &path, entry.body).await;
                    let writes = t.app.store().total_changes().await.unwrap();
                    checked += 1;
                    if denied(status, &location) && writes != writes_before {
                        failures.push(format!(
                            "{} {path} as {who:?}: refused ({status}) after writing {:?} rows",
                            route.method,
                            writes.zip(writes_before).map(|(a, b)| a - b)
                        ));
                    }
                    let expect_allowed = if *who == Who::SystemAdmin {
                        admin_allowed(route.method, route.path, entry)
                            && (own || !OWN_ONLY.contains(&(route.method, route.path)))
                    } else {
                        own && entry.allowed.contains(who)
                    };
                    let was_denied = denied(status, &location);
                    if status >= 500 || expect_allowed == was_denied {
                        failures.push(format!(
                            "{} {} as {who:?} on {} tenant: expected {}, got {status} {location}",
                            route.method,
                            path,
                            if own { "own" } else { "other" },
                            if expect_allowed { "allowed" } else { "denied" }
                        ));
                    }
                }
            }
        }
        eprintln!(
            "access matrix: {checked} checks over {} routes",
            web::route_table().len()
        );
        assert!(
            failures.is_empty(),
            "{} access-matrix failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
);

/// A PCN rota that covers a practice: its practice manager reads it (narrowed to the
/// practice), prints it and lists it, and changes nothing; a practice manager of another
/// PCN, and staff, find nothing. Rows: (method, path, what the own practice manager gets).
const PCN_ROTA_ROWS: &[(&str, &str, bool)] = &[
    ("GET", "/rotas/{id}", true),
    ("GET", "/rotas/{id}/print", true),
    ("GET", "/rotas/{id}/pdf", true),
    ("GET", "/api/rotas/{id}", true),
    ("GET", "/api/rotas/{id}/assignments", true),
    ("GET", "/rotas/{id}/day", false),
    ("POST", "/rotas/{id}/day", false),
    ("GET", "/rotas/{id}/cover", false),
    ("POST", "/rotas/{id}/cover/book", false),
    ("POST", "/rotas/{id}/publish", false),
    ("POST", "/rotas/{id}/cancel", false),
    ("POST", "/rotas/{id}/resolve", false),
    ("POST", "/rotas/{id}/repair", false),
    ("GET", "/rotas/{id}/repair", false),
    ("POST", "/rotas/{id}/repair/publish", false),
    ("POST", "/api/rotas/{id}/publish", false),
    ("POST", "/api/rotas/{id}/cancel", false),
];

on_both!(
    practice_managers_read_the_pcn_rota_of_their_practice_only,
    async |t: &TestApp| {
        let own = t
            .fresh_pcn_rota(OWN_PCN, &t.own_site().await, &t.own_staff().await)
            .await;
        let other = t
            .fresh_pcn_rota(OTHER_PCN, &t.other.site_id, &t.other.staff_id)
            .await;
        let practice_manager = t.logged_in(&email_of(t, Who::PracticeManager).await).await;
        let other_manager = t.logged_in(&t.other.manager_email).await;
        let staff = t.logged_in(&email_of(t, Who::Staff).await).await;
        let mut failures = Vec::new();
        for (method, path, allowed) in PCN_ROTA_ROWS {
            assert!(
                web::route_table()
                    .iter()
                    .any(|r| r.method == *method && r.path == *path),
                "{method} {path} is a route"
            );
            let body = if path.starts_with("/api/") && *method == "POST" {
                Body::Json
            } else if *method == "POST" {
                Body::Form
            } else {
                Body::Empty
            };
            let cases = [
                (
                    "own practice manager, own PCN rota",
                    &practice_manager,
                    &own,
                    *allowed,
                ),
                (
                    "own practice manager, other PCN rota",
                    &practice_manager,
                    &other,
                    false,
                ),
                (
                    "other PCN's practice manager, own PCN rota",
                    &other_manager,
                    &own,
                    false,
                ),
                ("staff, own PCN rota", &staff, &own, false),
            ];
            for (who, client, rota, expect) in cases {
                let url = path.replace("{id}", rota);
                let before = t.app.store().total_changes().await.unwrap();
                let (status, location) = send(t, client, method, &url, body).await;
                let after = t.app.store().total_changes().await.unwrap();
                let refused = denied(status, &location);
                if status >= 500 || refused == expect {
                    failures.push(format!(
                        "{method} {path} as {who}: expected {}, got {status}",
                        if expect { "allowed" } else { "denied" }
                    ));
                }
                if refused && before != after {
                    failures.push(format!("{method} {path} as {who}: refused after writing"));
                }
            }
        }
        // The list of rotas covering the practice holds the PCN rota for its manager; the
        // other PCN's practice is not theirs to ask about.
        let (status, list) = get(
            t,
            &practice_manager,
            &format!("/api/rotas?practice={OWN_PRACTICE}"),
        )
        .await;
        assert_eq!(status, 200, "{list}");
        assert!(list.contains(&own) && !list.contains(&other), "{list}");
        let (status, _) = get(
            t,
            &practice_manager,
            &format!("/api/rotas?practice={OTHER_PRACTICE}"),
        )
        .await;
        assert_eq!(status, 404);
        let (_, page) = get(t, &practice_manager, "/rotas").await;
        assert!(
            page.contains(&format!("/rotas/{own}")),
            "the rotas page lists it"
        );
        assert!(!page.contains(&format!("/rotas/{other}")));
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
);

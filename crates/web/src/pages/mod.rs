//! Server-rendered pages. Each handler: `CurrentUser` → an `app` use case → a template.
mod accounts;
mod audit;
mod chart;
mod demand;
mod development;
mod estates;
mod forms;
mod funding;
mod imports;
mod leave;
mod me;
mod notifications;
mod organisations;
mod register;
mod rota;
mod sites;
mod training;
mod wellbeing;

use crate::Routes;
use crate::csrf::CsrfToken;
use crate::layout::PageCtx;
use app::Actor;
use axum::routing::{get, post};

pub(crate) use accounts::links::{dead_status, dead_words, start_reset};
pub(crate) use audit::csv_response as audit_csv_response;
pub(crate) use forms::{FieldView, FormView};
pub(crate) use me::ical_path;
pub(crate) use register::person_data::zip_response as person_zip_response;
pub(crate) use training::record_from_multipart;

const IMPORT: usize = crate::limits::IMPORT_BODY_LIMIT;

pub(crate) fn routes(routes: Routes) -> Routes {
    let routes = sign_in_and_accounts(routes);
    let routes = register_sites_and_leave(routes);
    let routes = admin_imports_demand_and_funding(routes);
    let routes = training_and_development(routes);
    let routes = rotas(routes);
    audit_notices_me_and_wellbeing(routes)
}

/// Signing in, two-factor, account links and passwords, accounts, assets.
fn sign_in_and_accounts(routes: Routes) -> Routes {
    routes
        .get("/", get(accounts::session::home))
        .get("/login", get(accounts::session::login_page))
        .post("/login", post(accounts::session::login_submit))
        .post("/logout", post(accounts::session::logout))
        .get(
            "/login/two-factor",
            get(accounts::two_factor::login_code_page),
        )
        .post(
            "/login/two-factor",
            post(accounts::two_factor::login_code_submit),
        )
        .get(
            "/account/two-factor",
            get(accounts::two_factor::account_two_factor),
        )
        .post("/account/two-factor", post(accounts::two_factor::enable))
        .post(
            "/account/two-factor/disable",
            post(accounts::two_factor::disable),
        )
        // Accounts people run themselves.
        .get("/setup/{token}", get(accounts::links::setup_page))
        .post("/setup/{token}", post(accounts::links::setup_submit))
        .get(
            "/invitations/{token}",
            get(accounts::links::invitation_page),
        )
        .post(
            "/invitations/{token}",
            post(accounts::links::invitation_submit),
        )
        .get("/password-reset", get(accounts::links::reset_request_page))
        .post(
            "/password-reset",
            post(accounts::links::reset_request_submit),
        )
        .get(
            "/password-reset/{token}",
            get(accounts::links::reset_page_for),
        )
        .post(
            "/password-reset/{token}",
            post(accounts::links::reset_submit),
        )
        .get("/account/password", get(accounts::password_page))
        .post("/account/password", post(accounts::password_submit))
        .get("/accounts", get(accounts::accounts_page))
        .get("/accounts/invite", get(accounts::invite_page))
        .post("/accounts/invite", post(accounts::invite_submit))
        .post("/accounts/{id}/disable", post(accounts::account_disable))
        .post("/accounts/{id}/enable", post(accounts::account_enable))
        .post("/accounts/{id}/role", post(accounts::account_role))
        .get("/assets/{*path}", get(crate::assets::serve))
}

/// The register, vacancies, sites and rooms, estates, leave.
fn register_sites_and_leave(routes: Routes) -> Routes {
    routes
        .get("/practices/{ods}", get(register::practice::dashboard))
        .get(
            "/practices/{ods}/staff",
            get(register::practice::staff_list),
        )
        .get(
            "/practices/{ods}/staff/new",
            get(register::staff_form::staff_new),
        )
        .post(
            "/practices/{ods}/staff",
            post(register::staff_form::staff_create),
        )
        .get(
            "/practices/{ods}/staff/export",
            get(register::practice::staff_export),
        )
        .get(
            "/staff/template.csv",
            get(register::practice::staff_template),
        )
        .get(
            "/staff/template.xlsx",
            get(register::practice::staff_template_xlsx),
        )
        .get("/staff/{id}", get(register::staff_form::staff_edit))
        .post("/staff/{id}", post(register::staff_form::staff_update))
        .get(
            "/practices/{ods}/vacancies/new",
            get(register::practice::vacancy_new),
        )
        .post(
            "/practices/{ods}/vacancies",
            post(register::practice::vacancy_create),
        )
        .post(
            "/vacancies/{id}/status",
            post(register::practice::vacancy_status),
        )
        .get("/practices/{ods}/sites", get(sites::sites_page))
        .post("/practices/{ods}/sites", post(sites::site_create))
        .post("/sites/{id}/rooms", post(sites::room_create))
        .get("/rooms/{id}", get(sites::room_edit))
        .post("/rooms/{id}", post(sites::room_update))
        .post("/rooms/{id}/delete", post(sites::room_delete))
        // Estates: room use, ad-hoc bookings, marks, the practice and PCN summaries.
        .get("/sites/{id}/utilisation", get(estates::site_page))
        .get("/sites/{id}/bookings", get(estates::bookings_page))
        .post("/sites/{id}/bookings", post(estates::booking_create))
        .post("/sites/{id}/bookings/cancel", post(estates::booking_cancel))
        .get("/sites/{id}/room-use", get(estates::room_use_page))
        .post("/sites/{id}/room-use", post(estates::room_use_mark))
        .get("/practices/{ods}/estates", get(estates::practice_page))
        .get("/pcns/{code}/estates", get(estates::pcn_page))
        .post(
            "/pcns/{code}/estates/threshold",
            post(estates::threshold_save),
        )
        .get(
            "/practices/{ods}/leave",
            get(register::practice::leave_page),
        )
        .post(
            "/leave/{id}/decision",
            post(register::practice::leave_decide),
        )
        .get("/practices/{ods}/leave/rules", get(leave::rules_page))
        .post("/practices/{ods}/leave/rules", post(leave::rules_save))
        .get(
            "/staff/{id}/leave-entitlement",
            get(leave::entitlement_page),
        )
        .post(
            "/staff/{id}/leave-entitlement",
            post(leave::entitlement_save),
        )
}

/// Administration, imports, payments, PCN pages, demand and the ARRS ledger.
fn admin_imports_demand_and_funding(routes: Routes) -> Routes {
    routes
        .get("/admin", get(organisations::admin::admin_page))
        .post("/admin/ics", post(organisations::admin::ics_create))
        .post("/admin/pcns", post(organisations::admin::pcn_create))
        .post(
            "/admin/memberships",
            post(organisations::admin::membership_create),
        )
        .get(
            "/admin/practices/{ods}",
            get(organisations::admin::practice_history),
        )
        .get("/import", get(imports::import_page))
        .upload("/import/staff", post(imports::import_staff), IMPORT)
        .get("/import/staff/{id}", get(imports::held::held_page))
        .post("/import/staff/{id}", post(imports::held::held_correct))
        .upload("/import/ods-practices", post(imports::import_ods), IMPORT)
        .upload(
            "/import/list-sizes",
            post(imports::import_list_sizes),
            IMPORT,
        )
        .upload(
            "/import/appointments",
            post(imports::import_appointments),
            IMPORT,
        )
        .upload(
            "/import/pcn-membership",
            post(imports::import_pcn_membership),
            IMPORT,
        )
        .upload("/import/payments", post(imports::import_payments), IMPORT)
        // Each import's address opened directly (a reload after its result): its form.
        .get("/import/staff", get(imports::import_address))
        .get("/import/ods-practices", get(imports::import_address))
        .get("/import/list-sizes", get(imports::import_address))
        .get("/import/appointments", get(imports::import_address))
        .get("/import/pcn-membership", get(imports::import_address))
        .get("/import/payments", get(imports::import_address))
        .get(
            "/practices/{ods}/payments",
            get(funding::payments::practice_page),
        )
        .get("/pcns/{code}/payments", get(funding::payments::pcn_page))
        .get("/pcns/{code}", get(organisations::pcn_and_ics::pcn_page))
        .get("/pcns/{code}/demand", get(demand::pcn_page))
        // The ARRS ledger.
        .get("/pcns/{code}/arrs/{year}", get(funding::arrs::ledger_page))
        .post(
            "/pcns/{code}/arrs/{year}/settings",
            post(funding::arrs::settings_save),
        )
        .get(
            "/pcns/{code}/arrs/{year}/claims/{month}",
            get(funding::arrs::claim_page),
        )
        .post(
            "/pcns/{code}/arrs/{year}/claims/{month}",
            post(funding::arrs::claim_action),
        )
        .get(
            "/pcns/{code}/arrs/{year}/claims/{month}/export",
            get(funding::arrs::claim_export),
        )
        .get("/pcns/{code}/arrs-posts", get(funding::arrs::posts_page))
        .upload(
            "/pcns/{code}/arrs-posts/import",
            post(funding::arrs::posts_import),
            IMPORT,
        )
        .get("/staff/{id}/arrs", get(funding::arrs::post_form))
        .post("/staff/{id}/arrs", post(funding::arrs::post_save))
        .get("/admin/arrs-rates", get(funding::arrs::rates_page))
        .post("/admin/arrs-rates", post(funding::arrs::rate_create))
        .post("/admin/arrs-sum-rates", post(funding::arrs::sum_rate_save))
        .get("/practices/{ods}/demand", get(demand::practice_page))
        .post(
            "/practices/{ods}/scenarios",
            post(demand::practice_scenario),
        )
        .post("/practices/{ods}/capacity", post(demand::practice_capacity))
        .post("/pcns/{code}/scenarios", post(demand::pcn_scenario))
}

/// Training (catalogue, matrix, records) and development (CPD, goals, coaching).
fn training_and_development(routes: Routes) -> Routes {
    routes
        .get("/practices/{ods}/training", get(training::practice_matrix))
        .get(
            "/practices/{ods}/training/export",
            get(training::practice_export),
        )
        .get(
            "/practices/{ods}/training/topics",
            get(training::topics::practice_topics),
        )
        .post(
            "/practices/{ods}/training/topics",
            post(training::topics::practice_topic_create),
        )
        .get("/pcns/{code}/training", get(training::pcn_matrix))
        .get("/pcns/{code}/training/export", get(training::pcn_export))
        .get(
            "/pcns/{code}/training/topics",
            get(training::topics::pcn_topics),
        )
        .post(
            "/pcns/{code}/training/topics",
            post(training::topics::pcn_topic_create),
        )
        .get("/training-topics/{id}", get(training::topics::topic_edit))
        .post(
            "/training-topics/{id}",
            post(training::topics::topic_update),
        )
        .post(
            "/training-topics/{id}/retire",
            post(training::topics::topic_retire),
        )
        .get("/staff/{id}/training", get(training::person_training))
        .upload(
            "/staff/{id}/training",
            post(training::record_create),
            crate::limits::EVIDENCE_BODY_LIMIT,
        )
        .post(
            "/training-records/{id}/verify",
            post(training::record_verify),
        )
        .get("/evidence/{id}", get(training::evidence_download))
        .get("/me/training", get(training::my_training))
        .get("/me/development", get(development::my_development))
        .get(
            "/staff/{id}/development",
            get(development::person_development),
        )
        .post("/me/cpd", post(development::cpd_create))
        .post(
            "/staff/{id}/professional-dates",
            post(development::dates_update),
        )
        .post("/me/goals", post(development::goal_create))
        .post("/goals/{id}", post(development::goal_update))
        .post("/coaching-sessions/{id}/note", post(development::note_save))
        .get("/pcns/{code}/coaching", get(development::pcn_coaching))
        .post(
            "/pcns/{code}/coaching/programmes",
            post(development::programme_create),
        )
        .post("/pcns/{code}/coaching/enrolments", post(development::enrol))
        .post(
            "/pcns/{code}/coaching/sessions",
            post(development::session_book),
        )
        .post(
            "/coaching-sessions/{id}/attendance",
            post(development::attendance_record),
        )
}

/// Rotas: asking, reviewing, editing, publishing, cover, swaps and requests, set-up.
fn rotas(routes: Routes) -> Routes {
    routes
        .get("/rotas", get(rota::rotas_page))
        .post("/rotas", post(rota::rota_request))
        .get("/rotas/requests", get(rota::requests::requests_page))
        .get("/rotas/{id}", get(rota::rota_page))
        .post("/rotas/{id}/cancel", post(rota::rota_cancel))
        .post("/rotas/{id}/publish", post(rota::rota_publish))
        .post("/rotas/{id}/resolve", post(rota::rota_resolve))
        .get("/rotas/{id}/day", get(rota::day_page))
        .post("/rotas/{id}/day", post(rota::day_save))
        .get("/rotas/{id}/cover", get(rota::cover::cover_page))
        .post("/rotas/{id}/cover/book", post(rota::cover::book))
        .get("/rotas/{id}/print", get(rota::print_page))
        .get("/rotas/{id}/pdf", get(rota::pdf_download))
        .post("/rotas/{id}/repair", post(rota::stale::repair_propose))
        .get("/rotas/{id}/repair", get(rota::stale::repair_page))
        .post(
            "/rotas/{id}/repair/publish",
            post(rota::stale::repair_publish),
        )
        .get("/me/rota", get(rota::mine::my_rota_page))
        .post("/me/swaps", post(rota::mine::swap_request))
        .post(
            "/me/session-requests",
            post(rota::session_requests::my_request),
        )
        .post(
            "/staff/{id}/session-requests",
            post(rota::session_requests::staff_request),
        )
        .post(
            "/session-requests/{id}/withdraw",
            post(rota::session_requests::withdraw),
        )
        .post("/swaps/{id}/decision", post(rota::requests::swap_decide))
        .post(
            "/session-requests/{id}/decision",
            post(rota::requests::session_request_decide),
        )
        // Rota set-up: cover templates, site sessions, a person's rota rules.
        .get(
            "/practices/{ods}/rota/cover",
            get(rota::setup::practice_cover),
        )
        .get("/pcns/{code}/rota/cover", get(rota::setup::pcn_cover))
        .post("/sites/{id}/sessions", post(rota::setup::session_save))
        .post("/sites/{id}/cover", post(rota::setup::cover_save))
        .post(
            "/sites/{id}/cover/suggested",
            post(rota::setup::cover_suggested),
        )
        .get("/staff/{id}/rota-rules", get(rota::setup::rules_page))
        .post("/staff/{id}/rota-rules", post(rota::setup::rules_save))
}

/// The system page, audit, personal data, notifications, training reminders, "me" and wellbeing.
fn audit_notices_me_and_wellbeing(routes: Routes) -> Routes {
    routes
        .get("/system", get(organisations::pcn_and_ics::system_page))
        .get("/audit", get(audit::audit_page))
        .get("/staff/{id}/export", get(register::person_data::export))
        .get("/staff/{id}/erase", get(register::person_data::erase_page))
        .post("/staff/{id}/erase", post(register::person_data::erase))
        .get("/notifications", get(notifications::inbox))
        .post(
            "/notifications/read-all",
            post(notifications::mark_all_read),
        )
        .post("/notifications/{id}/read", post(notifications::mark_read))
        .get("/account/notifications", get(notifications::settings))
        .post("/account/notifications", post(notifications::settings_save))
        .get(
            "/practices/{ods}/training/remind",
            get(training::chase::practice_preview),
        )
        .post(
            "/practices/{ods}/training/remind",
            post(training::chase::practice_send),
        )
        .get(
            "/practices/{ods}/training/reminders",
            get(training::chase::practice_history),
        )
        .get(
            "/pcns/{code}/training/remind",
            get(training::chase::pcn_preview),
        )
        .post(
            "/pcns/{code}/training/remind",
            post(training::chase::pcn_send),
        )
        .get(
            "/pcns/{code}/training/reminders",
            get(training::chase::pcn_history),
        )
        .get("/me", get(me::me_page))
        .post("/me/contact", post(me::contact_update))
        .post("/me/leave", post(me::leave_request))
        .post("/me/calendar", post(me::calendar_reset))
        .get("/checkin", get(wellbeing::checkin))
        .post("/checkin", post(wellbeing::checkin_submit))
        .get("/support", get(wellbeing::support))
        .get("/me/workload", get(wellbeing::my_workload))
        .get(
            "/practices/{ods}/wellbeing",
            get(wellbeing::practice_report),
        )
        .get("/pcns/{code}/wellbeing", get(wellbeing::pcn_page))
        .post(
            "/pcns/{code}/wellbeing/settings",
            post(wellbeing::pcn_settings),
        )
        .post(
            "/pcns/{code}/wellbeing/services",
            post(wellbeing::pcn_service_add),
        )
        .post(
            "/pcns/{code}/wellbeing/services/remove",
            post(wellbeing::pcn_service_remove),
        )
}

/// The page context, with the session's CSRF token, for a logged-in page.
pub(crate) fn page_ctx(actor: &Actor, token: &CsrfToken, path: &str) -> PageCtx {
    PageCtx::new(actor, token.value(), path)
}

/// Shows a number of WTE or sessions without trailing zeros.
pub(crate) fn number(value: f64) -> String {
    domain::staff::format_number(value)
}

/// A date as people in England write it: 3 March 2026.
pub(crate) fn long_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// Success messages carried across a redirect in the query string (`?done=...`).
#[derive(serde::Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    pub done: String,
}

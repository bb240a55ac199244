//! Server-rendered pages. Each handler: `CurrentUser` → an `app` use case → a template.
mod account_links;
mod accounts;
mod admin;
mod arrs;
mod audit;
mod chart;
mod demand;
mod demand_chart;
mod development;
mod estates;
mod forms;
mod import_held;
mod imports;
mod leave_balances;
mod me;
mod my_rota;
mod notifications;
mod org;
mod payments;
mod person_data;
mod practice;
mod rota;
mod rota_cover;
mod rota_requests;
mod rota_setup;
mod rota_stale;
mod session;
mod session_requests;
mod sites;
mod staff_form;
mod training;
mod training_chase;
mod training_topics;
mod two_factor;
mod wellbeing;

use crate::Routes;
use crate::csrf::CsrfToken;
use crate::layout::PageCtx;
use app::Actor;
use axum::routing::{get, post};

pub(crate) use account_links::{dead_status, dead_words, start_reset};
pub(crate) use audit::csv_response as audit_csv_response;
pub(crate) use forms::{FieldView, FormView};
pub(crate) use me::ical_path;
pub(crate) use person_data::zip_response as person_zip_response;
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
        .get("/", get(session::home))
        .get("/login", get(session::login_page))
        .post("/login", post(session::login_submit))
        .post("/logout", post(session::logout))
        .get("/login/two-factor", get(two_factor::login_code_page))
        .post("/login/two-factor", post(two_factor::login_code_submit))
        .get("/account/two-factor", get(two_factor::account_two_factor))
        .post("/account/two-factor", post(two_factor::enable))
        .post("/account/two-factor/disable", post(two_factor::disable))
        // Accounts people run themselves.
        .get("/setup/{token}", get(account_links::setup_page))
        .post("/setup/{token}", post(account_links::setup_submit))
        .get("/invitations/{token}", get(account_links::invitation_page))
        .post(
            "/invitations/{token}",
            post(account_links::invitation_submit),
        )
        .get("/password-reset", get(account_links::reset_request_page))
        .post("/password-reset", post(account_links::reset_request_submit))
        .get(
            "/password-reset/{token}",
            get(account_links::reset_page_for),
        )
        .post("/password-reset/{token}", post(account_links::reset_submit))
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
        .get("/practices/{ods}", get(practice::dashboard))
        .get("/practices/{ods}/staff", get(practice::staff_list))
        .get("/practices/{ods}/staff/new", get(staff_form::staff_new))
        .post("/practices/{ods}/staff", post(staff_form::staff_create))
        .get("/practices/{ods}/staff/export", get(practice::staff_export))
        .get("/staff/template.csv", get(practice::staff_template))
        .get("/staff/template.xlsx", get(practice::staff_template_xlsx))
        .get("/staff/{id}", get(staff_form::staff_edit))
        .post("/staff/{id}", post(staff_form::staff_update))
        .get("/practices/{ods}/vacancies/new", get(practice::vacancy_new))
        .post("/practices/{ods}/vacancies", post(practice::vacancy_create))
        .post("/vacancies/{id}/status", post(practice::vacancy_status))
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
        .get("/practices/{ods}/leave", get(practice::leave_page))
        .post("/leave/{id}/decision", post(practice::leave_decide))
        .get(
            "/practices/{ods}/leave/rules",
            get(leave_balances::rules_page),
        )
        .post(
            "/practices/{ods}/leave/rules",
            post(leave_balances::rules_save),
        )
        .get(
            "/staff/{id}/leave-entitlement",
            get(leave_balances::entitlement_page),
        )
        .post(
            "/staff/{id}/leave-entitlement",
            post(leave_balances::entitlement_save),
        )
}

/// Administration, imports, payments, PCN pages, demand and the ARRS ledger.
fn admin_imports_demand_and_funding(routes: Routes) -> Routes {
    routes
        .get("/admin", get(admin::admin_page))
        .post("/admin/ics", post(admin::ics_create))
        .post("/admin/pcns", post(admin::pcn_create))
        .post("/admin/memberships", post(admin::membership_create))
        .get("/admin/practices/{ods}", get(admin::practice_history))
        .get("/import", get(imports::import_page))
        .upload("/import/staff", post(imports::import_staff), IMPORT)
        .get("/import/staff/{id}", get(import_held::held_page))
        .post("/import/staff/{id}", post(import_held::held_correct))
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
        .get("/practices/{ods}/payments", get(payments::practice_page))
        .get("/pcns/{code}/payments", get(payments::pcn_page))
        .get("/pcns/{code}", get(org::pcn_page))
        .get("/pcns/{code}/demand", get(demand::pcn_page))
        // The ARRS ledger.
        .get("/pcns/{code}/arrs/{year}", get(arrs::ledger_page))
        .post(
            "/pcns/{code}/arrs/{year}/settings",
            post(arrs::settings_save),
        )
        .get(
            "/pcns/{code}/arrs/{year}/claims/{month}",
            get(arrs::claim_page),
        )
        .post(
            "/pcns/{code}/arrs/{year}/claims/{month}",
            post(arrs::claim_action),
        )
        .get(
            "/pcns/{code}/arrs/{year}/claims/{month}/export",
            get(arrs::claim_export),
        )
        .get("/pcns/{code}/arrs-posts", get(arrs::posts_page))
        .upload(
            "/pcns/{code}/arrs-posts/import",
            post(arrs::posts_import),
            IMPORT,
        )
        .get("/staff/{id}/arrs", get(arrs::post_form))
        .post("/staff/{id}/arrs", post(arrs::post_save))
        .get("/admin/arrs-rates", get(arrs::rates_page))
        .post("/admin/arrs-rates", post(arrs::rate_create))
        .post("/admin/arrs-sum-rates", post(arrs::sum_rate_save))
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
            get(training_topics::practice_topics),
        )
        .post(
            "/practices/{ods}/training/topics",
            post(training_topics::practice_topic_create),
        )
        .get("/pcns/{code}/training", get(training::pcn_matrix))
        .get("/pcns/{code}/training/export", get(training::pcn_export))
        .get(
            "/pcns/{code}/training/topics",
            get(training_topics::pcn_topics),
        )
        .post(
            "/pcns/{code}/training/topics",
            post(training_topics::pcn_topic_create),
        )
        .get("/training-topics/{id}", get(training_topics::topic_edit))
        .post("/training-topics/{id}", post(training_topics::topic_update))
        .post(
            "/training-topics/{id}/retire",
            post(training_topics::topic_retire),
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
        .get("/rotas/requests", get(rota_requests::requests_page))
        .get("/rotas/{id}", get(rota::rota_page))
        .post("/rotas/{id}/cancel", post(rota::rota_cancel))
        .post("/rotas/{id}/publish", post(rota::rota_publish))
        .post("/rotas/{id}/resolve", post(rota::rota_resolve))
        .get("/rotas/{id}/day", get(rota::day_page))
        .post("/rotas/{id}/day", post(rota::day_save))
        .get("/rotas/{id}/cover", get(rota_cover::cover_page))
        .post("/rotas/{id}/cover/book", post(rota_cover::book))
        .get("/rotas/{id}/print", get(rota::print_page))
        .get("/rotas/{id}/pdf", get(rota::pdf_download))
        .post("/rotas/{id}/repair", post(rota_stale::repair_propose))
        .get("/rotas/{id}/repair", get(rota_stale::repair_page))
        .post(
            "/rotas/{id}/repair/publish",
            post(rota_stale::repair_publish),
        )
        .get("/me/rota", get(my_rota::my_rota_page))
        .post("/me/swaps", post(my_rota::swap_request))
        .post("/me/session-requests", post(session_requests::my_request))
        .post(
            "/staff/{id}/session-requests",
            post(session_requests::staff_request),
        )
        .post(
            "/session-requests/{id}/withdraw",
            post(session_requests::withdraw),
        )
        .post("/swaps/{id}/decision", post(rota_requests::swap_decide))
        .post(
            "/session-requests/{id}/decision",
            post(rota_requests::session_request_decide),
        )
        // Rota set-up: cover templates, site sessions, a person's rota rules.
        .get(
            "/practices/{ods}/rota/cover",
            get(rota_setup::practice_cover),
        )
        .get("/pcns/{code}/rota/cover", get(rota_setup::pcn_cover))
        .post("/sites/{id}/sessions", post(rota_setup::session_save))
        .post("/sites/{id}/cover", post(rota_setup::cover_save))
        .post(
            "/sites/{id}/cover/suggested",
            post(rota_setup::cover_suggested),
        )
        .get("/staff/{id}/rota-rules", get(rota_setup::rules_page))
        .post("/staff/{id}/rota-rules", post(rota_setup::rules_save))
}

/// The system page, audit, personal data, notifications, training reminders, "me" and wellbeing.
fn audit_notices_me_and_wellbeing(routes: Routes) -> Routes {
    routes
        .get("/system", get(org::system_page))
        .get("/audit", get(audit::audit_page))
        .get("/staff/{id}/export", get(person_data::export))
        .get("/staff/{id}/erase", get(person_data::erase_page))
        .post("/staff/{id}/erase", post(person_data::erase))
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
            get(training_chase::practice_preview),
        )
        .post(
            "/practices/{ods}/training/remind",
            post(training_chase::practice_send),
        )
        .get(
            "/practices/{ods}/training/reminders",
            get(training_chase::practice_history),
        )
        .get(
            "/pcns/{code}/training/remind",
            get(training_chase::pcn_preview),
        )
        .post(
            "/pcns/{code}/training/remind",
            post(training_chase::pcn_send),
        )
        .get(
            "/pcns/{code}/training/reminders",
            get(training_chase::pcn_history),
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

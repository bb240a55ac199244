//! Starters and leavers on both databases: a person whose end date has passed, or whose
//! start date is still to come, is out of the counts and WTE, the team list (but under
//! "Left" and "Starting"), the training matrix and its exports, the reminders and the
//! check-in; from the day after their end date their account is disabled, they are out of
//! unpublished rotas, and a published rota that still books them is flagged.
use super::on_both;
use crate::support::*;
use app::clock::Clock;
use app::rota::{DayEdit, RotaScope, load_input};
use app::training::{Email, Mailer};
use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::rota::RotaPeriod;
use serde_json::{Value, json};
use std::sync::Mutex;
use store::Backend;
use store::register::StaffRecord;

/// Keeps every message instead of sending it.
#[derive(Default)]
struct Outbox(Mutex<Vec<Email>>);

impl Mailer for Outbox {
    async fn send(&self, email: &Email) -> Result<(), String> {
        self.0.lock().unwrap().push(email.clone());
        Ok(())
    }
}

impl Outbox {
    fn sent_to(&self, address: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.to == address)
            .count()
    }

    fn any_mentions(&self, text: &str) -> bool {
        self.0.lock().unwrap().iter().any(|e| e.body.contains(text))
    }
}

/// The people behind the demo practice's staff log-ins, in listing order.
async fn staff_with_logins(t: &TestApp) -> Vec<(String, StaffRecord)> {
    let mut out = Vec::new();
    for login in t.app.demo().demo_logins().await.unwrap() {
        if login.role != "staff" || login.organisation != OWN_PRACTICE {
            continue;
        }
        let user = t.user(&login.email).await;
        let mut conn = t.app.store().conn().await.unwrap();
        let person = store::register::get(&mut conn, user.staff_id.as_deref().unwrap())
            .await
            .unwrap()
            .unwrap();
        if person.draft.email.is_some() {
            out.push((login.email, person));
        }
    }
    out
}

async fn actor_of(t: &TestApp, email: &str) -> app::Actor {
    let user = t.user(email).await;
    t.app.accounts().actor(&user.id).await.unwrap()
}

async fn api_client(t: &TestApp, email: &str) -> reqwest::Client {
    let client = TestApp::client();
    let r = client
        .post(format!("{}/api/login", t.base))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "log in as {email}");
    client
}

/// A name as the pages print it (askama escapes HTML).
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn long(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// The PCN's headcount and WTE in `GET /api/pcns/{code}`, and the demo practice's there.
fn pcn_figures(pcn: &Value) -> (u64, f64, u64) {
    let practice = pcn["practices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ods_code"] == OWN_PRACTICE)
        .cloned()
        .unwrap_or(Value::Null);
    (
        pcn["headcount"].as_u64().unwrap(),
        pcn["wte"].as_f64().unwrap(),
        practice["headcount"].as_u64().unwrap_or(0),
    )
}

/// The demo PCN's headcount in the ICS viewer's `GET /api/system`.
fn system_headcount(system: &Value) -> u64 {
    system["pcns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == OWN_PCN)
        .unwrap()["headcount"]
        .as_u64()
        .unwrap()
}

on_both!(
    leavers_and_starters_are_out_of_counts_lists_training_reminders_and_checkins,
    async |t: &TestApp| {
        let today = t.app.today();
        let people = staff_with_logins(t).await;
        assert!(
            people.len() >= 3,
            "three staff log-ins at the demo practice"
        );
        let (leaver_login, leaver) = people[0].clone();
        let (starter_login, starter) = people[1].clone();
        let (current_login, current) = people[2].clone();
        let manager_login = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let manager = actor_of(t, &manager_login).await;
        let manager_api = api_client(t, &manager_login).await;
        let manager_web = t.logged_in(&manager_login).await;
        let pcn_api = api_client(t, &t.login_email("pcn_manager", Some(OWN_PCN)).await).await;
        let ics_api = api_client(t, &t.login_email("ics_viewer", Some(OWN_ICS)).await).await;
        let leaver_web = t.logged_in(&leaver_login).await;
        let starter_api = api_client(t, &starter_login).await;
        let current_api = api_client(t, &current_login).await;

        // Each of the three would be reminded of training expiring in ten days and of an
        // appraisal due in ten days.
        let soon = today + Days::new(10);
        for (_, person) in [&people[0], &people[1], &people[2]] {
            let topic = t.fresh_topic(OWN_PRACTICE).await;
            let mut conn = t.app.store().conn().await.unwrap();
            let record = domain::training::RecordDraft {
                topic_id: topic,
                completed_on: today - Days::new(355),
                provider: "test".into(),
                hours: 1.0,
                expires_on: Some(soon),
            };
            store::training::insert_record(
                &mut conn,
                &store::new_id(),
                &person.id,
                &record,
                None,
                "test",
                "2026-01-01T00:00:00Z",
            )
            .await
            .unwrap();
            let dates = domain::development::ProfessionalDates {
                appraisal_due: Some(soon),
                revalidation_due: None,
            };
            store::development::set_dates(&mut conn, &person.id, &dates, "test", "2026-01-01")
                .await
                .unwrap();
        }

        // Before: everyone counts.
        let before_dash = t
            .app
            .organisations()
            .practice_dashboard(&manager, OWN_PRACTICE)
            .await
            .unwrap();
        let (_, before_pcn) = get_json(t, &pcn_api, &format!("/api/pcns/{OWN_PCN}")).await;
        let (_, before_system) = get_json(t, &ics_api, "/api/system").await;
        let before_workload = t
            .app
            .wellbeing()
            .team_workload(&manager, OWN_PRACTICE)
            .await
            .unwrap();
        let matrix_path = format!("/api/practices/{OWN_PRACTICE}/training-matrix");
        let (_, matrix) = get_json(t, &manager_api, &matrix_path).await;
        let names: Vec<&str> = matrix["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&leaver.draft.name.as_str()), "{names:?}");
        assert!(names.contains(&starter.draft.name.as_str()), "{names:?}");

        // The manager saves an end date of yesterday (through the API) and a start date of
        // tomorrow for the starter.
        let yesterday = today - Days::new(1);
        let tomorrow = today + Days::new(1);
        let (_, mut body) = get_json(t, &manager_api, &format!("/api/staff/{}", leaver.id)).await;
        body["end_date"] = json!(yesterday.to_string());
        if leaver.draft.start_date > yesterday {
            body["start_date"] = json!((yesterday - Days::new(30)).to_string());
        }
        let r = manager_api
            .put(format!("{}/api/staff/{}", t.base, leaver.id))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        let mut form = starter.draft.to_form();
        form.start_date = tomorrow.to_string();
        form.end_date = String::new();
        t.app
            .register()
            .update_staff(&manager, &starter.id, &form, &starter.site_ids)
            .await
            .unwrap();

        // The end date in the past took effect at once: the leaver's account is disabled
        // and the session they had open is refused.
        assert!(t.user(&leaver_login).await.disabled);
        let (status, _) = get(t, &leaver_web, "/me").await;
        assert_ne!(status, 200, "a leaver's session ends");
        assert!(
            !t.user(&starter_login).await.disabled,
            "a starter keeps theirs"
        );

        // Counts and WTE: the practice dashboard, the PCN page and the system overview.
        let dash = t
            .app
            .organisations()
            .practice_dashboard(&manager, OWN_PRACTICE)
            .await
            .unwrap();
        assert_eq!(dash.headcount, before_dash.headcount - 2);
        let share = |p: &StaffRecord| p.draft.wte / p.draft.practices.len().max(1) as f64;
        assert!(
            (before_dash.wte - dash.wte - share(&leaver) - share(&starter)).abs() < 0.03,
            "{} → {}",
            before_dash.wte,
            dash.wte
        );
        let (_, pcn) = get_json(t, &pcn_api, &format!("/api/pcns/{OWN_PCN}")).await;
        let (b_head, b_wte, b_here) = pcn_figures(&before_pcn);
        let (a_head, a_wte, a_here) = pcn_figures(&pcn);
        assert_eq!(a_head, b_head - 2);
        assert!((b_wte - a_wte - leaver.draft.wte - starter.draft.wte).abs() < 0.03);
        assert_eq!(a_here + 2, b_here);
        let (_, system) = get_json(t, &ics_api, "/api/system").await;
        assert_eq!(
            system_headcount(&system),
            system_headcount(&before_system) - 2
        );
        let workload = t
            .app
            .wellbeing()
            .team_workload(&manager, OWN_PRACTICE)
            .await
            .unwrap();
        assert_eq!(workload.people, before_workload.people - 2);

        // The team list: current by default, leavers and starters under their own filter.
        let team = format!("/practices/{OWN_PRACTICE}/staff");
        let (_, page) = get(t, &manager_web, &team).await;
        assert!(page.contains(&html(&current.draft.name)));
        assert!(!page.contains(&html(&leaver.draft.name)), "no leaver");
        assert!(!page.contains(&html(&starter.draft.name)), "no starter");
        let (_, page) = get(t, &manager_web, &format!("{team}?employment=left")).await;
        assert!(page.contains(&html(&leaver.draft.name)));
        assert!(page.contains(&format!("to {}", long(yesterday))), "{page}");
        assert!(!page.contains(&html(&current.draft.name)));
        assert!(page.contains("who have left"));
        let (_, page) = get(t, &manager_web, &format!("{team}?employment=starting")).await;
        assert!(page.contains(&html(&starter.draft.name)));
        assert!(page.contains(&format!("From {}", long(tomorrow))), "{page}");
        assert!(!page.contains(&html(&leaver.draft.name)));
        let (_, page) = get(t, &manager_web, &format!("{team}?employment=all")).await;
        for person in [&leaver, &starter, &current] {
            assert!(page.contains(&html(&person.draft.name)));
        }

        // The training matrix, as JSON and CSV.
        let (_, matrix) = get_json(t, &manager_api, &matrix_path).await;
        let names: Vec<&str> = matrix["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&leaver.draft.name.as_str()), "{names:?}");
        assert!(!names.contains(&starter.draft.name.as_str()), "{names:?}");
        assert!(names.contains(&current.draft.name.as_str()), "{names:?}");
        let (status, csv) = get(
            t,
            &manager_web,
            &format!("/practices/{OWN_PRACTICE}/training/export?format=csv"),
        )
        .await;
        assert_eq!(status, 200);
        assert!(csv.contains(&current.draft.name));
        assert!(!csv.contains(&leaver.draft.name));
        assert!(!csv.contains(&starter.draft.name));

        // Reminders: training (and the managers' digest) and development.
        let outbox = Outbox::default();
        t.app
            .training()
            .send_training_reminders(&outbox, today)
            .await
            .unwrap();
        t.app
            .development()
            .send_development_reminders(&outbox, today)
            .await
            .unwrap();
        let address = |p: &StaffRecord| p.draft.email.clone().unwrap();
        assert_eq!(
            outbox.sent_to(&address(&current)),
            2,
            "training and appraisal"
        );
        assert_eq!(outbox.sent_to(&address(&leaver)), 0);
        assert_eq!(outbox.sent_to(&address(&starter)), 0);
        assert!(
            outbox.any_mentions(&current.draft.name),
            "the digest names current staff"
        );
        assert!(!outbox.any_mentions(&leaver.draft.name));
        assert!(!outbox.any_mentions(&starter.draft.name));

        // The check-in: open to current staff, not yet to a starter.
        let (status, _) = get_json(t, &current_api, "/api/checkins/current").await;
        assert_eq!(status, 200);
        let (status, body) = get_json(t, &starter_api, "/api/checkins/current").await;
        assert_eq!(status, 409, "{body}");
        assert!(body.to_string().contains(&long(tomorrow)), "{body}");
    }
);

/// 09:00 in London on a winter day.
fn at(day: &str) -> DateTime<Utc> {
    format!("{day}T09:00:00Z").parse().unwrap()
}

async fn a_leaver_is_closed_out_the_day_after_their_end_date(backend: Backend) {
    // Monday 23 November 2026; the rotas run from Monday 7 December for two weeks.
    let clock = Clock::fixed(at("2026-11-23"));
    let t = spawn_at(backend, clock.clone()).await;
    let (login, person) = staff_with_logins(&t).await.remove(0);
    let manager_login = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
    let manager = actor_of(&t, &manager_login).await;
    let client = t.logged_in(&login).await;
    let site = match person.site_ids.first() {
        Some(site) => site.clone(),
        None => t.own_site().await,
    };
    let from = day("2026-12-07");
    let end = day("2026-12-11");
    let after = day("2026-12-14");

    // Two finished rotas booking them every weekday morning: one published, one not.
    let mut rotas = Vec::new();
    for publish in [false, true] {
        let id = t.fresh_rota(OWN_PRACTICE).await;
        let mut conn = t.app.store().conn().await.unwrap();
        let now = "2026-11-23T09:00:00Z";
        store::rota::claim(&mut conn, &id, "test", now, now)
            .await
            .unwrap()
            .unwrap();
        let rows: Vec<store::rota::AssignmentRow> = (0..14)
            .map(|i| from + Days::new(i))
            .filter(|d| chrono::Datelike::weekday(d).num_days_from_monday() < 5)
            .map(|d| store::rota::AssignmentRow {
                staff_id: person.id.clone(),
                day: d.to_string(),
                session: "am".into(),
                site_id: site.clone(),
                room_id: None,
            })
            .collect();
        store::rota::replace_assignments(&mut conn, &id, &rows)
            .await
            .unwrap();
        assert!(
            store::rota::finish(
                &mut conn,
                &id,
                "test",
                "done",
                Some(0),
                Some(0),
                None,
                None,
                now
            )
            .await
            .unwrap()
        );
        if publish {
            store::rota::publish(&mut conn, &id, "test", now)
                .await
                .unwrap();
        }
        rotas.push(id);
    }
    let (draft, published) = (rotas[0].clone(), rotas[1].clone());

    // The manager sets the end date (Friday 11 December) ahead of time: nothing closes yet.
    let mut form = person.draft.to_form();
    form.end_date = end.to_string();
    t.app
        .register()
        .update_staff(&manager, &person.id, &form, &person.site_ids)
        .await
        .unwrap();
    assert!(t.app.register().apply_leavers().await.unwrap().is_empty());
    assert!(!t.user(&login).await.disabled);

    // The rota's inputs: available up to the end date, not after; no override books after.
    let period = RotaPeriod { from, weeks: 2 };
    let mut conn = t.app.store().conn().await.unwrap();
    let (input, _) = load_input(&mut conn, &RotaScope::Practice(OWN_PRACTICE.into()), period)
        .await
        .unwrap();
    drop(conn);
    let me = input.people.iter().find(|p| p.id == person.id).unwrap();
    assert_eq!(me.on_leave(after), Some(app::rota::plan::NOT_EMPLOYED));
    assert_ne!(me.on_leave(end), Some(app::rota::plan::NOT_EMPLOYED));
    let version = t
        .app
        .rota()
        .detail(&manager, &draft)
        .await
        .unwrap()
        .row
        .version;
    let edit = DayEdit {
        staff_id: person.id.clone(),
        date: (after + Days::new(1)).to_string(),
        pattern: "am".into(),
        site_id: site.clone(),
        lock: false,
        override_rules: true,
        version,
    };
    let outcome = t
        .app
        .rota()
        .edit_rota_day(&manager, &draft, &edit)
        .await
        .unwrap();
    assert!(!outcome.saved, "a day after the end date cannot be booked");
    assert!(
        outcome.new_problems.iter().any(|p| p.rule == "employment"
            && p.message
                .contains("left on 11 December 2026 and is booked on")),
        "{:?}",
        outcome.new_problems
    );

    // The day after the end date: the account is disabled, its session ends, and the
    // unpublished rota loses the days after the end date (once, audited once).
    let audits = |t: &TestApp| {
        let store = t.app.store().clone();
        let id = person.id.clone();
        async move {
            let mut conn = store.conn().await.unwrap();
            store::audit::count_for(&mut conn, "staff", &id)
                .await
                .unwrap()
        }
    };
    let audited = audits(&t).await;
    clock.set(at("2026-12-12"));
    let done = t.app.register().apply_leavers().await.unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].staff_id, person.id);
    assert_eq!(done[0].accounts_disabled, vec![login.clone()]);
    assert_eq!(
        done[0].sessions_removed.len(),
        5,
        "the second week's mornings"
    );
    assert!(done[0].sessions_removed.iter().all(|s| s.rota_id == draft));
    assert!(t.user(&login).await.disabled);
    let (status, _) = get(&t, &client, "/me").await;
    assert_ne!(status, 200, "the leaver's session ends");
    assert_eq!(audits(&t).await, audited + 1);
    assert!(
        t.app.register().apply_leavers().await.unwrap().is_empty(),
        "idempotent"
    );
    assert_eq!(audits(&t).await, audited + 1, "audited once");

    let mut conn = t.app.store().conn().await.unwrap();
    let kept = store::rota::list_assignments(&mut conn, &draft)
        .await
        .unwrap();
    assert_eq!(kept.len(), 5);
    assert!(kept.iter().all(|a| a.day.as_str() <= "2026-12-11"));
    let still = store::rota::list_assignments(&mut conn, &published)
        .await
        .unwrap();
    assert_eq!(still.len(), 10, "a published rota is not changed");
    drop(conn);

    // The published rota flags each booking after the end date, in its check and page.
    let detail = t.app.rota().detail(&manager, &published).await.unwrap();
    let flagged: Vec<&str> = detail
        .problems
        .iter()
        .filter(|p| p.rule == "employment")
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(flagged.len(), 5, "{flagged:?}");
    assert!(
        flagged[0].contains("left on 11 December 2026 and is booked on Monday 14 December 2026"),
        "{flagged:?}"
    );
    let manager_web = t.logged_in(&manager_login).await;
    let (status, page) = get(&t, &manager_web, &format!("/rotas/{published}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("left on 11 December 2026 and is booked on"),
        "the rota page flags it"
    );
    if backend == Backend::Postgres {
        t.db.cleanup().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_is_closed_out_the_day_after_their_end_date_sqlite() {
    a_leaver_is_closed_out_the_day_after_their_end_date(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaver_is_closed_out_the_day_after_their_end_date_postgres() {
    a_leaver_is_closed_out_the_day_after_their_end_date(Backend::Postgres).await;
}

on_both!(
    the_ics_counts_each_pcn_as_its_own_page_does,
    async |t: &TestApp| {
        // The ICS page counts in SQL; the PCN page reads its people and counts them. Both
        // must agree on every PCN and staff group, leavers and starters left out alike.
        let ics_api = api_client(t, &t.login_email("ics_viewer", Some(OWN_ICS)).await).await;
        let (status, system) = get_json(t, &ics_api, "/api/system").await;
        assert_eq!(status, 200);
        let pcns = system["pcns"].as_array().unwrap();
        assert!(!pcns.is_empty());
        let mut people = 0;
        for aggregate in pcns {
            let code = aggregate["code"].as_str().unwrap();
            let (status, page) = get_json(t, &ics_api, &format!("/api/pcns/{code}")).await;
            assert_eq!(status, 200, "{code}");
            assert_eq!(aggregate["headcount"], page["headcount"], "{code}");
            assert_eq!(aggregate["wte"], page["wte"], "{code}");
            assert_eq!(aggregate["groups"], page["groups"], "{code}");
            people += aggregate["headcount"].as_u64().unwrap();
        }
        assert!(people > 0, "the demo ICS has people");
        let total: u64 = system["totals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["headcount"].as_u64().unwrap())
            .sum();
        assert!(total > 0 && total <= people, "{total} of {people}");
    }
);

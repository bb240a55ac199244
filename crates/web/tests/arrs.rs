//! The ARRS ledger over HTTP on the demo PCN (its posts and the claims the demo submitted
//! for 2025/26): the year's figures add up, claim lines follow the rule, a submitted month
//! is locked, a backdated rate change is claimed in the next draft without changing
//! submitted months, bad rates and post files are refused with nothing stored, and who
//! may see what.
use super::*;

/// 3 December 2026: 2025/26 is closed (April–January submitted by the demo, February
/// checked, March not drafted) and 2026/27 has no rates.
fn fixed_day() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn clock() -> app::clock::Clock {
    app::clock::Clock::fixed(fixed_day())
}

fn money(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

async fn ledger_journey(backend: Backend) {
    let clock = clock();
    let t = spawn_at(backend, clock.clone()).await;
    let pcn = t
        .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
        .await;
    // The administrator's two-factor code is of the real time.
    clock.set(chrono::Utc::now());
    let admin = t.logged_in(ADMIN_EMAIL).await;
    clock.set(fixed_day());

    // The year's figures add up, from the seeded £26.631 and the demo's weighted population.
    let (status, year) = get_json(&t, &pcn, &format!("/api/pcns/{OWN_PCN}/arrs/2025-26")).await;
    assert_eq!(status, 200, "{year}");
    let data = demo::demo_pcn(t.app.today());
    let sum = (26.631 * demo::arrs::weighted_population(&data) * 100.0).round() / 100.0;
    assert!((money(&year["sum"]) - sum).abs() < 0.01, "{year}");
    let months = year["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let submitted: f64 = months
        .iter()
        .filter(|m| m["status"] == "submitted")
        .map(|m| money(&m["claimed"]))
        .sum();
    assert_eq!(
        months.iter().filter(|m| m["status"] == "submitted").count(),
        10
    );
    assert!((money(&year["claimed"]) - submitted).abs() < 0.01);
    assert!(money(&year["claimed"]) > 0.0);
    let headroom = money(&year["sum"]) - money(&year["claimed"]) - money(&year["committed"]);
    assert!((money(&year["headroom"]) - headroom).abs() < 0.02, "{year}");
    // The demo's care coordinators and others have no 2025/26 rate in the sources: said so.
    let warnings: Vec<String> = year["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("No maximum rate for Care coordinator in 2025/26")),
        "{warnings:?}"
    );
    // 2026/27: no £ per weighted patient found, so no sum, shown as missing.
    let (_, next) = get_json(&t, &pcn, &format!("/api/pcns/{OWN_PCN}/arrs/2026-27")).await;
    assert!(next["sum"].is_null(), "{next}");
    assert!(next["warnings"][0].as_str().unwrap().contains("missing"));

    // Every line of a submitted month follows the rule.
    let july = format!("/api/pcns/{OWN_PCN}/arrs/2025-26/claims/2025-07");
    let (status, claim) = get_json(&t, &pcn, &july).await;
    assert_eq!((status, claim["status"].as_str()), (200, Some("submitted")));
    let lines = claim["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    for l in lines {
        let expected =
            (money(&l["actual_cost"]).min(money(&l["maximum"])) * money(&l["share"]) * 100.0)
                .round()
                / 100.0;
        assert!((money(&l["claim"]) - expected).abs() < 0.005, "{l}");
    }
    let total: f64 = lines.iter().map(|l| money(&l["claim"])).sum();
    assert!((money(&claim["total"]) - total).abs() < 0.01);

    // A submitted month is locked: drafting it again is refused and changes nothing.
    let path = format!("/pcns/{OWN_PCN}/arrs/2025-26/claims/2025-07");
    let (status, _, page) = post_form(&t, &pcn, &path, &[("action", "draft")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("was submitted"), "{page}");
    assert_eq!(get_json(&t, &pcn, &july).await.1, claim);

    // A rate without a source or an effective date is refused and nothing is stored.
    let count = |t: &TestApp| {
        let store = t.app.store().clone();
        async move {
            let mut conn = store.conn().await.unwrap();
            store::funding::arrs::list_rates(&mut conn)
                .await
                .unwrap()
                .len()
        }
    };
    let before = count(&t).await;
    let (status, _, page) = post_form(
        &t,
        &admin,
        "/admin/arrs-rates",
        &[
            ("role", "clinical_pharmacist"),
            ("band", "7–8a"),
            ("area", "national"),
            ("annual_max", "70,000"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Enter the source"), "{page}");
    assert!(
        page.contains("Enter the date the rate takes effect"),
        "{page}"
    );
    assert_eq!(count(&t).await, before);
    // The PCN manager may not record rates.
    let (status, _, _) = post_form(
        &t,
        &pcn,
        "/admin/arrs-rates",
        &[("role", "clinical_pharmacist")],
    )
    .await;
    assert_eq!(status, 403);

    // An uplift recorded now, backdated to 1 April 2025: submitted months keep their
    // figures and the next draft (March 2026) carries the differences for April–January.
    let (status, location, page) = post_form(
        &t,
        &admin,
        "/admin/arrs-rates",
        &[
            ("role", "clinical_pharmacist"),
            ("band", "7–8a"),
            ("area", "national"),
            ("annual_max", "70,000"),
            ("share", "100%"),
            ("effective_from", "2025-04-01"),
            ("source", "Test: backdated uplift"),
        ],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/admin/arrs-rates?done=rate"),
        "{page}"
    );
    assert_eq!(get_json(&t, &pcn, &july).await.1, claim);
    let march = format!("/pcns/{OWN_PCN}/arrs/2025-26/claims/2026-03");
    let (status, _, page) = post_form(&t, &pcn, &march, &[("action", "draft")]).await;
    assert_eq!(status, 303, "{page}");
    let (_, drafted) = get_json(
        &t,
        &pcn,
        &format!("/api/pcns/{OWN_PCN}/arrs/2025-26/claims/2026-03"),
    )
    .await;
    assert_eq!(drafted["status"], "draft");
    let backdated: Vec<&serde_json::Value> = drafted["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["backdated"] == true)
        .collect();
    let pharmacist_months: usize = claim["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["role"] == "clinical_pharmacist")
        .count()
        * 10;
    assert!(
        !backdated.is_empty() && backdated.len() <= pharmacist_months,
        "{drafted}"
    );
    assert!(
        backdated
            .iter()
            .all(|l| l["role"] == "clinical_pharmacist" && money(&l["claim"]) > 0.0)
    );
    let july_line = claim["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["role"] == "clinical_pharmacist")
        .unwrap();
    let july_back = backdated
        .iter()
        .find(|l| l["for_month"] == "2025-07" && l["staff_id"] == july_line["staff_id"])
        .unwrap();
    // New maximum 70,000 × WTE ÷ 12 against the frozen actual cost, less what July claimed.
    let new_claim = money(&july_line["actual_cost"])
        .min((70_000.0 * money(&july_line["wte"]) / 12.0 * 100.0).round() / 100.0);
    assert!(
        (money(&july_back["claim"]) - (new_claim - money(&july_line["claim"]))).abs() < 0.01,
        "{july_back}"
    );

    // Check and submit it; then it is locked too, and the CSV export has every line.
    assert_eq!(
        post_form(&t, &pcn, &march, &[("action", "check")]).await.0,
        303
    );
    assert_eq!(
        post_form(&t, &pcn, &march, &[("action", "submit")]).await.0,
        303
    );
    let (status, _, page) = post_form(&t, &pcn, &march, &[("action", "draft")]).await;
    assert_eq!(status, 422, "{page}");
    let (status, csv) = get(&t, &pcn, &format!("{march}/export?format=csv")).await;
    assert_eq!(status, 200);
    assert!(
        csv.starts_with("PCN,Claim month,Status,Staff id,Name,Role"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        1 + drafted["lines"].as_array().unwrap().len() + 1
    );
    let (status, _) = get(&t, &pcn, &format!("{march}/export?format=xlsx")).await;
    assert_eq!(status, 200);

    // Who may see what: an ICS viewer the year's aggregates only, staff nothing.
    let ics = t
        .logged_in(&t.login_email("ics_viewer", Some(OWN_ICS)).await)
        .await;
    assert_eq!(
        get_json(&t, &ics, &format!("/api/pcns/{OWN_PCN}/arrs/2025-26"))
            .await
            .0,
        200
    );
    assert_eq!(get_json(&t, &ics, &july).await.0, 403);
    let staff = t
        .logged_in(&t.login_email("staff", Some(OWN_PRACTICE)).await)
        .await;
    assert_eq!(
        get_json(&t, &staff, &format!("/api/pcns/{OWN_PCN}/arrs/2025-26"))
            .await
            .0,
        403
    );
    // A month outside the year is named.
    let (status, body) = get_json(
        &t,
        &pcn,
        &format!("/api/pcns/{OWN_PCN}/arrs/2025-26/claims/2026-07"),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["fields"][0]["field"], "month", "{body}");

    // The ledger page shows the figures; a what-if pharmacist lowers the headroom.
    let (status, page) = get(
        &t,
        &pcn,
        &format!("/pcns/{OWN_PCN}/arrs/2025-26?role=clinical_pharmacist&wte=1&from=2026-01"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("Headroom with the post"), "{page}");
}

async fn post_import(backend: Backend) {
    let t = spawn_at(backend, clock()).await;
    let pcn = t
        .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
        .await;
    let mut conn = t.app.store().conn().await.unwrap();
    let posts = store::funding::arrs::list_posts(&mut conn, OWN_PCN)
        .await
        .unwrap();
    let first = posts[0].clone();
    drop(conn);
    let import = |body: String| {
        let pcn = pcn.clone();
        let t = &t;
        async move {
            let token = t.csrf(&pcn).await;
            let form = reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(body.into_bytes()).file_name("posts.csv"),
                );
            let r = pcn
                .post(format!("{}/pcns/{OWN_PCN}/arrs-posts/import", t.base))
                .multipart(form)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // Row 3 has 60 hours (1.6 WTE) and a salary of 0: refused, naming file, row and field;
    // row 2 is not stored either.
    let bad = format!(
        "staff_id,engagement,monthly_salary,employer_ni,employer_pension,hours_per_week\n\
         {id},employed,4000,500,800,37.5\n\
         {id2},employed,0,0,0,60\n",
        id = first.staff_id,
        id2 = posts[1].staff_id
    );
    let (status, page) = import(bad).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("posts.csv:3: hours_per_week:"), "{page}");
    assert!(page.contains("posts.csv:3: monthly_salary:"), "{page}");
    let mut conn = t.app.store().conn().await.unwrap();
    let unchanged = store::funding::arrs::get_post(&mut conn, &first.staff_id)
        .await
        .unwrap()
        .unwrap()
        .1;
    assert_eq!(unchanged.monthly_salary, first.monthly_salary);
    drop(conn);
    let good = format!(
        "staff_id,engagement,monthly_salary,employer_ni,employer_pension,hours_per_week\n{},employed,\"4,000\",500,800,30\n",
        first.staff_id
    );
    let (status, page) = import(good).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Stored 1 posts"), "{page}");
    let mut conn = t.app.store().conn().await.unwrap();
    let changed = store::funding::arrs::get_post(&mut conn, &first.staff_id)
        .await
        .unwrap()
        .unwrap()
        .1;
    assert_eq!((changed.monthly_salary, changed.wte), (4_000.0, 0.8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrs_ledger_sqlite() {
    ledger_journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrs_ledger_postgres() {
    ledger_journey(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrs_post_import_sqlite() {
    post_import(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arrs_post_import_postgres() {
    post_import(Backend::Postgres).await;
}

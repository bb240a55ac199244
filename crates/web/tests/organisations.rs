//! Organisations run by the system administrator: ICSs, PCNs, practice-to-PCN membership
//! with history, and the reference imports only the administrator may run, through the API
//! and the pages, on both databases.
use super::on_both;
use crate::support::*;
use chrono::{Duration, NaiveTime, TimeZone};
use store::Backend;

const NHS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/nhs");
const EPCN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../import/tests/data/epcn_snee.csv"
);
const SNEE: &str = "NHS Suffolk and North East Essex ICB";

async fn put_json(
    t: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = client
        .put(format!("{}{path}", t.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_default())
}

async fn post_file(
    t: &TestApp,
    client: &reqwest::Client,
    path: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, serde_json::Value) {
    let r = client
        .post(format!("{}{path}", t.base))
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_default())
}

async fn history(t: &TestApp, ods: &str) -> Vec<(String, String, Option<String>)> {
    let mut conn = t.app.store().conn().await.unwrap();
    store::organisations::memberships::history(&mut conn, ods)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.pcn_code, m.from_date, m.until_date))
        .collect()
}

async fn pcn_today(t: &TestApp, ods: &str) -> Option<String> {
    let mut conn = t.app.store().conn().await.unwrap();
    store::organisations::get(&mut conn, ods)
        .await
        .unwrap()
        .unwrap()
        .pcn_code
}

fn message_of(body: &serde_json::Value, field: &str) -> String {
    body["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|e| e["field"] == field))
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("no problem with {field}: {body}"))
}

on_both!(
    the_administrator_creates_organisations_and_moves_practices_with_history,
    async |t: &TestApp| {
        let admin = t.logged_in(ADMIN_EMAIL).await;
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let ics = serde_json::json!({ "code": "qjg", "name": SNEE });
        let (status, _) = post_json(t, &pm, "/api/ics", ics.clone()).await;
        assert_eq!(status, 403, "a practice manager cannot add an ICS");
        let (status, body) = post_json(t, &admin, "/api/ics", ics).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["code"], "QJG");
        let (status, body) = post_json(
            t,
            &admin,
            "/api/ics",
            serde_json::json!({ "code": "QJG", "name": "Another" }),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            message_of(&body, "code"),
            format!("QJG is already the code of {SNEE}")
        );
        let (status, body) = post_json(
            t,
            &admin,
            "/api/ics",
            serde_json::json!({ "code": "QJ-G", "name": SNEE }),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            message_of(&body, "code").contains("not a valid ICS code"),
            "{body}"
        );
        assert!(
            message_of(&body, "name").contains("There is already an ICS called"),
            "{body}"
        );

        let (status, body) = post_json(
            t,
            &admin,
            "/api/pcns",
            serde_json::json!({ "code": "X39025", "name": "WGGL PCN", "ics": "QJG" }),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            message_of(&body, "code").contains("U and five digits"),
            "{body}"
        );
        let (status, body) = post_json(
            t,
            &admin,
            "/api/pcns",
            serde_json::json!({ "code": "U39025", "name": "WGGL PCN", "ics": SNEE }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = post_json(
            t,
            &admin,
            "/api/pcns",
            serde_json::json!({ "code": "U39026", "name": "wggl pcn", "ics": "QJG" }),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            message_of(&body, "name").contains("There is already a PCN called"),
            "{body}"
        );
        let (status, _) = post_json(
            t,
            &admin,
            "/api/pcns",
            serde_json::json!({ "code": "U99903", "name": "Second Test PCN", "ics": "QZZ" }),
        )
        .await;
        assert_eq!(status, 201);

        // The demo practice has been in the demo PCN since 1 July 2019.
        assert_eq!(
            history(t, OWN_PRACTICE).await,
            [(OWN_PCN.into(), "2019-07-01".into(), None)]
        );
        let today = t.app.today();
        let path = format!("/api/practices/{OWN_PRACTICE}/pcn");
        let (status, _) = put_json(
            t,
            &pm,
            &path,
            serde_json::json!({ "pcn": "U99903", "from": today.to_string() }),
        )
        .await;
        assert_eq!(status, 403, "a practice manager cannot move their practice");
        // Into a PCN of another ICS: refused by name.
        let (status, body) = put_json(
            t,
            &admin,
            &path,
            serde_json::json!({ "pcn": "U39025", "from": today.to_string() }),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            message_of(&body, "pcn").ends_with(&format!("; WGGL PCN is in {SNEE}")),
            "{body}"
        );
        // A move from today closes the old membership yesterday.
        let (status, body) = put_json(
            t,
            &admin,
            &path,
            serde_json::json!({ "pcn": "Second Test PCN", "from": today.to_string() }),
        )
        .await;
        assert_eq!(status, 204, "{body}");
        let yesterday = (today - Duration::days(1)).to_string();
        assert_eq!(
            history(t, OWN_PRACTICE).await,
            [
                (OWN_PCN.into(), "2019-07-01".into(), Some(yesterday.clone())),
                ("U99903".into(), today.to_string(), None)
            ]
        );
        assert_eq!(pcn_today(t, OWN_PRACTICE).await.as_deref(), Some("U99903"));
        {
            let mut conn = t.app.store().conn().await.unwrap();
            let on = |d: &str| d.to_string();
            assert_eq!(
                store::organisations::memberships::pcn_on(&mut conn, OWN_PRACTICE, &on(&yesterday))
                    .await
                    .unwrap()
                    .as_deref(),
                Some(OWN_PCN)
            );
            assert_eq!(
                store::organisations::memberships::pcn_on(
                    &mut conn,
                    OWN_PRACTICE,
                    &today.to_string()
                )
                .await
                .unwrap()
                .as_deref(),
                Some("U99903")
            );
        }
        // The PCN pages list the practices of today's membership.
        let practices_of = |pcn: &serde_json::Value| -> Vec<String> {
            pcn["practices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["ods_code"].as_str().unwrap().to_string())
                .collect()
        };
        let (_, old) = get_json(t, &admin, &format!("/api/pcns/{OWN_PCN}")).await;
        assert_eq!(practices_of(&old), ["Y99902", "Y99903"]);
        let (_, new) = get_json(t, &admin, "/api/pcns/U99903").await;
        assert_eq!(practices_of(&new), [OWN_PRACTICE]);
        // A move dated on or before the current membership's start is refused with a reason.
        for from in [today, today - Duration::days(3)] {
            let (status, body) = put_json(
                t,
                &admin,
                &path,
                serde_json::json!({ "pcn": OWN_PCN, "from": from.to_string() }),
            )
            .await;
            assert_eq!(status, 422);
            assert!(
                message_of(&body, "from").contains("a move must start after that day"),
                "{body}"
            );
        }
        let (status, body) = put_json(
            t,
            &admin,
            &path,
            serde_json::json!({ "pcn": "U99903", "from": (today + Duration::days(5)).to_string() }),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            message_of(&body, "from").contains("is already in Second Test PCN"),
            "{body}"
        );
        let (status, body) = put_json(
            t,
            &admin,
            &path,
            serde_json::json!({ "pcn": OWN_PCN, "from": "1 May" }),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            message_of(&body, "from").contains("is not a date"),
            "{body}"
        );
        // A move dated ahead takes effect on its day, through the hourly refresh.
        let ahead = today + Duration::days(10);
        let (status, _) = put_json(
            t,
            &admin,
            &path,
            serde_json::json!({ "pcn": OWN_PCN, "from": ahead.to_string() }),
        )
        .await;
        assert_eq!(status, 204);
        assert_eq!(pcn_today(t, OWN_PRACTICE).await.as_deref(), Some("U99903"));
        assert_eq!(
            t.app.organisations().refresh_memberships().await.unwrap(),
            0
        );
        let noon = chrono::Utc
            .from_utc_datetime(&ahead.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap()));
        let later = app::App::with_clock(t.app.store().clone(), app::clock::Clock::fixed(noon));
        assert_eq!(
            later.organisations().refresh_memberships().await.unwrap(),
            1
        );
        assert_eq!(pcn_today(t, OWN_PRACTICE).await.as_deref(), Some(OWN_PCN));
        assert_eq!(
            history(t, OWN_PRACTICE).await[1],
            (
                "U99903".into(),
                today.to_string(),
                Some((ahead - Duration::days(1)).to_string())
            )
        );
        // The membership history page names the PCNs.
        let (status, page) = get(t, &admin, &format!("/admin/practices/{OWN_PRACTICE}")).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Second Test PCN") && page.contains("1 July 2019"),
            "{page}"
        );
    }
);

on_both!(
    only_the_administrator_imports_reference_files_and_the_epcn_file_links_practices,
    async |t: &TestApp| {
        let admin = t.logged_in(ADMIN_EMAIL).await;
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let pcn_manager = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let epraccur =
            std::fs::read(format!("{NHS}/ods_practices/epraccur_DEC2019_SNEE.csv")).unwrap();
        let epcn = std::fs::read(EPCN).unwrap();
        for client in [&pm, &pcn_manager] {
            for kind in [
                "ods-practices",
                "list-sizes",
                "appointments",
                "pcn-membership",
            ] {
                let (status, _) = post_file(
                    t,
                    client,
                    &format!("/api/imports/{kind}"),
                    "text/csv",
                    epraccur.clone(),
                )
                .await;
                assert_eq!(status, 403, "{kind} is for the system administrator only");
            }
        }
        // Never as a form's content type: the body must be a file type.
        for content_type in [
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data",
        ] {
            let (status, _) = post_file(
                t,
                &admin,
                "/api/imports/ods-practices",
                content_type,
                epraccur.clone(),
            )
            .await;
            assert_eq!(status, 415, "{content_type}");
        }
        // Before the practices are in gpteam, every partner is unmatched and nothing is made.
        let (status, body) = post_file(
            t,
            &admin,
            "/api/imports/pcn-membership",
            "text/csv",
            epcn.clone(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["summary"], "created 0 PCNs, linked 0, unmatched 10");
        let (status, body) = post_file(
            t,
            &admin,
            "/api/imports/ods-practices",
            "text/csv",
            epraccur,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["summary"], "created 99, updated 0, skipped 89");
        // No ICS holds these Sub ICB locations yet: every new PCN's row says so, nothing is stored.
        let (status, body) = post_file(
            t,
            &admin,
            "/api/imports/pcn-membership",
            "text/csv",
            epcn.clone(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let problems = body["problems"].as_array().unwrap();
        assert!(problems.iter().all(|p| p["field"] == "PCN Code"), "{body}");
        assert!(
            problems[0]["message"]
                .as_str()
                .unwrap()
                .contains("give the ICS"),
            "{body}"
        );
        assert_eq!(history(t, "D83003").await, []);
        let (status, _) = post_json(
            t,
            &admin,
            "/api/ics",
            serde_json::json!({ "code": "QJG", "name": SNEE }),
        )
        .await;
        assert_eq!(status, 201);
        let (status, body) = post_file(
            t,
            &admin,
            "/api/imports/pcn-membership?ics=QJG",
            "text/csv",
            epcn.clone(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["summary"], "created 4 PCNs, linked 10, unmatched 0");
        assert_eq!(pcn_today(t, "D83003").await.as_deref(), Some("U39025"));
        // Barrack Lane left its first PCN on 31 March 2020 and joined Orwell PCN the next day.
        assert_eq!(
            history(t, "D83059").await,
            [
                (
                    "U26878".into(),
                    "2019-07-01".into(),
                    Some("2020-03-31".into())
                ),
                ("U40593".into(), "2020-04-01".into(), None)
            ]
        );
        assert_eq!(pcn_today(t, "D83059").await.as_deref(), Some("U40593"));
        // The same file again changes nothing.
        let (status, body) =
            post_file(t, &admin, "/api/imports/pcn-membership", "text/csv", epcn).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["summary"], "created 0 PCNs, linked 10, unmatched 0");
        assert_eq!(history(t, "D83059").await.len(), 2);
        // A row putting a practice into a PCN of another ICS is refused by name.
        let header = import::EPCN_COLUMNS.join(",");
        let moved = format!(
            "{header}\nD83003,WICKHAMBROOK SURGERY,07K,West Suffolk,{OTHER_PCN},Other PCN,QZY,Other,01/04/2030,\n"
        );
        let (status, body) = post_file(
            t,
            &admin,
            "/api/imports/pcn-membership",
            "text/csv",
            moved.into_bytes(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["problems"][0]["row"], 2);
        assert_eq!(body["problems"][0]["field"], "PCN Code");
        assert_eq!(
            body["problems"][0]["message"],
            format!("WICKHAMBROOK SURGERY is in {SNEE}; Other PCN is in Other ICS")
        );
        assert_eq!(pcn_today(t, "D83003").await.as_deref(), Some("U39025"));
        // The import page shows each role only the imports it may run.
        let (_, page) = get(t, &pm, "/import").await;
        assert!(
            page.contains("/import/staff") && !page.contains("/import/ods-practices"),
            "{page}"
        );
        let (_, page) = get(t, &admin, "/import").await;
        assert!(page.contains("/import/pcn-membership") && page.contains("/import/ods-practices"));
        // The administrator's page lists the ICS, its PCNs and their practices by name.
        let (status, page) = get(t, &admin, "/admin").await;
        assert_eq!(status, 200);
        assert!(
            page.contains(SNEE)
                && page.contains("WGGL PCN")
                && page.contains("WICKHAMBROOK SURGERY"),
            "{page}"
        );
    }
);

on_both!(
    a_manager_imports_staff_only_for_their_own_practice,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let csv = format!(
            "{}\nPat New,pat.new@example.nhs.uk,,receptionist,practice,{OWN_PRACTICE},1,9,,2026-01-05,,{OWN_PRACTICE}\n",
            import::STAFF_HEADER.join(",")
        );
        let (status, _) = post_file(
            t,
            &pm,
            &format!("/api/imports/staff?practice={OTHER_PRACTICE}"),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
        assert_eq!(status, 403);
        let (status, body) = post_file(
            t,
            &pm,
            "/api/imports/staff",
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let elsewhere = csv.replace(
            &format!(",{OWN_PRACTICE}\n"),
            &format!(",{OTHER_PRACTICE}\n"),
        );
        let (status, body) = post_file(
            t,
            &pm,
            &format!("/api/imports/staff?practice={OWN_PRACTICE}"),
            "text/csv",
            elsewhere.into_bytes(),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["problems"][0]["field"], "practices");
        let (status, body) = post_file(
            t,
            &pm,
            &format!("/api/imports/staff?practice={OWN_PRACTICE}"),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["summary"], "created 1, updated 0");
    }
);

on_both!(
    the_admin_forms_name_each_bad_field_and_write_nothing,
    async |t: &TestApp| {
        let admin = t.logged_in(ADMIN_EMAIL).await;
        let (status, _, page) = post_form(
            t,
            &admin,
            "/admin/ics",
            &[("ics-code", "Q!"), ("ics-name", "")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("is not a valid ICS code"), "{page}");
        let (status, location, _) = post_form(
            t,
            &admin,
            "/admin/pcns",
            &[
                ("pcn-code", "U99904"),
                ("pcn-name", "Third Test PCN"),
                ("pcn-ics", "QZZ"),
            ],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, "/admin?done=pcn"));
        let (status, _, page) = post_form(
            t,
            &admin,
            "/admin/memberships",
            &[
                ("member-practice", "Elsewhere Surgery"),
                ("member-pcn", "U99904"),
                ("member-from", "2030-01-01"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            page.contains("Elsewhere Surgery is in Other ICS; Third Test PCN is in"),
            "{page}"
        );
        assert_eq!(
            pcn_today(t, OTHER_PRACTICE).await.as_deref(),
            Some(OTHER_PCN)
        );
        let (status, location, _) = post_form(
            t,
            &admin,
            "/admin/memberships",
            &[
                ("member-practice", "elsewhere surgery"),
                ("member-pcn", OTHER_PCN),
                ("member-from", "2030-01-01"),
            ],
        )
        .await;
        assert_eq!(status, 422, "{location}");
        let (status, location, _) = post_form(
            t,
            &admin,
            "/admin/memberships",
            &[
                ("member-practice", OWN_PRACTICE),
                ("member-pcn", "Third Test PCN"),
                ("member-from", "2030-01-01"),
            ],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, "/admin?done=member"));
        assert_eq!(history(t, OWN_PRACTICE).await.len(), 2);
    }
);

//! The readable audit trail over HTTP: each manager sees their organisations' changes, the
//! filters narrow it (bad ones are named), staff and ICS viewers are refused, CSV downloads.
use super::on_both;
use crate::support::*;
use store::Backend;

/// Approves a fresh leave request of `staff_id` as `client`; the change's audit row.
async fn approve_leave(t: &TestApp, client: &reqwest::Client, staff_id: &str) -> String {
    let leave = t.fresh_leave(staff_id).await;
    let (status, body) = post_json(
        t,
        client,
        &format!("/api/leave/{leave}/decision"),
        serde_json::json!({ "approve": true }),
    )
    .await;
    assert!(status < 300, "{status} {body}");
    leave
}

fn ids(body: &serde_json::Value) -> Vec<String> {
    body["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("rows in {body}"))
        .iter()
        .map(|r| r["entity_id"].as_str().unwrap().to_string())
        .collect()
}

on_both!(
    each_manager_reads_the_audit_trail_of_their_organisations,
    async |t: &TestApp| {
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let pm = t.logged_in(&pm_email).await;
        let pcn = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let other = t.logged_in(&t.other.manager_email).await;
        let own_staff = t.own_staff().await;
        let own_leave = approve_leave(t, &pm, &own_staff).await;
        let other_leave = approve_leave(t, &other, &t.other.staff_id).await;

        let (status, body) = get_json(t, &pm, "/api/audit").await;
        assert_eq!(status, 200, "{body}");
        let seen = ids(&body);
        assert!(seen.contains(&own_leave), "{body}");
        assert!(
            !seen.contains(&other_leave),
            "another practice's change: {body}"
        );
        let row = body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["entity_id"] == own_leave.as_str())
            .unwrap();
        assert_eq!(row["who"], pm_email.as_str());
        assert!(
            row["what"]
                .as_str()
                .unwrap()
                .starts_with("Approved the leave request"),
            "{row}"
        );
        assert!(row["after"].as_str().unwrap().contains("approved"), "{row}");

        let (status, body) = get_json(t, &pcn, "/api/audit").await;
        assert_eq!(status, 200, "{body}");
        assert!(ids(&body).contains(&own_leave), "a PCN sees its practices");
        assert!(!ids(&body).contains(&other_leave));

        // The other practice's manager sees theirs only.
        let (_, body) = get_json(t, &other, "/api/audit").await;
        assert_eq!(ids(&body), vec![other_leave.clone()]);

        // Filters: person, actor, dates.
        let (status, body) = get_json(t, &pcn, &format!("/api/audit?person={own_staff}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(ids(&body), vec![own_leave.clone()]);
        let (_, body) = get_json(
            t,
            &pcn,
            &format!("/api/audit?actor={}", pm_email.to_uppercase()),
        )
        .await;
        assert_eq!(ids(&body), vec![own_leave.clone()]);
        let tomorrow = t.app.today().succ_opt().unwrap();
        let (_, body) = get_json(t, &pm, &format!("/api/audit?from={tomorrow}")).await;
        assert!(ids(&body).is_empty(), "{body}");
        let (_, body) = get_json(
            t,
            &pm,
            &format!("/api/audit?from={0}&to={0}", t.app.today()),
        )
        .await;
        assert_eq!(ids(&body), vec![own_leave.clone()]);

        // Bad filters are named; another organisation is refused.
        let (status, body) = get_json(t, &pm, "/api/audit?from=yesterday&page=0").await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["from", "page"]);
        let (status, body) =
            get_json(t, &pm, &format!("/api/audit?person={}", t.other.staff_id)).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["fields"][0]["field"], "person");
        let (status, _) =
            get_json(t, &pm, &format!("/api/audit?organisation={OTHER_PRACTICE}")).await;
        assert_eq!(status, 403);
        let (status, body) = get_json(t, &pcn, "/api/audit?organisation=ZZZ999").await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["fields"][0]["field"], "organisation");

        // Staff and ICS viewers read none of it.
        for (role, org) in [("staff", OWN_PRACTICE), ("ics_viewer", OWN_ICS)] {
            let client = t.logged_in(&t.login_email(role, Some(org)).await).await;
            let (status, _) = get(t, &client, "/api/audit").await;
            assert_eq!(status, 403, "{role}");
            let (status, _) = get(t, &client, "/audit").await;
            assert_eq!(status, 403, "{role}");
        }

        // The CSV holds the same rows.
        let response = pcn
            .get(format!(
                "{}/api/audit?format=csv&person={own_staff}",
                t.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = response.text().await.unwrap();
        let mut lines = csv.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("when,at_utc,who,what,action,record,record_id"),
            "{csv}"
        );
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 1, "{csv}");
        assert!(rows[0].contains(&own_leave), "{csv}");

        // The page: the sentence, the before and after folded away, a bad date named.
        let (status, page) = get(t, &pm, "/audit").await;
        assert_eq!(status, 200);
        assert!(page.contains("Approved the leave request"), "{page}");
        assert!(page.contains("<details class=\"nhsuk-details\">"), "{page}");
        assert!(page.contains("href=\"/audit\""), "the nav links the trail");
        let (status, page) = get(t, &pm, "/audit?from=31%2F12%2F2026").await;
        assert_eq!(status, 422);
        assert!(
            page.contains("From must be a date like 2026-03-31"),
            "{page}"
        );
    }
);

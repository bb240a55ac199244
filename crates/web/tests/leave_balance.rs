//! Leave balances over HTTP on both databases: the API's figures add up, a manager sets a
//! person's entitlement (audited; over the carry-over cap refused naming the field), a member
//! of staff reads their own balance only, and the pages show it.
use super::on_both;
use crate::support::*;
use store::Backend;

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
    (status, r.json().await.unwrap_or_default())
}

fn f(v: &serde_json::Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

on_both!(
    leave_balances_add_up_and_a_manager_sets_an_entitlement,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let (status, team) = get_json(
            t,
            &pm,
            &format!("/api/practices/{OWN_PRACTICE}/leave-balances"),
        )
        .await;
        assert_eq!(status, 200, "{team}");
        let team = team.as_array().unwrap().clone();
        assert!(team.len() >= 10);
        for b in &team {
            let sum = f(b, "entitlement_hours") + f(b, "carried_over_hours")
                - f(b, "bank_holiday_hours")
                - f(b, "taken_hours")
                - f(b, "booked_hours");
            assert!((sum - f(b, "remaining_hours")).abs() < 0.02, "{b}");
            assert_eq!(b["unit"], "days");
        }
        assert!(
            team.iter().any(|b| f(b, "taken_hours") > 0.0),
            "the demo has taken leave"
        );
        assert!(
            team.iter().any(|b| !b["behind"].as_bool().unwrap()),
            "not everyone is behind"
        );

        // The practice manager's own staff record is a practice employee they manage.
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let staff_id = t.user(&staff_email).await.staff_id.unwrap();
        let path = format!("/api/staff/{staff_id}/leave-entitlement");
        let (status, refused) = put_json(
            t,
            &pm,
            &path,
            serde_json::json!({"full_time_days": "29", "carried_over": "99"}),
        )
        .await;
        assert_eq!(status, 422, "{refused}");
        let text = refused.to_string();
        assert!(
            text.contains("carried_over") && text.contains("At most"),
            "{refused}"
        );
        let (_, before) = get_json(t, &pm, &format!("/api/staff/{staff_id}/leave-balance")).await;
        let (status, after) = put_json(
            t,
            &pm,
            &path,
            serde_json::json!({"full_time_days": "29", "carried_over": "1"}),
        )
        .await;
        assert_eq!(status, 200, "{after}");
        assert_eq!(f(&after, "full_time_days"), 29.0);
        assert_eq!(after["own_days"], true);
        assert_eq!(f(&after, "carried_over_hours"), f(&after, "day_hours"));
        assert!(f(&after, "remaining_hours") > f(&before, "remaining_hours"));
        let (_, audit) = get_json(t, &pm, &format!("/api/audit?person={staff_id}")).await;
        assert!(
            audit["rows"]
                .as_array()
                .or(audit.as_array())
                .unwrap()
                .iter()
                .any(|r| r["entity"] == "leave_entitlement"),
            "{audit}"
        );

        // The member of staff reads their own balance, not a colleague's, and changes none.
        let staff = t.logged_in(&staff_email).await;
        let (status, mine) =
            get_json(t, &staff, &format!("/api/staff/{staff_id}/leave-balance")).await;
        assert_eq!(status, 200);
        assert_eq!(mine["remaining_text"], after["remaining_text"]);
        let colleague = team
            .iter()
            .find(|b| b["staff_id"] != staff_id.as_str())
            .unwrap()["staff_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (status, _) =
            get_json(t, &staff, &format!("/api/staff/{colleague}/leave-balance")).await;
        assert_eq!(status, 404);
        let (status, _) = put_json(
            t,
            &staff,
            &path,
            serde_json::json!({"full_time_days": "40"}),
        )
        .await;
        assert_eq!(status, 403);

        // The pages: "You have … left" by the form, the team's table, and honest wellbeing.
        let (_, me) = get(t, &staff, "/me").await;
        assert!(me.contains("id=\"leave-left\""), "{me}");
        assert!(me.contains("of annual leave left") || me.contains("more annual leave than"));
        let (_, leave) = get(t, &pm, &format!("/practices/{OWN_PRACTICE}/leave")).await;
        assert!(leave.contains("id=\"balances-table\""));
        let (_, wellbeing) = get(t, &pm, &format!("/practices/{OWN_PRACTICE}/wellbeing")).await;
        assert!(!wellbeing.contains("holds no entitlements"));
        assert!(!wellbeing.contains(" 1 people"));
    }
);

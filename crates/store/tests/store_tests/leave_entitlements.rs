//! Leave rules by employer and entitlements by person and leave year.
use super::*;
use domain::leave_balance::{EntitlementDraft, LeavePolicy, LeaveUnit};

on_both!(
    leave_policies_and_entitlements_are_kept_and_replaced,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut conn = db.store.conn().await.unwrap();
        assert_eq!(
            store::leave::entitlements::policy(&mut conn, "Y99901")
                .await
                .unwrap(),
            None,
            "no rules set: the defaults apply"
        );
        let hours = LeavePolicy {
            year_start_month: 1,
            full_time_days: 25.5,
            carry_over_days: 3.0,
            unit: LeaveUnit::Hours,
        };
        store::leave::entitlements::set_policy(&mut conn, "Y99901", &hours, NOW)
            .await
            .unwrap();
        let days = LeavePolicy {
            unit: LeaveUnit::Days,
            ..hours
        };
        store::leave::entitlements::set_policy(&mut conn, "Y99901", &days, NOW)
            .await
            .unwrap();
        store::leave::entitlements::set_policy(&mut conn, "U99901", &LeavePolicy::default(), NOW)
            .await
            .unwrap();
        let all = store::leave::entitlements::policies(
            &mut conn,
            &["Y99901".into(), "U99901".into(), "Y99902".into()],
        )
        .await
        .unwrap();
        assert_eq!(
            all,
            vec![
                ("U99901".to_string(), LeavePolicy::default()),
                ("Y99901".to_string(), days)
            ]
        );

        let id = new_id();
        let employer = Employer::Practice(OdsCode::parse("Y99901").unwrap());
        store::register::insert(
            &mut conn,
            &id,
            &person("Ada", "ada@leave.example", employer, &["Y99901"]),
            &[],
            NOW,
        )
        .await
        .unwrap();
        let first = EntitlementDraft {
            full_time_days: Some(29.0),
            carried_over_hours: None,
        };
        store::leave::entitlements::set(&mut conn, &id, day("2026-04-01"), &first, NOW)
            .await
            .unwrap();
        let second = EntitlementDraft {
            full_time_days: None,
            carried_over_hours: Some(22.5),
        };
        store::leave::entitlements::set(&mut conn, &id, day("2026-04-01"), &second, NOW)
            .await
            .unwrap();
        store::leave::entitlements::set(&mut conn, &id, day("2025-04-01"), &first, NOW)
            .await
            .unwrap();
        let rows = store::leave::entitlements::list(&mut conn, std::slice::from_ref(&id))
            .await
            .unwrap();
        let years: Vec<_> = rows.iter().map(|r| (r.year_start, r.draft)).collect();
        assert_eq!(
            years,
            vec![(day("2025-04-01"), first), (day("2026-04-01"), second)]
        );
        // A person's entitlements go with them.
        sqlx::query("DELETE FROM staff WHERE id = $1")
            .bind(&id)
            .execute(&mut *conn)
            .await
            .unwrap();
        assert!(
            store::leave::entitlements::list(&mut conn, &[id])
                .await
                .unwrap()
                .is_empty()
        );
    }
);

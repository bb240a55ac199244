//! Adding or importing people never tells a manager whether an email is used in another
//! tenant: an address used only elsewhere gets the same answer as one used nowhere, while a
//! duplicate among the manager's own people is still reported.
use super::*;

/// The form that adds a person at the demo practice with this email.
fn add_form(token: &str, name: &str, email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", token.to_string()),
        ("name", name.to_string()),
        ("email", email.to_string()),
        ("role", "salaried_gp".to_string()),
        ("employer", "practice".to_string()),
        ("employer_code", OWN_PRACTICE.to_string()),
        ("wte", "0.6".to_string()),
        ("sessions_per_week", "5".to_string()),
        ("practices", OWN_PRACTICE.to_string()),
        ("skills", String::new()),
        ("start_date", "2026-12-01".to_string()),
        ("end_date", String::new()),
    ]
}

on_both!(
    adding_a_person_says_nothing_about_emails_in_other_tenants,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let token = t.csrf(&pm).await;
        let add = |name: &'static str, email: &'static str| {
            let pm = pm.clone();
            let form = add_form(&token, name, email);
            let url = format!("{}/practices/{OWN_PRACTICE}/staff", t.base);
            async move {
                let r = pm.post(url).form(&form).send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        // Sam Elsewhere (another PCN) has sam@elsewhere.example; nobody has the other one.
        let (used_elsewhere, page_elsewhere) = add("Sam Here", "sam@elsewhere.example").await;
        let (used_nowhere, page_nowhere) = add("Nia Nowhere", "nia@nowhere.example").await;
        assert_eq!((used_elsewhere, used_nowhere), (303, 303));
        assert_eq!(page_elsewhere, page_nowhere);
        // A duplicate among the manager's own people is still reported, beside the field.
        let (again, page) = add("Sam Again", "sam@elsewhere.example").await;
        assert_eq!(again, 422);
        assert!(page.contains("already used by another person"), "{page}");

        // The other tenant's record is untouched, and now two people share the address.
        let mut conn = t.app.store().conn().await.unwrap();
        let other = store::register::get(&mut conn, &t.other.staff_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(other.draft.name, "Sam Elsewhere");
        assert_eq!(
            store::register::find_ids_by_email(&mut conn, "sam@elsewhere.example")
                .await
                .unwrap()
                .len(),
            2
        );
    }
);

on_both!(
    importing_people_says_nothing_about_emails_in_other_tenants,
    async |t: &TestApp| {
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let actor = t
            .app
            .accounts()
            .actor(&t.user(&pm_email).await.id)
            .await
            .unwrap();
        let header = import::STAFF_HEADER.join(",");
        let row = |name: &str, email: &str| {
            format!(
                "{name},{email},,receptionist,practice,{OWN_PRACTICE},0.8,7,,2026-01-05,,{OWN_PRACTICE}\n"
            )
        };
        let import = |csv: String| {
            let app = t.app.clone();
            let actor = actor.clone();
            async move {
                app.imports()
                    .import_staff(Some(&actor), "team.csv", csv.as_bytes())
                    .await
                    .map(|s| s.to_string())
                    .map_err(|e| e.to_string())
            }
        };
        let elsewhere = import(format!(
            "{header}\n{}",
            row("Sam Import", "sam@elsewhere.example")
        ))
        .await;
        let nowhere = import(format!(
            "{header}\n{}",
            row("Nia Import", "nia.import@nowhere.example")
        ))
        .await;
        assert_eq!(elsewhere, Ok("created 1, updated 0".to_string()));
        assert_eq!(nowhere, elsewhere);
        // The same rows again update the manager's own people: no mention of anyone else.
        let again = import(format!(
            "{header}\n{}{}",
            row("Sam Import", "sam@elsewhere.example"),
            row("Nia Import", "nia.import@nowhere.example")
        ))
        .await;
        assert_eq!(again, Ok("created 0, updated 2".to_string()));

        let mut conn = t.app.store().conn().await.unwrap();
        let other = store::register::get(&mut conn, &t.other.staff_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(other.draft.name, "Sam Elsewhere");
        assert_eq!(other.draft.employer.code(), OTHER_PRACTICE);

        // The other tenant's manager sees the same: their own Sam is updated, ours untouched.
        let other_actor = t
            .app
            .accounts()
            .actor(&t.user(&t.other.manager_email).await.id)
            .await
            .unwrap();
        let csv = format!(
            "{header}\nSam Elsewhere-Renamed,sam@elsewhere.example,,salaried_gp,practice,{OTHER_PRACTICE},0.6,5,,2024-01-01,,{OTHER_PRACTICE}\n"
        );
        let summary = t
            .app
            .imports()
            .import_staff(Some(&other_actor), "theirs.csv", csv.as_bytes())
            .await
            .unwrap();
        assert_eq!(summary.to_string(), "created 0, updated 1");
        let ours = store::register::find_ids_by_email(&mut conn, "sam@elsewhere.example")
            .await
            .unwrap();
        assert_eq!(ours.len(), 2);
        for id in ours {
            let person = store::register::get(&mut conn, &id).await.unwrap().unwrap();
            if id == t.other.staff_id {
                assert_eq!(person.draft.name, "Sam Elsewhere-Renamed");
            } else {
                assert_eq!(person.draft.name, "Sam Import");
            }
        }
    }
);

//! The team register import on the web page, as a practice manager uses it: UK dates and
//! role names are read, an error names the person, the result is an address a reload
//! shows, and a corrected cell is imported without choosing the file again.
use super::*;

fn upload(token: String, csv: String) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes())
                .file_name("team.csv")
                .mime_str("text/csv")
                .unwrap(),
        )
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

async fn stored(t: &TestApp, email: &str) -> Option<domain::staff::StaffDraft> {
    let mut conn = t.app.store().conn().await.unwrap();
    let ids = store::register::find_ids_by_email(&mut conn, email)
        .await
        .unwrap();
    match ids.first() {
        Some(id) => Some(
            store::register::get(&mut conn, id)
                .await
                .unwrap()
                .unwrap()
                .draft,
        ),
        None => None,
    }
}

on_both!(
    a_bad_row_names_the_person_survives_a_reload_and_is_corrected_on_the_page,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let header = import::STAFF_HEADER.join(",");
        let csv = format!(
            "{header}\nJo Good,jo.good@riverside.example,,Clinical pharmacist,practice,{OWN_PRACTICE},0.8,7,,04/01/2027,,{OWN_PRACTICE}\nBad Row,bad.row@riverside.example,,wizard,practice,{OWN_PRACTICE},0.6,5,,31/02/2027,,{OWN_PRACTICE}\n"
        );
        let r = pm
            .post(format!("{}/import/staff", t.base))
            .multipart(upload(t.csrf(&pm).await, csv))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let result = location(&r);
        assert!(result.starts_with("/import/staff/"), "{result}");
        // The result page, and the same again on a reload.
        for _ in 0..2 {
            let r = pm.get(format!("{}{result}", t.base)).send().await.unwrap();
            assert_eq!(r.status(), 422);
            let page = r.text().await.unwrap().replace("&#39;", "'");
            for words in [
                "team.csv was not imported and nothing was changed",
                "<strong>Row 3, Bad Row, Role</strong>: 'wizard' is not a role",
                "<strong>Row 3, Bad Row, Start date</strong>: '31/02/2027' is not a real date: February 2027 has 28 days",
                "Role names (GP): GP partner, Salaried GP",
                "name=\"r3-role\"",
                "value=\"31/02/2027\"",
            ] {
                assert!(page.contains(words), "{words}\n{page}");
            }
            assert!(!page.contains("Row 2,"), "the good row has no problem");
        }
        assert_eq!(stored(t, "jo.good@riverside.example").await, None);
        // The import's own address opened directly leads to the form, not a 405.
        let r = pm
            .get(format!("{}/import/staff", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            (r.status().as_u16(), location(&r)),
            (303, "/import#staff".into())
        );
        // Nobody else can open or use the held file.
        let admin = t.logged_in(ADMIN_EMAIL).await;
        let r = admin
            .get(format!("{}{result}", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert!(r.text().await.unwrap().contains("no longer held"));
        // Corrected on the page, without choosing the file again.
        let token = t.csrf(&pm).await;
        let r = pm
            .post(format!("{}{result}", t.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("r3-role", "Practice nurse"),
                ("r3-start_date", "28/02/2027"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!((r.status().as_u16(), location(&r)), (303, result.clone()));
        let r = pm.get(format!("{}{result}", t.base)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("Team register imported from team.csv: created 2, updated 0"),
            "{page}"
        );
        let jo = stored(t, "jo.good@riverside.example").await.unwrap();
        assert_eq!(
            jo.start_date.to_string(),
            "2027-01-04",
            "04/01/2027 is 4 January"
        );
        assert_eq!(jo.role, domain::role::Role::ClinicalPharmacist);
        let bad = stored(t, "bad.row@riverside.example").await.unwrap();
        assert_eq!(bad.role, domain::role::Role::PracticeNurse);
        assert_eq!(bad.start_date.to_string(), "2027-02-28");
        // Imported: the held rows are gone, so it cannot be imported twice.
        let token = t.csrf(&pm).await;
        let r = pm
            .post(format!("{}{result}", t.base))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
);

on_both!(
    a_file_that_cannot_be_read_is_reported_at_an_address_too,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let r = pm
            .post(format!("{}/import/staff", t.base))
            .multipart(upload(
                t.csrf(&pm).await,
                "name,email\nA,a@x.example\n".into(),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = pm
            .get(format!("{}{}", t.base, location(&r)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("the header has no column phone"), "{page}");
        assert!(
            page.contains("Correct the file and choose it again below"),
            "{page}"
        );
        // The templates list the roles: the workbook's drop-down, the page's list.
        let r = pm
            .get(format!("{}/staff/template.xlsx", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let rows = import::read_staff("template.xlsx", &r.bytes().await.unwrap()).unwrap();
        assert_eq!(rows[0].draft.role, domain::role::Role::SalariedGp);
        let (_, page) = get(t, &pm, "/import").await;
        assert!(page.contains("<li>Clinical pharmacist</li>"), "{page}");
    }
);

//! Practice income on the pages and in the API: the demo practices show the published
//! payments of the real practices standing in for them, the PCN adds its practices up, and
//! the payments file is imported through the import page and the import API.
use super::on_both;
use crate::support::*;
use store::Backend;

const PAYMENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/nhs/gp_payments"
);

/// A practice's "Total NHS Payments to General Practice" in one published file, in pounds,
/// read with the `csv` crate alone.
fn published_total(file: &str, code: &str) -> f64 {
    let bytes = std::fs::read(format!("{PAYMENTS}/{file}")).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (code_at, total_at) = (
        at("Practice Code"),
        at("Total NHS Payments to General Practice"),
    );
    reader
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[code_at] == code)
        .map(|r| r[total_at].parse().unwrap())
        .unwrap_or_else(|| panic!("{code} is not in {file}"))
}

fn money(value: &serde_json::Value) -> i64 {
    (value.as_f64().unwrap() * 100.0).round() as i64
}

on_both!(
    demo_practices_show_the_published_payments_of_their_stand_ins,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let (status, body) =
            get_json(t, &pm, &format!("/api/practices/{OWN_PRACTICE}/payments")).await;
        assert_eq!(status, 200, "{body}");
        let years = body["years"].as_array().unwrap();
        let labels: Vec<&str> = years.iter().map(|y| y["year"].as_str().unwrap()).collect();
        assert_eq!(labels, ["2019-20", "2020-21", "2021-22", "2022-23"]);
        for year in years {
            let code = year["published_code"].as_str().unwrap();
            let file = year["file_name"].as_str().unwrap();
            assert_eq!(code, "F81133");
            assert_eq!(
                money(&year["total"]),
                (published_total(file, code) * 100.0).round() as i64
            );
            let lines: i64 = year["lines"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["kind"] == "line")
                .map(|l| money(&l["amount"]))
                .sum();
            assert_eq!(lines, money(&year["total"]), "{file}: the lines add up");
            let per =
                year["total"].as_f64().unwrap() / year["registered_patients"].as_f64().unwrap();
            assert!((year["per_patient"].as_f64().unwrap() - per).abs() < 0.006);
        }
        let (status, page) = get(t, &pm, &format!("/practices/{OWN_PRACTICE}/payments")).await;
        assert_eq!(status, 200);
        for needle in [
            r#"<title id="practice-payments-title">"#,
            r#"<desc id="practice-payments-desc">"#,
            r#"aria-labelledby="practice-payments-title practice-payments-desc""#,
            r#"class="app-table-scroll" role="region""#,
            ">2019/20</th>",
            ">2022/23</th>",
            "Tiptree Medical Centre (F81133)",
            "Global Sum",
            "PCN Workforce",
        ] {
            assert!(page.contains(needle), "{needle}");
        }

        // The PCN: each year the sum of its practices, for an ICS viewer too.
        let viewer = t.logged_in(&t.login_email("ics_viewer", None).await).await;
        let (status, pcn) = get_json(t, &viewer, &format!("/api/pcns/{OWN_PCN}/payments")).await;
        assert_eq!(status, 200, "{pcn}");
        let years = pcn["years"].as_array().unwrap();
        assert_eq!(years.len(), 4);
        for year in years {
            let practices = year["practices"].as_array().unwrap();
            assert_eq!(practices.len(), 3);
            let sum: i64 = practices.iter().map(|p| money(&p["total"])).sum();
            assert_eq!(money(&year["total"]), sum);
        }
        let (status, page) = get(t, &viewer, &format!("/pcns/{OWN_PCN}/payments")).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("East Hill Surgery (F81091)"),
            "the stand-ins are named"
        );
        assert!(page.contains(r#"<desc id="pcn-payments-desc">"#));
        assert!(
            !page.contains("/practices/Y99901/payments"),
            "no links an ICS viewer cannot open"
        );
    }
);

async fn stored_years(t: &TestApp) -> usize {
    let mut conn = t.app.store().conn().await.unwrap();
    let codes = store::funding::payments::practice_codes(&mut conn)
        .await
        .unwrap();
    let codes: Vec<String> = codes.into_iter().collect();
    store::funding::payments::years_of(&mut conn, &codes)
        .await
        .unwrap()
        .len()
}

on_both!(
    the_payments_file_is_imported_on_the_import_page_and_by_the_api,
    async |t: &TestApp| {
        let admin = t.logged_in(ADMIN_EMAIL).await;
        let name = "nhs-payments-gp-practice_2022-23_SNEE.csv";
        let file = std::fs::read(format!("{PAYMENTS}/{name}")).unwrap();
        let before = stored_years(t).await;
        let upload = |bytes: Vec<u8>, file_name: &str, year: &str, token: String| {
            reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .text("year", year.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
                )
        };
        // The register holds only the demo practices and the other tenant's: every row of
        // the real file is unmatched, and nothing is stored.
        let token = t.csrf(&admin).await;
        let response = admin
            .post(format!("{}/import/payments", t.base))
            .multipart(upload(file.clone(), name, "", token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("2022/23: stored 0 practices, unmatched 93"),
            "{page}"
        );
        // A team file is refused, naming the file and the missing column.
        let token = t.csrf(&admin).await;
        let response = admin
            .post(format!("{}/import/payments", t.base))
            .multipart(upload(
                import::staff_template_csv(),
                "team.csv",
                "2022-23",
                token,
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("team.csv:1: the header has no column &#39;Practice Code&#39;")
                || page.contains("team.csv:1: the header has no column 'Practice Code'"),
            "{page}"
        );
        // The API takes the year as a parameter (the body has no file name).
        let response = admin
            .post(format!("{}/api/imports/payments?year=2022-23", t.base))
            .header("content-type", "text/csv")
            .body(file.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["summary"], "stored 0 practices, unmatched 93");
        let response = admin
            .post(format!("{}/api/imports/payments", t.base))
            .header("content-type", "text/csv")
            .body(file)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(
            body.to_string()
                .contains("does not say which financial year"),
            "{body}"
        );
        assert_eq!(stored_years(t).await, before, "nothing stored changed");
    }
);

//! The rota as a PDF over HTTP, on both databases: a solved rota downloads as a PDF whose
//! pages carry each site's week with the people booked there; a site or week not of the
//! rota is refused naming the field; another tenant's rota is not found.
use super::on_both;
use crate::support::*;
use app::rota::RotaScope;
use domain::rota::RotaPeriod;
use store::Backend;

/// The text of each page, lines joined by spaces (wrapped names join up again).
fn page_texts(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF that parses");
    let pages = doc.get_pages().len() as u32;
    (1..=pages)
        .map(|n| {
            let text = doc.extract_text(&[n]).unwrap();
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String, String, Vec<u8>) {
    let r = client.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (kind, disposition) = (header("content-type"), header("content-disposition"));
    (status, kind, disposition, r.bytes().await.unwrap().to_vec())
}

on_both!(
    a_solved_rota_downloads_as_a_pdf_per_site_and_week,
    async |t: &TestApp| {
        let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let client = t.logged_in(&email).await;
        let actor = t
            .app
            .accounts()
            .actor(&t.user(&email).await.id)
            .await
            .unwrap();
        let monday = next_monday(t.app.today());
        let period = RotaPeriod {
            from: monday,
            weeks: 2,
        };
        let id = t
            .app
            .rota()
            .request_rota(
                &actor,
                RotaScope::Practice(OWN_PRACTICE.into()),
                period,
                Some(1),
            )
            .await
            .unwrap();
        assert_eq!(
            t.app
                .rota()
                .run_next_rota_job("test-worker", 1)
                .await
                .unwrap(),
            Some(id.clone())
        );
        let detail = t.app.rota().detail(&actor, &id).await.unwrap();

        // Someone booked in the second week, and where.
        let week2 = monday + chrono::Days::new(7);
        let booked = detail
            .assignments
            .iter()
            .find(|a| a.date >= week2)
            .expect("someone works in week 2");
        let person = detail
            .people
            .iter()
            .find(|p| p.id == booked.staff_id)
            .unwrap();
        let site = detail
            .sites
            .iter()
            .find(|s| s.id == booked.site_id)
            .unwrap();
        let name = app::rota::pdf::printable(&person.name);
        let title = format!(
            "{}: week commencing {}",
            app::rota::pdf::printable(&site.name),
            week2.format("%A %-d %B %Y")
        );

        // One site, one week.
        let (status, kind, disposition, bytes) = get(
            &client,
            format!("{}/rotas/{id}/pdf?site={}&week=2", t.base, site.id),
        )
        .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert_eq!(kind, "application/pdf");
        assert!(
            disposition.starts_with("attachment; filename=\"rota-"),
            "{disposition}"
        );
        assert!(
            disposition.ends_with(&format!("-week-{week2}.pdf\"")),
            "{disposition}"
        );
        let pages = page_texts(&bytes);
        assert!(pages[0].contains(&title), "{title} in {}", pages[0]);
        assert!(
            pages.iter().any(|p| p.contains(&name)),
            "{name} in {pages:?}"
        );
        assert!(pages[0].contains("Status: draft"), "{}", pages[0]);
        assert!(
            pages[0].contains(&format!("Page 1 of {}", pages.len())),
            "{}",
            pages[0]
        );

        // The whole rota: every site's two weeks, the person on their site's week-2 page.
        let (status, _, disposition, bytes) =
            get(&client, format!("{}/rotas/{id}/pdf", t.base)).await;
        assert_eq!(status, 200);
        assert!(
            disposition.contains(&format!(
                "rota-{}-{monday}-2-weeks.pdf",
                OWN_PRACTICE.to_lowercase()
            )),
            "{disposition}"
        );
        let pages = page_texts(&bytes);
        assert!(
            pages.len() >= detail.sites.len() * 2,
            "{} pages",
            pages.len()
        );
        let first = pages
            .iter()
            .position(|p| p.contains(&title))
            .expect("the site's week-2 page");
        let own_pages: Vec<&String> = pages[first..]
            .iter()
            .take_while(|p| p.contains(&title))
            .collect();
        assert!(
            own_pages.iter().any(|p| p.contains(&name)),
            "{name} on {title}"
        );
        assert!(
            pages[first].contains(&format!("Page {} of {}", first + 1, pages.len())),
            "{}",
            pages[first]
        );
        // Week 2 comes after week 1 of the same site.
        let week1_title = format!(
            "{}: week commencing {}",
            app::rota::pdf::printable(&site.name),
            monday.format("%A %-d %B %Y")
        );
        let week1 = pages.iter().position(|p| p.contains(&week1_title)).unwrap();
        assert!(week1 < first);

        // Published, the PDF says so.
        assert!(
            t.app
                .rota()
                .publish_rota(&actor, &id, &Default::default())
                .await
                .unwrap()
                .published
        );
        let (_, _, _, bytes) = get(
            &client,
            format!("{}/rotas/{id}/pdf?site={}&week=1", t.base, site.id),
        )
        .await;
        assert!(page_texts(&bytes)[0].contains("Status: published on"));

        // The printable page and the rota page link to the PDFs.
        let (_, _, _, print) = get(&client, format!("{}/rotas/{id}/print", t.base)).await;
        // Links as the browser reads them (askama escapes `&`).
        let unescape = |html: Vec<u8>| {
            String::from_utf8(html)
                .unwrap()
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        };
        let print = unescape(print);
        assert!(
            print.contains(&format!("/rotas/{id}/pdf?site={}&week=2", site.id)),
            "{print}"
        );
        let (_, _, _, page) = get(&client, format!("{}/rotas/{id}?week=2", t.base)).await;
        let page = unescape(page);
        assert!(page.contains(&format!("/rotas/{id}/pdf?site={}&week=2", site.id)));
        assert!(page.contains(&format!("href=\"/rotas/{id}/pdf\"")));

        // A site or week that is not the rota's is refused, naming the field.
        for (query, field, message) in [
            (
                format!("site={}", t.other.site_id),
                "site",
                "Choose a site of this rota",
            ),
            (
                "site=no-such-site".to_string(),
                "site",
                "Choose a site of this rota",
            ),
            ("week=3".to_string(), "week", "from 1 to 2"),
            ("week=first".to_string(), "week", "from 1 to 2"),
        ] {
            let (status, _, _, body) =
                get(&client, format!("{}/rotas/{id}/pdf?{query}", t.base)).await;
            let body = String::from_utf8(body).unwrap();
            assert_eq!(status, 422, "{query}");
            assert!(
                body.contains(&format!("{field}: ")) && body.contains(message),
                "{query}: {body}"
            );
        }

        // A rota still waiting to be solved has nothing to print yet.
        let queued = t
            .app
            .rota()
            .request_rota(
                &actor,
                RotaScope::Practice(OWN_PRACTICE.into()),
                period,
                Some(1),
            )
            .await
            .unwrap();
        let (status, _, _, _) = get(&client, format!("{}/rotas/{queued}/pdf", t.base)).await;
        assert_eq!(status, 409);

        // Another tenant's manager, and staff, do not find it; another tenant's rota is
        // not found either.
        let other = t.logged_in(&t.other.manager_email).await;
        let (status, kind, _, _) = get(&other, format!("{}/rotas/{id}/pdf", t.base)).await;
        assert_eq!(status, 404);
        assert!(!kind.contains("pdf"));
        let staff = t
            .logged_in(&t.login_email("staff", Some(OWN_PRACTICE)).await)
            .await;
        let (status, _, _, _) = get(&staff, format!("{}/rotas/{id}/pdf", t.base)).await;
        assert_eq!(status, 404);
        let theirs = t.fresh_rota(OTHER_PRACTICE).await;
        let (status, _, _, _) = get(&client, format!("{}/rotas/{theirs}/pdf", t.base)).await;
        assert_eq!(status, 404);
    }
);

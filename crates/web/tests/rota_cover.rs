//! Reviewing a rota's cover over HTTP, on both databases: the progress in words while it
//! waits, the cover view and every gap on the rota page, "who could cover this" for a gap
//! on the demo PCN (everyone offered keeps every hard rule when booked), and booking one.
use super::on_both;
use crate::support::*;
use app::rota::cover::{CoverLevel, gaps, new_hard_problems, who_could_cover};
use app::rota::{RotaScope, check, load_input};
use domain::role::StaffGroup;
use domain::rota::RotaPeriod;
use domain::rota::{CoverNeed, Session};
use store::Backend;

on_both!(
    a_manager_reads_the_cover_finds_who_could_cover_and_books_them,
    async |t: &TestApp| {
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let client = t.logged_in(&email).await;
        let user = t.user(&email).await;
        let actor = t.app.accounts().actor(&user.id).await.unwrap();
        let monday = next_monday(t.app.today());
        let (status, location, _) = post_form(
            t,
            &client,
            "/rotas",
            &[
                ("scope", &format!("pcn:{OWN_PCN}")),
                ("from", &monday.to_string()),
                ("weeks", "1"),
                ("time_limit", "2"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let id = location.trim_start_matches("/rotas/").to_string();
        // Waiting: in words, through the page and the API.
        let (_, api) = get_json(t, &client, &format!("/api/rotas/{id}")).await;
        assert_eq!(
            api["progress_text"],
            "Waiting for a free worker: solving starts in a moment."
        );
        t.app
            .rota()
            .run_next_rota_job("test-worker", 2)
            .await
            .unwrap();
        // The worker explained its best rota as it went.
        let mut conn = t.app.store().conn().await.unwrap();
        let seen = store::rota::progress::get(&mut conn, &id).await.unwrap();
        assert!(seen.is_some(), "the solve's progress was explained");

        let (status, page) = get(t, &client, &location).await;
        assert_eq!(status, 200);
        assert!(page.contains("Cover by site and session"), "{page}");
        assert!(!page.contains("penalty") && !page.contains("hard-rule units"));
        let review = t.app.rota().rota_review(&actor, &id).await.unwrap();
        // Every gap is on the page with its link, whatever their number.
        assert_eq!(
            page.matches("Who could cover this<span").count(),
            gaps(&review.lines).len(),
            "{page}"
        );

        // The demo's people are booked to their contracts, so nobody is free to cover until
        // someone has time: take a GP off a morning whose cover is not above the ideal (an
        // audited override: it leaves them short of their contract).
        let gp_group = CoverNeed::Group(StaffGroup::Gp);
        let freed = review
            .detail
            .assignments
            .iter()
            .find(|a| {
                a.session == Session::Am
                    && review
                        .detail
                        .people
                        .iter()
                        .any(|p| p.id == a.staff_id && p.role.staff_group() == StaffGroup::Gp)
                    && review.lines.iter().any(|l| {
                        l.site_id == a.site_id
                            && l.date == a.date
                            && l.session == a.session
                            && l.need == gp_group
                            && l.booked <= l.ideal
                    })
            })
            .cloned()
            .expect("a GP's morning");
        let outcome = t
            .app
            .rota()
            .edit_rota_day(
                &actor,
                &id,
                &app::rota::DayEdit {
                    staff_id: freed.staff_id.clone(),
                    date: freed.date.to_string(),
                    pattern: "off".into(),
                    override_rules: true,
                    version: review.detail.row.version,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(outcome.saved);
        let review = t.app.rota().rota_review(&actor, &id).await.unwrap();
        let lines = review.lines;
        let listed = gaps(&lines);

        // Booking anyone offered for the first gaps, and for the freed morning, keeps every
        // hard rule; the GP taken off is offered their morning back.
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        let (input, _) = load_input(&mut conn, &RotaScope::Pcn(OWN_PCN.into()), period)
            .await
            .unwrap();
        drop(conn);
        let assignments = review.detail.assignments.clone();
        let before = check(&input, &assignments);
        let freed_gap = listed
            .iter()
            .find(|l| {
                l.site_id == freed.site_id
                    && l.date == freed.date
                    && l.session == Session::Am
                    && l.need == gp_group
            })
            .copied()
            .expect("the freed morning is a gap");
        let mut chosen = None;
        for gap in listed.iter().take(6).chain([&freed_gap]) {
            let choice = who_could_cover(
                &input,
                &assignments,
                &gap.site_id,
                gap.date,
                gap.session,
                Some(&gap.need),
            );
            for offer in &choice.offers {
                let mut after: Vec<_> = assignments
                    .iter()
                    .filter(|a| !(a.staff_id == offer.staff_id && a.date == gap.date))
                    .cloned()
                    .collect();
                after.extend(
                    offer
                        .pattern
                        .sessions()
                        .iter()
                        .map(|&s| app::rota::Assignment {
                            staff_id: offer.staff_id.clone(),
                            date: gap.date,
                            session: s,
                            site_id: gap.site_id.clone(),
                            room_id: None,
                        }),
                );
                let brought = new_hard_problems(
                    &input,
                    (&assignments, &before),
                    (&after, &check(&input, &after)),
                    &offer.staff_id,
                    gap.date,
                );
                assert!(brought.is_empty(), "{}: {brought:?}", offer.name);
            }
            if std::ptr::eq(*gap, freed_gap) {
                let offer = choice
                    .offers
                    .iter()
                    .find(|o| o.staff_id == freed.staff_id)
                    .unwrap_or_else(|| panic!("the freed GP is offered: {choice:?}"));
                chosen = Some(((*gap).clone(), offer.clone()));
            }
        }
        let (gap, offer) = chosen.expect("someone could cover the freed morning");
        // The page "who could cover this", then the booking.
        let query = serde_urlencoded::to_string([
            ("site", gap.site_id.as_str()),
            ("date", &gap.date.to_string()),
            ("session", gap.session.code()),
            ("need", &gap.need.code()),
        ])
        .unwrap();
        let (status, page) = get(t, &client, &format!("/rotas/{id}/cover?{query}")).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains(&offer.name), "{page}");
        let version = field_value(&page, "version").unwrap();
        let (status, location, page) = post_form(
            t,
            &client,
            &format!("/rotas/{id}/cover/book"),
            &[
                ("staff_id", &offer.staff_id),
                ("date", &gap.date.to_string()),
                ("session", gap.session.code()),
                ("site_id", &gap.site_id),
                ("need", &gap.need.code()),
                ("pattern", app::rota::pattern_code(offer.pattern)),
                ("week", "1"),
                ("version", &version),
            ],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        assert_eq!(
            location,
            format!("/rotas/{id}?week=1&done=cover-booked#cover")
        );
        let detail = t.app.rota().detail(&actor, &id).await.unwrap();
        assert!(
            detail
                .assignments
                .iter()
                .any(|a| a.staff_id == offer.staff_id
                    && a.date == gap.date
                    && a.session == gap.session
                    && a.site_id == gap.site_id)
        );
        assert!(
            detail
                .locked
                .iter()
                .any(|(s, d)| *s == offer.staff_id && *d == gap.date)
        );
        let after = t.app.rota().rota_review(&actor, &id).await.unwrap().lines;
        let same = after
            .iter()
            .find(|l| {
                l.site_id == gap.site_id
                    && l.date == gap.date
                    && l.session == gap.session
                    && l.need == gap.need
            })
            .unwrap();
        assert_eq!(same.booked, gap.booked + 1);
        assert!(same.level() >= gap.level() || same.level() == CoverLevel::Met);

        // The same form again is refused: the rota changed since.
        let (status, _, page) = post_form(
            t,
            &client,
            &format!("/rotas/{id}/cover/book"),
            &[
                ("staff_id", &offer.staff_id),
                ("date", &gap.date.to_string()),
                ("session", gap.session.code()),
                ("site_id", &gap.site_id),
                ("need", &gap.need.code()),
                ("pattern", app::rota::pattern_code(offer.pattern)),
                ("version", &version),
            ],
        )
        .await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains("changed since you opened it"), "{page}");
    }
);

//! The demo PCN's ARRS ledger: posts, weighted population, and the claims of the last
//! financial year and of the current one up to last month, made by the same rules as a
//! manager's (drafted from the posts and rates, then checked and submitted).
use super::inputs;
use super::lines;
use crate::error::AppResult;
use domain::arrs::{Area, ClaimMonth, FinancialYear};
use store::funding::arrs::{ClaimRow, PcnYear};

impl super::Funding<'_> {
    pub(crate) async fn load_demo_arrs(
        &self,
        tx: &mut store::Conn,
        data: &demo::DemoData,
        staff_ids: &[String],
        now: &str,
    ) -> AppResult<()> {
        let Some(pcn) = data.pcns.first() else {
            return Ok(());
        };
        let pcn = pcn.code.to_string();
        for post in demo::arrs::arrs_posts(data) {
            store::funding::arrs::upsert_post(
                tx,
                &staff_ids[post.staff_index],
                &pcn,
                &post.terms,
                now,
            )
            .await?;
        }
        let today = self.today();
        let this_year = FinancialYear::of(today);
        let settings = PcnYear {
            weighted_population: Some(demo::arrs::weighted_population(data)),
            area: Area::National,
        };
        for year in [FinancialYear(this_year.0 - 1), this_year] {
            store::funding::arrs::upsert_pcn_year(tx, &pcn, year, &settings, now).await?;
        }
        // Last year: submitted to January, February checked, March left to draft. This
        // year: submitted to the month before last, last month drafted.
        let this_month = ClaimMonth::of(today);
        let mut plan: Vec<(ClaimMonth, &str)> = FinancialYear(this_year.0 - 1)
            .months()
            .into_iter()
            .filter_map(|m| match m.month_of_year() {
                1..=10 => Some((m, "submitted")),
                11 => Some((m, "checked")),
                _ => None,
            })
            .collect();
        plan.extend(
            this_year
                .months()
                .into_iter()
                .filter(|m| *m < this_month)
                .map(|m| {
                    (
                        m,
                        if m.plus(1) == this_month {
                            "draft"
                        } else {
                            "submitted"
                        },
                    )
                }),
        );
        for (month, status) in plan {
            let i = inputs(tx, &pcn, month.financial_year()).await?;
            let (lines, _) = lines::month_lines(&i.posts, &i.rates, i.area, &i.submitted, month);
            if lines.is_empty() {
                continue;
            }
            let by = "demo@gpteam.example";
            let claim = ClaimRow {
                pcn_code: pcn.clone(),
                month,
                status: "draft".into(),
                total: lines::total(&lines),
                drafted_at: now.to_string(),
                drafted_by: by.into(),
                checked_at: None,
                checked_by: None,
                submitted_at: None,
                submitted_by: None,
            };
            store::funding::arrs::replace_draft(tx, &claim, &lines).await?;
            if status != "draft" {
                store::funding::arrs::set_status(tx, &pcn, month, "draft", "checked", now, by)
                    .await?;
            }
            if status == "submitted" {
                store::funding::arrs::set_status(tx, &pcn, month, "checked", "submitted", now, by)
                    .await?;
            }
        }
        Ok(())
    }
}

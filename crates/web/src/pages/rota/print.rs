//! The printable page and the PDF download, per site and week.
use super::*;

pub(crate) struct PrintTable {
    pub site: String,
    pub week: String,
    /// This site's week as a PDF.
    pub pdf_href: String,
    pub days: Vec<String>,
    pub rows: Vec<(String, String, Vec<String>)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rota_print.html")]
pub(crate) struct PrintPage {
    ctx: PageCtx,
    id: String,
    scope: String,
    published: bool,
    tables: Vec<PrintTable>,
    /// Everything shown here as one PDF.
    pdf_href: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct PrintQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    week: String,
}

/// Builds the printable tables: per site and week, who works each day and in which room.
fn print_tables(detail: &RotaDetail, site: &str, week: &str) -> Vec<PrintTable> {
    let id = &detail.row.id;
    let mut tables = Vec::new();
    for s in detail
        .sites
        .iter()
        .filter(|s| site.is_empty() || s.id == site)
    {
        for w in 1..=detail.period.weeks {
            if !week.is_empty() && week != w.to_string() {
                continue;
            }
            let monday = detail.period.from + chrono::Days::new(u64::from((w - 1) * 7));
            let dates: Vec<NaiveDate> = (0..6).map(|i| monday + chrono::Days::new(i)).collect();
            let rows: Vec<(String, String, Vec<String>)> = detail
                .people
                .iter()
                .filter_map(|p| {
                    let cells: Vec<String> = dates
                        .iter()
                        .map(|d| {
                            let held: Vec<&app::rota::Assignment> = detail
                                .assignments
                                .iter()
                                .filter(|a| a.staff_id == p.id && a.date == *d && a.site_id == s.id)
                                .collect();
                            if held.is_empty() {
                                return String::new();
                            }
                            let (text, room) = day_text(detail, &held);
                            let pattern = text.split(',').next().unwrap_or("").to_string();
                            if room.is_empty() {
                                pattern
                            } else {
                                format!("{pattern} ({room})")
                            }
                        })
                        .collect();
                    cells
                        .iter()
                        .any(|c| !c.is_empty())
                        .then(|| (p.name.clone(), p.role.label().to_string(), cells))
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            tables.push(PrintTable {
                pdf_href: pdf_href(id, &s.id, &w.to_string()),
                site: s.name.clone(),
                week: format!("Week of {}", long_date(monday)),
                days: dates
                    .iter()
                    .map(|d| d.format("%a %-d %b").to_string())
                    .collect(),
                rows,
            });
        }
    }
    tables
}

pub(crate) async fn print_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, WebError> {
    let detail = state.app.rota().rota_to_read(&user.actor, &id).await?;
    let page = PrintPage {
        ctx: page_ctx(&user.actor, &token, "/rotas"),
        scope: app::rota::pdf::scope_label(&detail),
        published: detail.row.published_at.is_some(),
        tables: print_tables(&detail, &q.site, &q.week),
        pdf_href: pdf_href(&id, &q.site, &q.week),
        id,
    };
    Ok((token, page).into_response())
}

/// The PDF of a rota, narrowed to a site and a week when they are given.
pub(super) fn pdf_href(id: &str, site: &str, week: &str) -> String {
    let query: Vec<(&str, &str)> = [("site", site), ("week", week)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if query.is_empty() {
        format!("/rotas/{id}/pdf")
    } else {
        format!(
            "/rotas/{id}/pdf?{}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        )
    }
}

/// `GET /rotas/{id}/pdf?site=&week=`: the rota as a PDF download, one page per site and
/// week (both optional), for the managers who may see the rota.
pub(crate) async fn pdf_download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, WebError> {
    let pdf = state
        .app
        .rota()
        .rota_pdf(&user.actor, &id, &q.site, &q.week)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", pdf.file_name),
            ),
        ],
        pdf.bytes,
    )
        .into_response())
}

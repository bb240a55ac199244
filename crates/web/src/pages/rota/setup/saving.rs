//! Saving the cover page: the grid of needs, a suggested template, a site's sessions.
use super::*;

/// Where to go after a save: the cover page the form came from, at the site.
fn back_to(back: &str, user: &CurrentUser, done: &str, site_anchor: &str) -> String {
    let path = scope_path(&scope_from_back(back, user));
    let anchor: String = site_anchor
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if anchor.is_empty() {
        format!("{path}?done={done}")
    } else {
        format!("{path}?done={done}#{anchor}")
    }
}

/// One site's posted grid read into cover rows.
struct Grid {
    /// The need of each column, as posted.
    needs: Vec<String>,
    rows: Vec<CoverForm>,
    /// Per row: its minimum's and ideal's input names and its label.
    names: Vec<(String, String, String)>,
}

/// Reads the grid of one site's form into cover rows, each with the names of its two
/// inputs and its label. Cells left empty (or 0 and empty) are no requirement.
fn rows_from_grid(form: &BTreeMap<String, String>) -> Grid {
    let mut needs = Vec::new();
    for k in 0.. {
        match form.get(&format!("need_{k}")) {
            Some(n) => needs.push(n.clone()),
            None => break,
        }
    }
    let mut rows = Vec::new();
    let mut names = Vec::new();
    for (k, need) in needs.iter().enumerate() {
        let label = CoverNeed::parse(need)
            .map(|n| n.label())
            .unwrap_or_else(|_| need.clone());
        for (day, session) in grid_slots() {
            let min_name = cell_name("min", day, session, k);
            let ideal_name = cell_name("ideal", day, session, k);
            let min = form.get(&min_name).map(|v| v.trim()).unwrap_or_default();
            let ideal = form.get(&ideal_name).map(|v| v.trim()).unwrap_or_default();
            let blank = |v: &str| v.is_empty() || v == "0";
            if blank(min) && blank(ideal) {
                continue;
            }
            rows.push(CoverForm {
                site_id: String::new(),
                weekday: weekday_code(day).into(),
                session: session.code().into(),
                need: need.clone(),
                minimum: if min.is_empty() {
                    "0".into()
                } else {
                    min.into()
                },
                ideal: ideal.into(),
            });
            names.push((
                min_name,
                ideal_name,
                format!("{}, {label}", slot_label(day, session)),
            ));
        }
    }
    Grid { needs, rows, names }
}

pub(crate) async fn cover_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(site_id): Path<String>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let back = form.get("back").cloned().unwrap_or_default();
    let anchor = form.get("anchor").cloned().unwrap_or_default();
    let Grid { needs, rows, names } = rows_from_grid(&form);
    match state
        .app
        .rota()
        .save_cover(&user.actor, &site_id, &rows)
        .await
    {
        Ok(()) => Ok(Redirect::to(&back_to(&back, &user, "cover", &anchor)).into_response()),
        Err(AppError::Invalid(_)) => {
            // Put each problem beside its input: the row's minimum or ideal.
            let mut errors = BTreeMap::new();
            if let Err(problems) = check_cover(&site_id, &rows) {
                for (i, f) in problems {
                    let (min_name, ideal_name, label) = &names[i];
                    let (name, what) = match f.field {
                        "ideal" => (ideal_name.clone(), " ideal"),
                        "minimum" => (min_name.clone(), " minimum"),
                        _ => (min_name.clone(), ""),
                    };
                    errors
                        .entry(name)
                        .or_insert(format!("{label}{what}: {}", f.message));
                }
            }
            let posted = Posted {
                site_id,
                values: form
                    .into_iter()
                    .filter(|(k, _)| k.starts_with("min_") || k.starts_with("ideal_"))
                    .collect(),
                needs,
                errors,
            };
            render_cover(
                &state,
                &user,
                token,
                scope_from_back(&back, &user),
                Some(posted),
                AddNeed::default(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// Where a form posted from a cover page goes back to.
#[derive(serde::Deserialize, Default)]
pub(crate) struct BackTo {
    #[serde(default)]
    back: String,
    #[serde(default)]
    anchor: String,
}

/// Sets a site's weekday cover from its practice's demand forecast.
pub(crate) async fn cover_suggested(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(site_id): Path<String>,
    CsrfForm(form): CsrfForm<BackTo>,
) -> Result<Response, WebError> {
    state
        .app
        .rota()
        .apply_suggested_cover(&user.actor, &site_id)
        .await?;
    Ok(Redirect::to(&back_to(&form.back, &user, "suggested", &form.anchor)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct SessionPost {
    #[serde(default)]
    session: String,
    #[serde(default)]
    open: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    anchor: String,
    #[serde(default)]
    confirm_rota: String,
}

pub(crate) async fn session_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(site_id): Path<String>,
    CsrfForm(post): CsrfForm<SessionPost>,
) -> Result<Response, WebError> {
    let form = SiteSessionForm {
        session: post.session.clone(),
        open: post.open.clone(),
        starts: post.starts.clone(),
        ends: post.ends.clone(),
    };
    let confirmed = crate::pages::rota::stale::confirmed(&post.confirm_rota);
    match state
        .app
        .rota()
        .save_site_session_checked(&user.actor, &site_id, &form, confirmed)
        .await
    {
        Ok(app::rota::stale::Checked::Confirm(breaks)) => {
            let mut fields = crate::pages::rota::stale::fields_of(&form);
            fields.push(("back".into(), post.back.clone()));
            fields.push(("anchor".into(), post.anchor.clone()));
            let (action, back) = (
                format!("/sites/{site_id}/sessions"),
                scope_path(&scope_from_back(&post.back, &user)),
            );
            crate::pages::rota::stale::confirm_page(
                &user,
                token,
                "Close this session?",
                &action,
                fields,
                breaks,
                &back,
            )
        }
        Ok(app::rota::stale::Checked::Done(())) => {
            Ok(Redirect::to(&back_to(&post.back, &user, "session", &post.anchor)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let session = Session::parse(&post.session).ok();
            let message = errors
                .0
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            let mut posted = Posted {
                site_id,
                ..Posted::default()
            };
            match session {
                Some(s) => {
                    posted.errors.insert(
                        format!("session-{}", s.code()),
                        format!("{} session: {message}", s.label()),
                    );
                }
                None => {
                    posted.errors.insert(String::new(), message);
                }
            }
            render_cover(
                &state,
                &user,
                token,
                scope_from_back(&post.back, &user),
                Some(posted),
                AddNeed::default(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_reads_into_rows_named_by_their_inputs() {
        let form: BTreeMap<String, String> = [
            ("need_0", "group:gp"),
            ("need_1", "group:nurses"),
            ("min_mon_am_0", "2"),
            ("ideal_mon_am_0", "3"),
            ("min_tue_pm_1", ""),
            ("ideal_tue_pm_1", "1"),
            ("min_wed_am_0", "0"),
            ("ideal_wed_am_0", ""),
            ("min_sat_saturday_0", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let Grid { needs, rows, names } = rows_from_grid(&form);
        assert_eq!(needs, ["group:gp", "group:nurses"]);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(
            (rows[0].minimum.as_str(), rows[0].ideal.as_str()),
            ("2", "3")
        );
        assert_eq!(names[1].2, "Saturday, GP");
        assert_eq!(names[2].2, "Tuesday PM, Nurses");
        assert_eq!(rows[2].minimum, "0", "an empty minimum with an ideal is 0");
        let problems = check_cover("site", &rows).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].0, problems[0].1.field), (1, "minimum"));
    }

    #[test]
    fn back_links_only_go_to_cover_pages() {
        let user = CurrentUser {
            actor: app::Actor {
                user_id: "u".into(),
                email: "e".into(),
                name: "n".into(),
                role: UserRole::PracticeManager,
                org: "Y1".into(),
                staff_id: None,
                unread_notifications: 0,
                org_name: String::new(),
            },
        };
        assert_eq!(
            back_to("/pcns/U1/rota/cover", &user, "cover", "site2"),
            "/pcns/U1/rota/cover?done=cover#site2"
        );
        assert_eq!(
            back_to("https://evil.example/", &user, "cover", "site1\r\nX: y"),
            "/practices/Y1/rota/cover?done=cover#site1Xy"
        );
    }
}

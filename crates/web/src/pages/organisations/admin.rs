//! The system administrator's pages: ICSs, PCNs and their practices today, the forms to add
//! an ICS or a PCN and to put a practice into a PCN from a date, and a practice's
//! membership history. `app` refuses everyone else.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::forms::saved_or_again;
use crate::pages::{Done, FieldView, FormView, long_date, page_ctx};
use app::organisations::{AdminOverview, MembershipView};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::FieldErrors;
use store::organisations::PracticeRecord;

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
pub(crate) struct AdminPage {
    ctx: PageCtx,
    overview: AdminOverview,
    ics_form: FormView,
    pcn_form: FormView,
    member_form: FormView,
    /// Errors of whichever form was sent, for the summary at the top.
    form: FormView,
    done: String,
}

#[derive(serde::Deserialize, Default, Clone)]
pub(crate) struct IcsInput {
    #[serde(default, rename = "ics-code")]
    code: String,
    #[serde(default, rename = "ics-name")]
    name: String,
}

#[derive(serde::Deserialize, Default, Clone)]
pub(crate) struct PcnInput {
    #[serde(default, rename = "pcn-code")]
    code: String,
    #[serde(default, rename = "pcn-name")]
    name: String,
    #[serde(default, rename = "pcn-ics")]
    ics: String,
}

#[derive(serde::Deserialize, Default, Clone)]
pub(crate) struct MemberInput {
    #[serde(default, rename = "member-practice")]
    practice: String,
    #[serde(default, rename = "member-pcn")]
    pcn: String,
    #[serde(default, rename = "member-from")]
    from: String,
}

enum Failed {
    None,
    Ics(IcsInput, FieldErrors),
    Pcn(PcnInput, FieldErrors),
    Member(MemberInput, FieldErrors),
}

fn ics_fields(input: &IcsInput) -> Vec<FieldView> {
    vec![
        FieldView::new("ics-code", "ICB code", "text", &input.code)
            .hint("The ICB's ODS code, for example QJG")
            .width("nhsuk-input--width-5"),
        FieldView::new("ics-name", "Name", "text", &input.name)
            .hint("For example NHS Suffolk and North East Essex ICB"),
    ]
}

fn pcn_fields(input: &PcnInput, overview: &AdminOverview) -> Vec<FieldView> {
    let systems: Vec<(String, String)> = overview
        .systems
        .iter()
        .map(|s| (s.ics.code.clone(), s.ics.name.clone()))
        .collect();
    vec![
        FieldView::new("pcn-code", "PCN code", "text", &input.code)
            .hint("U and five digits, for example U39025")
            .width("nhsuk-input--width-10"),
        FieldView::new("pcn-name", "Name", "text", &input.name),
        FieldView::new("pcn-ics", "ICS", "select", &input.ics)
            .options(systems.iter().map(|(c, n)| (c.as_str(), n.as_str()))),
    ]
}

fn member_fields(input: &MemberInput, overview: &AdminOverview) -> Vec<FieldView> {
    let pcns: Vec<(String, String)> = overview
        .systems
        .iter()
        .flat_map(|s| s.pcns.iter())
        .chain(overview.pcns_without_ics.iter())
        .map(|p| (p.pcn.code.clone(), p.pcn.name.clone()))
        .collect();
    vec![
        FieldView::new("member-practice", "Practice", "text", &input.practice)
            .hint("Its ODS code or its name, for example D83003 or Wickhambrook Surgery"),
        FieldView::new("member-pcn", "PCN", "select", &input.pcn)
            .options(pcns.iter().map(|(c, n)| (c.as_str(), n.as_str()))),
        FieldView::new("member-from", "In the PCN from", "date", &input.from)
            .hint("A move closes its current membership the day before")
            .width("nhsuk-input--width-10"),
    ]
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    failed: Failed,
    done: String,
) -> Result<Response, WebError> {
    let overview = state
        .app
        .organisations()
        .admin_overview(&user.actor)
        .await?;
    let mut summary = FormView::default();
    let mut view = |fields: Vec<FieldView>, errors: Option<(&FieldErrors, &str)>| match errors {
        Some((errors, prefix)) => {
            let view = FormView::new(fields).with_prefixed_errors(errors, prefix);
            summary.errors = view.errors.clone();
            view
        }
        None => FormView::new(fields),
    };
    let (ics_form, pcn_form, member_form) = match &failed {
        Failed::Ics(input, errors) => (
            view(ics_fields(input), Some((errors, "ics-"))),
            view(pcn_fields(&PcnInput::default(), &overview), None),
            view(member_fields(&MemberInput::default(), &overview), None),
        ),
        Failed::Pcn(input, errors) => (
            view(ics_fields(&IcsInput::default()), None),
            view(pcn_fields(input, &overview), Some((errors, "pcn-"))),
            view(member_fields(&MemberInput::default(), &overview), None),
        ),
        Failed::Member(input, errors) => (
            view(ics_fields(&IcsInput::default()), None),
            view(pcn_fields(&PcnInput::default(), &overview), None),
            view(member_fields(input, &overview), Some((errors, "member-"))),
        ),
        Failed::None => (
            view(ics_fields(&IcsInput::default()), None),
            view(pcn_fields(&PcnInput::default(), &overview), None),
            view(member_fields(&MemberInput::default(), &overview), None),
        ),
    };
    let status = if summary.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AdminPage {
        ctx: page_ctx(&user.actor, &token, "/admin"),
        overview,
        ics_form,
        pcn_form,
        member_form,
        form: summary,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn admin_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    render(&state, &user, token, Failed::None, done.done).await
}

pub(crate) async fn ics_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(input): CsrfForm<IcsInput>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .organisations()
        .create_ics(Some(&user.actor), &input.code, &input.name)
        .await;
    saved_or_again(result, "/admin?done=ics", |errors| {
        render(
            &state,
            &user,
            token,
            Failed::Ics(input, errors),
            String::new(),
        )
    })
    .await
}

pub(crate) async fn pcn_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(input): CsrfForm<PcnInput>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .organisations()
        .create_pcn(Some(&user.actor), &input.code, &input.name, &input.ics)
        .await;
    saved_or_again(result, "/admin?done=pcn", |errors| {
        render(
            &state,
            &user,
            token,
            Failed::Pcn(input, errors),
            String::new(),
        )
    })
    .await
}

pub(crate) async fn membership_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(input): CsrfForm<MemberInput>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .organisations()
        .set_practice_pcn(Some(&user.actor), &input.practice, &input.pcn, &input.from)
        .await;
    saved_or_again(result, "/admin?done=member", |errors| {
        render(
            &state,
            &user,
            token,
            Failed::Member(input, errors),
            String::new(),
        )
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_practice.html")]
pub(crate) struct PracticeHistoryPage {
    ctx: PageCtx,
    practice: PracticeRecord,
    /// (PCN name, from, until) in words, newest first.
    rows: Vec<(String, String, String)>,
}

pub(crate) async fn practice_history(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
) -> Result<Response, WebError> {
    let (practice, history) = state
        .app
        .organisations()
        .membership_history(&user.actor, &ods)
        .await?;
    let rows = history
        .iter()
        .rev()
        .map(|m: &MembershipView| {
            (
                m.pcn_name.clone(),
                long_date(m.from),
                m.until.map(long_date).unwrap_or_else(|| "Today".into()),
            )
        })
        .collect();
    let page = PracticeHistoryPage {
        ctx: page_ctx(&user.actor, &token, "/admin"),
        practice,
        rows,
    };
    Ok((token, page).into_response())
}

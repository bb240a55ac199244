//! The import page: the team register from CSV/XLSX (managers), and the published ODS
//! practice, list-size, appointment, ePCN and payments files (the system administrator
//! only). Every import is all-or-nothing and reports each bad row. The team register's
//! result is held (`app::imports::held`) and shown at its own address, where the cells with
//! problems can be corrected and the file imported again (`held`).
use super::page_ctx;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::csrf::{CsrfMultipart, UnreadMultipart, Upload};
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};

pub(super) mod held;

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
pub(crate) struct ImportPage {
    ctx: PageCtx,
    /// Which import the result is about, in words.
    what: String,
    summary: String,
    problems: Vec<String>,
    export_links: Vec<(String, String)>,
    /// Which imports this user may run: only those are shown.
    rights: app::imports::ImportRights,
    /// A held team register import, shown at its own address.
    held: Option<held::HeldView>,
    /// The address named a held import that has expired or is not this user's.
    gone: bool,
    /// The role names the team register reads.
    roles: Vec<&'static str>,
    /// Whether the page reports problems (its title says "Error").
    failed: bool,
}

/// What the page shows besides the import forms.
#[derive(Default)]
pub(crate) struct Shown {
    pub summary: String,
    pub problems: Vec<String>,
    pub held: Option<held::HeldView>,
    pub gone: bool,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    status: StatusCode,
    kind: &str,
    summary: String,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    let shown = Shown {
        summary,
        problems,
        ..Shown::default()
    };
    render_page(state, user, token, status, kind, shown).await
}

pub(crate) async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    status: StatusCode,
    kind: &str,
    shown: Shown,
) -> Result<Response, WebError> {
    let mut export_links = Vec::new();
    for practice in state
        .app
        .organisations()
        .visible_practices(&user.actor)
        .await?
    {
        export_links.push((practice.ods_code.clone(), practice.name.clone()));
    }
    let what = match kind {
        "staff" => "Team register",
        "ods-practices" => "GP practices",
        "list-sizes" => "List sizes",
        "appointments" => "Appointments",
        "pcn-membership" => "PCN membership",
        "payments" => "NHS payments to general practice",
        _ => "",
    };
    let failed =
        !shown.problems.is_empty() || shown.held.as_ref().is_some_and(|h| !h.problems.is_empty());
    let page = ImportPage {
        failed,
        ctx: page_ctx(&user.actor, &token, "/import"),
        what: what.into(),
        summary: shown.summary,
        problems: shown.problems,
        export_links,
        rights: app::imports::import_rights(&user.actor),
        held: shown.held,
        gone: shown.gone,
        roles: domain::role::Role::labels(),
    };
    Ok((status, token, page).into_response())
}

/// The page is for whoever may run at least one import; each import's own use case
/// checks its right again.
pub(crate) fn may_import(user: &CurrentUser) -> Result<(), WebError> {
    let rights = app::imports::import_rights(&user.actor);
    if rights.staff || rights.reference {
        Ok(())
    } else {
        Err(WebError::Page(AppError::Forbidden))
    }
}

pub(crate) async fn import_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
) -> Result<Response, WebError> {
    may_import(&user)?;
    render(
        &state,
        &user,
        token,
        StatusCode::OK,
        "",
        String::new(),
        Vec::new(),
    )
    .await
}

/// An import's address opened (a reload, a bookmark, the address bar): the import page
/// at that import's form, never "method not allowed".
pub(crate) async fn import_address(user: CurrentUser, uri: Uri) -> Result<Response, WebError> {
    may_import(&user)?;
    let kind = uri.path().rsplit('/').next().unwrap_or_default();
    let anchor = match kind {
        "ods-practices" => "ods",
        "staff" | "list-sizes" | "appointments" | "pcn-membership" | "payments" => kind,
        _ => "",
    };
    Ok(Redirect::to(&format!("/import#{anchor}")).into_response())
}

fn upload(form: &mut CsrfMultipart) -> Option<Upload> {
    form.files
        .remove("file")
        .filter(|f| !f.file_name.is_empty() || !f.bytes.is_empty())
}

/// Reads the upload of an import the user may run: the file and the other fields, or the
/// page saying what is wrong with the upload (too large, no file chosen).
async fn receive(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    form: UnreadMultipart,
    kind: &str,
) -> Result<Result<(Upload, CsrfMultipart), Response>, WebError> {
    // The right to run this import is checked before the file is read.
    let rights = app::imports::import_rights(&user.actor);
    let allowed = if kind == "staff" {
        rights.staff
    } else {
        rights.reference
    };
    if !allowed {
        form.discard(crate::limits::IMPORT_BODY_LIMIT).await;
        return Err(WebError::Page(AppError::Forbidden));
    }
    let mut form = form.read(state, crate::limits::IMPORT_FILE_LIMIT).await?;
    if let Some(name) = form.oversized.take() {
        let problems = vec![crate::limits::file_too_large_words(
            &name,
            crate::limits::IMPORT_FILE_LIMIT,
        )];
        let page = render(
            state,
            user,
            token,
            StatusCode::PAYLOAD_TOO_LARGE,
            kind,
            String::new(),
            problems,
        )
        .await?;
        return Ok(Err(page));
    }
    let Some(file) = upload(&mut form) else {
        let problems = vec!["Choose a file to import".to_string()];
        let page = render(
            state,
            user,
            token,
            StatusCode::UNPROCESSABLE_ENTITY,
            kind,
            String::new(),
            problems,
        )
        .await?;
        return Ok(Err(page));
    };
    Ok(Ok((file, form)))
}

/// Runs one import of published reference data and shows its summary or every problem.
async fn run<F, Fut>(
    state: AppState,
    user: CurrentUser,
    token: CsrfToken,
    form: UnreadMultipart,
    kind: &str,
    import: F,
) -> Result<Response, WebError>
where
    F: FnOnce(AppState, app::Actor, Upload, CsrfMultipart) -> Fut,
    Fut: std::future::Future<Output = Result<String, AppError>>,
{
    let (file, form) = match receive(&state, &user, token.clone(), form, kind).await? {
        Ok(received) => received,
        Err(page) => return Ok(page),
    };
    match import(state.clone(), user.actor.clone(), file, form).await {
        Ok(summary) => {
            render(
                &state,
                &user,
                token,
                StatusCode::OK,
                kind,
                summary,
                Vec::new(),
            )
            .await
        }
        Err(AppError::Import(report)) => {
            let problems = report.to_string().lines().map(str::to_string).collect();
            render(
                &state,
                &user,
                token,
                StatusCode::UNPROCESSABLE_ENTITY,
                kind,
                String::new(),
                problems,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// Runs the team register import and shows its result at the held import's address, so
/// a reload shows it again and the cells with problems can be corrected there.
pub(crate) async fn import_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    form: UnreadMultipart,
) -> Result<Response, WebError> {
    let (file, _form) = match receive(&state, &user, token, form, "staff").await? {
        Ok(received) => received,
        Err(page) => return Ok(page),
    };
    let id = state
        .app
        .imports()
        .import_staff_held(&user.actor, &file.file_name, &file.bytes)
        .await?;
    Ok(Redirect::to(&format!("/import/staff/{id}")).into_response())
}

pub(crate) async fn import_ods(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    form: UnreadMultipart,
) -> Result<Response, WebError> {
    run(
        state,
        user,
        token,
        form,
        "ods-practices",
        |state, actor, file, _form| async move {
            let summary = state
                .app
                .imports()
                .import_ods_practices(Some(&actor), &file.file_name, &file.bytes)
                .await?;
            Ok(summary.to_string())
        },
    )
    .await
}

pub(crate) async fn import_list_sizes(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    form: UnreadMultipart,
) -> Result<Response, WebError> {
    run(
        state,
        user,
        token,
        form,
        "list-sizes",
        |state, actor, file, _form| async move {
            let summary = state
                .app
                .imports()
                .import_list_sizes(Some(&actor), &file.file_name, &file.bytes)
                .await?;
            Ok(summary.to_string())
        },
    )
    .await
}

pub(crate) async fn import_appointments(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    form: UnreadMultipart,
) -> Result<Response, WebError> {
    run(
        state,
        user,
        token,
        form,
        "appointments",
        |state, actor, file, _form| async move {
            let summary = state
                .app
                .demand()
                .import_appointments(
                    Some(&actor),
                    &file.file_name,
                    std::io::Cursor::new(file.bytes),
                )
                .await?;
            Ok(summary.to_string())
        },
    )
    .await
}

pub(crate) async fn import_pcn_membership(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    form: UnreadMultipart,
) -> Result<Response, WebError> {
    run(
        state,
        user,
        token,
        form,
        "pcn-membership",
        |state, actor, file, form| async move {
            let ics = form.fields.get("ics").cloned().unwrap_or_default();
            let summary = state
                .app
                .organisations()
                .import_pcn_membership(Some(&actor), &file.file_name, &file.bytes, Some(&ics))
                .await?;
            Ok(summary.to_string())
        },
    )
    .await
}

pub(crate) async fn import_payments(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    form: UnreadMultipart,
) -> Result<Response, WebError> {
    run(
        state,
        user,
        token,
        form,
        "payments",
        |state, actor, file, form| async move {
            let year = form.fields.get("year").cloned().unwrap_or_default();
            let summary = state
                .app
                .funding()
                .import_payments(Some(&actor), &file.file_name, &file.bytes, Some(&year))
                .await?;
            Ok(format!("{}: {summary}", summary.year))
        },
    )
    .await
}

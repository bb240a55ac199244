//! The pack drawn from its figures: a PDF (cover lines, then each section's part) and an
//! XLSX annex (an "About" sheet, then each section's sheets). Pure: the same figures give
//! the same bytes.
use super::EvidenceFigures;
use crate::error::{AppError, AppResult};
use crate::pdf::flow::{A4_H, A4_W, Flow};
use import::{Cell, Sheet};

fn scope_words(f: &EvidenceFigures) -> String {
    let kind = match f.scope_kind.as_str() {
        "practice" => "Practice",
        "pcn" => "PCN",
        _ => "ICS",
    };
    format!("{kind} {} ({})", f.scope_name, f.scope_code)
}

fn long(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

pub(crate) fn pdf(f: &EvidenceFigures) -> AppResult<Vec<u8>> {
    let mut flow = Flow::new();
    flow.title(&format!("Evidence pack: {}", scope_words(f)));
    flow.paragraph(&format!(
        "Figures as on {}; starters and leavers from {} to {}. Snapshot {}: the same snapshot id produces this pack again, figure for figure. Aggregated figures only: no person is named.",
        long(f.taken_on),
        long(f.period_from),
        long(f.taken_on),
        f.snapshot_id
    ));
    for section in &f.sections {
        section.part().pdf(&mut flow);
    }
    let footer = format!(
        "gpteam evidence pack, {}, snapshot {} of {}",
        f.scope_code,
        f.snapshot_id,
        long(f.taken_on)
    );
    let pages = flow.finish(&footer);
    crate::pdf::render(
        pages,
        A4_W,
        A4_H,
        &format!("Evidence pack: {}", scope_words(f)),
    )
    .map_err(|e| AppError::Internal(e.to_string()))
}

pub(crate) fn xlsx(f: &EvidenceFigures) -> AppResult<Vec<u8>> {
    let about = Sheet {
        name: "About".into(),
        header: vec!["Item".into(), "Value".into()],
        rows: [
            ("Organisation", scope_words(f)),
            ("Snapshot", f.snapshot_id.clone()),
            ("Figures as on", f.taken_on.to_string()),
            ("Starters and leavers from", f.period_from.to_string()),
            (
                "Note",
                "Aggregated figures only; wellbeing results below the anonymity threshold are withheld."
                    .into(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| vec![Cell::Text(k.into()), Cell::Text(v)])
        .collect(),
    };
    let mut sheets = vec![about];
    for section in &f.sections {
        sheets.extend(section.part().sheets());
    }
    let day = f.taken_on;
    use chrono::Datelike;
    import::write_workbook(
        &sheets,
        &format!("Evidence pack: {}", scope_words(f)),
        (day.year() as u16, day.month() as u8, day.day() as u8),
    )
    .map_err(|e| AppError::Internal(e.to_string()))
}

//! `gpteam import payments` on every real NHS Payments to General Practice file: each
//! practice's stored total and every stored line equal the file's cells, read here on their
//! own with the `csv` crate; a year imported again replaces itself; a file of another layout
//! or with a bad money cell is refused with file, row and column, and nothing changes.
use super::*;

/// Every file in the folder, found by listing it.
fn payments_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(format!("{NHS}/gp_payments"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    files
}

/// The published file as rows of (header name → cell), read with `csv` alone.
fn published_rows(path: &std::path::Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn pence(cell: &str) -> i64 {
    (cell.parse::<f64>().unwrap() * 100.0).round() as i64
}

async fn stored(
    url: &str,
) -> (
    std::collections::BTreeSet<String>,
    Vec<store::funding::payments::PaymentYearRow>,
) {
    let store = store::Store::connect(url).await.unwrap();
    let mut conn = store.conn().await.unwrap();
    let register = store::funding::payments::practice_codes(&mut conn)
        .await
        .unwrap();
    let codes: Vec<String> = register.iter().cloned().collect();
    let years = store::funding::payments::years_of(&mut conn, &codes)
        .await
        .unwrap();
    (register, years)
}

on_both!(
    payments_import_stores_each_practice_as_published,
    |url: String| {
        let rt = tokio::runtime::Handle::current();
        let look = || tokio::task::block_in_place(|| rt.block_on(stored(&url)));
        let ods = format!("{NHS}/ods_practices/epraccur_DEC2019_SNEE.csv");
        let (code, _, err) = gpteam(&url, &["import", "ods-practices", &ods]);
        assert_eq!(code, 0, "{err}");
        let (register, _) = look();
        let mut checked_lines = 0;
        for path in payments_files() {
            let file = path.to_str().unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            let rows = published_rows(&path);
            let matched = rows
                .iter()
                .filter(|r| register.contains(&r["Practice Code"]))
                .count();
            let expected = format!(
                "stored {matched} practices, unmatched {}",
                rows.len() - matched
            );
            let (code, out, err) = gpteam(&url, &["import", "payments", file]);
            assert_eq!(code, 0, "{name}: {err}");
            assert_eq!(out.trim(), expected, "{name}");
            let year: i32 = name
                .split(|c: char| !c.is_ascii_digit())
                .find(|run| run.len() == 4)
                .unwrap()
                .parse()
                .unwrap();
            let (_, years) = look();
            for row in rows
                .iter()
                .filter(|r| register.contains(&r["Practice Code"]))
            {
                let ods = &row["Practice Code"];
                let stored = years
                    .iter()
                    .find(|y| &y.ods_code == ods && y.year_start == year)
                    .unwrap_or_else(|| panic!("{name}: {ods} not stored"));
                let total = pence(&row["Total NHS Payments to General Practice"]);
                assert_eq!(stored.total_pence, total, "{name} {ods}");
                let lines: i64 = stored
                    .lines
                    .iter()
                    .filter(|l| l.kind == "line")
                    .map(|l| l.amount_pence)
                    .sum();
                assert_eq!(lines, total, "{name} {ods}: the lines add up to the total");
                for line in &stored.lines {
                    assert_eq!(
                        line.amount_pence,
                        pence(&row[&line.name]),
                        "{name} {ods} {}",
                        line.name
                    );
                    checked_lines += 1;
                }
                assert_eq!(
                    stored.registered_patients,
                    row["Number of Registered Patients (Last Known Figure)"]
                        .parse()
                        .ok()
                );
            }
        }
        assert!(checked_lines > 15_000, "{checked_lines}");

        // The same year again replaces it: the same rows, no more.
        let (_, before) = look();
        let last = payments_files().pop().unwrap();
        let (code, _, err) = gpteam(&url, &["import", "payments", last.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let (_, after) = look();
        assert_eq!(before.len(), after.len());
        assert_eq!(
            before
                .iter()
                .map(|y| (y.total_pence, y.lines.len()))
                .collect::<Vec<_>>(),
            after
                .iter()
                .map(|y| (y.total_pence, y.lines.len()))
                .collect::<Vec<_>>()
        );

        // Another layout, named by the missing column; a bad money cell by row and column.
        let dir = tempfile::tempdir().unwrap();
        let lists = format!("{NHS}/patients_registered/gp-reg-pat-prac-all_JAN2021_SNEE.csv");
        let (code, _, err) = gpteam(&url, &["import", "payments", &lists, "--year", "2020-21"]);
        assert_eq!(code, 1);
        assert!(
            err.contains(
                "gp-reg-pat-prac-all_JAN2021_SNEE.csv:1: the header has no column 'Practice Code'"
            ),
            "{err}"
        );
        let text = std::fs::read_to_string(&last).unwrap();
        let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
        lines[9] = lines[9].replacen(",0,0,", ",0,12.3.4,", 1);
        let bad = dir.path().join("nhs-payments-gp-practice_2022-23_bad.csv");
        std::fs::write(&bad, lines.join("\r\n")).unwrap();
        let (code, _, err) = gpteam(&url, &["import", "payments", bad.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(
            err.contains("nhs-payments-gp-practice_2022-23_bad.csv:10: ")
                && err.contains(": '12.3.4' is not an amount in pounds and pence"),
            "{err}"
        );
        let (_, unchanged) = look();
        assert_eq!(after, unchanged, "nothing stored changed");
    }
);

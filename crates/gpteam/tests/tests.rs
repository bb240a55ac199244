//! The `gpteam` command line, run as a user runs it, on SQLite and PostgreSQL.
use std::process::Command;
use store::Backend;
use store::testing::TestDb;

const NHS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/nhs");

fn gpteam(url: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gpteam"))
        .args(args)
        .env("GPTEAM_DATABASE_URL", url)
        .env("GPTEAM_DEMO_PASSWORD", "demo-password-123")
        .env("GPTEAM_LOG", "warn")
        .output()
        .expect("run gpteam");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = TestDb::new(Backend::Sqlite).await;
                ($body)(db.url.clone());
                db.cleanup().await.unwrap();
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = TestDb::new(Backend::Postgres).await;
                ($body)(db.url.clone());
                db.cleanup().await.unwrap();
            }
        }
    };
}

on_both!(imports_the_real_ods_and_list_size_files, |url: String| {
    let ods = format!("{NHS}/ods_practices/epraccur_DEC2019_SNEE.csv");
    let (code, out, err) = gpteam(&url, &["import", "ods-practices", &ods]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "created 99, updated 0, skipped 89");
    let (_, again, _) = gpteam(&url, &["import", "ods-practices", &ods]);
    assert_eq!(
        again.trim(),
        "created 0, updated 99, skipped 89",
        "a second import updates"
    );
    let lists = format!("{NHS}/patients_registered/gp-reg-pat-prac-all_JAN2021_SNEE.csv");
    let (code, out, err) = gpteam(&url, &["import", "list-sizes", &lists]);
    assert_eq!(code, 0, "{err}");
    let (stored, unmatched) = out
        .trim()
        .strip_prefix("stored ")
        .and_then(|r| r.split_once(", unmatched "))
        .expect("summary line");
    let (stored, unmatched): (usize, usize) = (stored.parse().unwrap(), unmatched.parse().unwrap());
    assert_eq!(stored + unmatched, 95);
    assert!(
        stored >= 90,
        "most 2021 practices are in the 2019 ODS file: {out}"
    );
});

on_both!(
    a_bad_file_is_refused_with_its_rows_and_changes_nothing,
    |url: String| {
        let (code, _, err) = gpteam(&url, &["demo"]);
        assert_eq!(code, 0, "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("team.csv");
        std::fs::write(
        &file,
        "name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices\n\
         Ok Person,ok.person@x.example,,receptionist,practice,Y99901,0.5,5,,2026-01-01,,Y99901\n\
         Bad Person,bad@x.example,,receptionist,practice,Y99901,0.5,5,,2026-01-01,2025-01-01,Y99901\n\
         Unknown Place,unknown@x.example,,receptionist,practice,Z12345,0.5,5,,2026-01-01,,Z12345\n",
    )
    .unwrap();
        let (code, out, err) = gpteam(&url, &["import", "staff", file.to_str().unwrap()]);
        assert_eq!(code, 1, "refused input exits 1");
        assert!(out.is_empty(), "no partial result: {out}");
        assert!(
            err.contains(
                "team.csv:3: end_date: End date 2025-01-01 is before the start date 2026-01-01"
            ),
            "{err}"
        );
        let (_, export, _) = gpteam(
            &url,
            &["export", "staff", "--practice", "Y99901", "--format", "csv"],
        );
        assert!(!export.contains("Ok Person"), "nothing was stored");
        // The good rows alone import; the unknown practice is named.
        std::fs::write(
        &file,
        "name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices\n\
         Ok Person,ok.person@x.example,,receptionist,practice,Y99901,0.5,5,,2026-01-01,,Y99901\n\
         Unknown Place,unknown@x.example,,receptionist,practice,Z12345,0.5,5,,2026-01-01,,Z12345\n",
    )
    .unwrap();
        let (code, _, err) = gpteam(&url, &["import", "staff", file.to_str().unwrap()]);
        assert_eq!(code, 1);
        assert!(
            err.contains("team.csv:3: practices: Z12345 is not a practice in gpteam"),
            "{err}"
        );
        let ok = dir.path().join("ok.csv");
        std::fs::write(
        &ok,
        "name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices\n\
         Ok Person,ok.person@x.example,,receptionist,practice,Y99901,0.5,5,,2026-01-01,,Y99901\n",
    )
    .unwrap();
        let (code, out, err) = gpteam(&url, &["import", "staff", ok.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.trim(), "created 1, updated 0");
        let xlsx = dir.path().join("team.xlsx");
        let (code, _, err) = gpteam(
            &url,
            &[
                "export",
                "staff",
                "--practice",
                "Y99901",
                "--format",
                "xlsx",
                "--out",
                xlsx.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{err}");
        let rows = import::read_staff("team.xlsx", &std::fs::read(&xlsx).unwrap()).unwrap();
        assert!(rows.iter().any(|r| r.draft.name == "Ok Person"));
    }
);

on_both!(demo_logins_are_csv_with_every_role, |url: String| {
    let (code, _, err) = gpteam(&url, &["demo"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = gpteam(&url, &["demo", "logins"]);
    assert_eq!(code, 0);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("email,role,organisation"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for role in ["pcn_manager", "practice_manager", "staff", "ics_viewer"] {
        assert!(rows.iter().any(|r| r[1] == role), "{role}");
    }
    assert_eq!(
        rows.iter().filter(|r| r[1] == "practice_manager").count(),
        3
    );
    let (code, _, err) = gpteam(&url, &["demo"]);
    assert_eq!(code, 1, "a second demo load is refused: {err}");
});

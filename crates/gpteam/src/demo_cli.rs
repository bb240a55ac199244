//! `gpteam demo`: loads the demo PCN or a synthetic system and prints its logins.
use super::*;

/// Prints the demo accounts; `short` prints the first account of each role only.
pub(super) async fn print_demo_logins(app: &app::App, short: bool) -> anyhow::Result<()> {
    let logins = app.demo().demo_logins().await?;
    if short {
        println!("Demo log-ins (all: gpteam demo logins):");
        let mut seen = std::collections::BTreeSet::new();
        for login in &logins {
            let first_practice_manager = login.role == "practice_manager";
            if seen.insert(login.role.clone()) || first_practice_manager {
                println!(
                    "  {:<17} {:<8} {}",
                    login.role, login.organisation, login.email
                );
            }
        }
    }
    Ok(())
}

pub(super) async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    if let Some(DemoCommand::Logins(db)) = args.command {
        let (app, _) = open(&db).await?;
        let mut out = csv::Writer::from_writer(std::io::stdout());
        import::write_csv_record(&mut out, ["email", "role", "organisation"])?;
        for login in app.demo().demo_logins().await? {
            import::write_csv_record(&mut out, [&login.email, &login.role, &login.organisation])?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let (app, _) = open(&args.db).await?;
    if !app.demo().is_empty().await? {
        return Err(Refused(
            "the database is not empty: demo data is loaded only into a new database".into(),
        )
        .into());
    }
    let data = match args.practices {
        Some(practices) => demo::generate(&demo::DemoOptions {
            practices: practices.max(1),
            seed: args.seed,
            today: app.today(),
        }),
        None => demo::demo_pcn(app.today()),
    };
    let (password, generated) = demo_password();
    let rotas = match args.practices {
        Some(_) => app::demo_load::DemoRotas::YearPublished,
        None => app::demo_load::DemoRotas::None,
    };
    let summary = app.demo().load_demo_with(&data, &password, rotas).await?;
    if args.practices.is_none() {
        // The demo PCN's room-use history (a generated system has its year of rotas).
        app.estates().load_demo_room_use().await?;
    }
    println!(
        "Loaded {} practices, {} people, {} accounts, {} published rotas ({} sessions).",
        summary.practices, summary.staff, summary.accounts, summary.rotas, summary.rota_sessions
    );
    if generated {
        println!("Demo password (shown once): {password}");
    }
    Ok(ExitCode::SUCCESS)
}

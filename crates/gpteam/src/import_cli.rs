//! `gpteam import`: staff, ODS, list sizes, GPAD appointments, payments and PCN membership
//! files from the command line.
use super::*;

pub(super) async fn import(command: ImportCommand) -> anyhow::Result<ExitCode> {
    if let ImportCommand::PcnMembership(args) = &command {
        let bytes = std::fs::read(&args.file)
            .map_err(|e| Refused(format!("{}: {e}", args.file.display())))?;
        let name = args.file.display().to_string();
        let (app, _) = open(&args.db).await?;
        let summary = app
            .organisations()
            .import_pcn_membership(None, &name, &bytes, args.ics.as_deref())
            .await
            .map_err(refused)?;
        println!("{summary}");
        return Ok(ExitCode::SUCCESS);
    }
    if let ImportCommand::Payments(args) = &command {
        let bytes = std::fs::read(&args.file)
            .map_err(|e| Refused(format!("{}: {e}", args.file.display())))?;
        let name = args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let (app, _) = open(&args.db).await?;
        let summary = app
            .funding()
            .import_payments(None, &name, &bytes, args.year.as_deref())
            .await
            .map_err(refused)?;
        println!("{summary}");
        return Ok(ExitCode::SUCCESS);
    }
    if let ImportCommand::Appointments(args) = &command {
        let name = args.file.display().to_string();
        let file = std::fs::File::open(&args.file).map_err(|e| Refused(format!("{name}: {e}")))?;
        let (app, _) = open(&args.db).await?;
        let started = std::time::Instant::now();
        let summary = app
            .demand()
            .import_appointments(
                None,
                &name,
                std::io::BufReader::with_capacity(1 << 20, file),
            )
            .await
            .map_err(refused)?;
        println!("{summary}");
        eprintln!(
            "{:.1} s, {:.0} rows a second",
            started.elapsed().as_secs_f64(),
            summary.rows_read as f64 / started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (args, kind) = match &command {
        ImportCommand::Staff(a) => (a, "staff"),
        ImportCommand::OdsPractices(a) => (a, "ods"),
        ImportCommand::ListSizes(a) => (a, "list"),
        ImportCommand::Appointments(_)
        | ImportCommand::PcnMembership(_)
        | ImportCommand::Payments(_) => {
            unreachable!("imported above")
        }
    };
    let bytes =
        std::fs::read(&args.file).map_err(|e| Refused(format!("{}: {e}", args.file.display())))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let (app, _) = open(&args.db).await?;
    let line = match kind {
        "staff" => app
            .imports()
            .import_staff(None, &name, &bytes)
            .await
            .map_err(refused)?
            .to_string(),
        "ods" => app
            .imports()
            .import_ods_practices(None, &name, &bytes)
            .await
            .map_err(refused)?
            .to_string(),
        _ => app
            .imports()
            .import_list_sizes(None, &name, &bytes)
            .await
            .map_err(refused)?
            .to_string(),
    };
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}

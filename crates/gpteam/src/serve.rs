//! `gpteam serve`: the web server, its rota worker and its hourly jobs (leavers' close-out,
//! notices, PCN membership).
use super::*;

pub(super) async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let file = FileConfig::load()?;
    let (app, url) = open(&args.db).await?;
    let app =
        app.with_ics_figures_kept_for(std::time::Duration::from_secs(args.ics_figures_seconds));
    if args.demo {
        if app.demo().is_empty().await? {
            let (password, generated) = demo_password();
            let data = demo::demo_pcn(app.today());
            let summary = app.demo().load_demo(&data, &password).await?;
            // A published rota of the recent weeks with its rooms marked used or not.
            app.estates().load_demo_room_use().await?;
            println!(
                "Loaded the demo PCN: {} practices, {} people, {} accounts.",
                summary.practices, summary.staff, summary.accounts
            );
            if generated {
                println!("Demo password (shown once): {password}");
            } else {
                println!("Demo password: the value of GPTEAM_DEMO_PASSWORD");
            }
        } else if !app.demo().is_demo().await? {
            println!("The database already holds data that is not the demo: --demo is ignored.");
        }
    }
    if app.demo().is_demo().await? {
        print_demo_logins(&app, true).await?;
    }
    let addr = args
        .addr
        .or(file.addr.clone())
        .unwrap_or_else(|| config::DEFAULT_ADDR.to_string());
    let listener = listen::bind(&addr, args.reuse_port).await?;
    let local = listener.local_addr()?;
    let secure_cookies = args
        .secure_cookies
        .or(file.secure_cookies)
        .unwrap_or(!local.ip().is_loopback());
    let sessions = store::accounts::sessions::SessionBackend::connect(&url)
        .await
        .context("opening the session store")?;
    let public_url = config::public_url(args.public_url.clone(), &file, local);
    let mut app = app.with_training_reminder_days(args.training_reminder_days);
    let account_mailer: std::sync::Arc<dyn app::mail::Mailer> = match &args.mail.smtp_url {
        Some(url) => {
            let mailer: std::sync::Arc<dyn app::mail::Mailer> =
                std::sync::Arc::new(mail::smtp(url, &args.mail.mail_from)?);
            app = app.with_email(app::notifications::EmailSetup {
                mailer: mailer.clone(),
                via: redact(url),
                public_url: public_url.trim_end_matches('/').to_string(),
            });
            mailer
        }
        None => {
            println!(
                "Invitations and password resets are written to the server log: set GPTEAM_SMTP_URL to email them."
            );
            std::sync::Arc::new(app::mail::LogMailer)
        }
    };
    match &args.mail.smtp_url {
        Some(url) => {
            let mailer = mail::smtp(url, &args.mail.mail_from)?;
            tokio::spawn(mail::reminder_loop(app.clone(), mailer));
            println!(
                "Training and appraisal reminders are sent through {}",
                redact(url)
            );
        }
        None => {
            println!("Training and appraisal reminders are off: set GPTEAM_SMTP_URL to send them.")
        }
    }
    let lease = std::time::Duration::from_secs(args.rota_lease_seconds);
    tokio::spawn(rota_cli::worker_loop(app.clone(), 2, lease));
    tokio::spawn(leavers_loop(app.clone()));
    tokio::spawn(notices_loop(app.clone()));
    tokio::spawn(app.clone().run_email_delivery());
    tokio::spawn(membership_loop(app.clone()));
    let retention = args.sign_in.retention();
    tokio::spawn(config::housekeeping_loop(
        app.clone(),
        sessions.clone(),
        retention,
    ));
    if let Some(token) = app.accounts().create_setup_link().await? {
        println!(
            "No account exists yet. Within the next hour, open this link to create the first system administrator (it works once):\n  {public_url}/setup/{token}"
        );
    }
    let router = web::router(
        app,
        sessions,
        &web::WebConfig {
            secure_cookies,
            mailer: account_mailer,
            public_url,
            sign_in: args.sign_in.policy(),
        },
    );
    println!(
        "gpteam is running at http://{local}/ (database {})",
        redact(&url)
    );
    web::serve(listener, router).await?;
    Ok(ExitCode::SUCCESS)
}

/// Closes leavers' accounts and unpublished rota sessions at start-up and then every hour
/// (`Register::apply_leavers` does nothing twice, so several servers may run it).
async fn leavers_loop(app: app::App) {
    loop {
        match app.register().apply_leavers().await {
            Ok(done) => {
                for leaver in done {
                    tracing::info!("{}", leaver.summary());
                }
            }
            Err(error) => tracing::warn!("applying leavers failed: {error}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// Writes the notices nobody's action triggers (training due, ARRS claims to submit) at
/// start-up and then every hour; each is claimed once, so several servers may run it.
async fn notices_loop(app: app::App) {
    loop {
        match app.notifications().notify_due(app.today()).await {
            Ok(summary) => tracing::info!("notices: {summary}"),
            Err(error) => tracing::warn!("writing notices failed: {error}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// Keeps each practice's PCN today in step with its memberships: at start-up, then hourly,
/// so a move dated ahead takes effect on its day.
async fn membership_loop(app: app::App) {
    loop {
        match app.organisations().refresh_memberships().await {
            Ok(0) => {}
            Ok(changed) => tracing::info!("PCN memberships: {changed} practices changed PCN today"),
            Err(error) => tracing::warn!("refreshing PCN memberships failed: {error}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

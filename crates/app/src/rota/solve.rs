//! Solving: the optimiser run on a rota's input, the job worker that claims queued rotas
//! with heartbeats, and the command line's solve-now.
use super::*;

/// What a solve produced: the assignments, their problems and the optimiser's score.
pub struct Solved {
    pub assignments: Vec<Assignment>,
    pub problems: Vec<RotaProblem>,
    pub conflicts: Vec<String>,
    pub soft_penalty: u64,
    pub hard_units: u64,
    pub steps: u64,
    pub time_to_best: Duration,
}

/// Solves a rota input (blocking; run it off the async runtime).
pub fn solve_input(
    input: &RotaInput,
    time_limit: Duration,
    threads: usize,
    seed: u64,
    stop: Option<Arc<AtomicBool>>,
    on_progress: &(dyn Fn(&rota::Progress) + Sync),
) -> Solved {
    let options = solver_options(time_limit, threads, seed, stop);
    solve_with(input, &options, on_progress)
}

/// The optimiser's options for the product's rotas: cross swaps that keep both people's
/// minutes and the repair of each row the construction leaves breaking a rule (tight
/// contracts), and column generation where the problem suits it, over everyone or a window
/// at a time (`column_generation_form`).
pub fn solver_options(
    time_limit: Duration,
    threads: usize,
    seed: u64,
    stop: Option<Arc<AtomicBool>>,
) -> rota::Options {
    rota::Options {
        seed,
        time_limit: Some(time_limit),
        threads: threads.max(1),
        stop,
        balanced_cross_swaps: true,
        repair_rows: true,
        column_generation: true,
        // A cooler start than the benchmark's 60: the product's penalties come in steps of
        // 10 and more, and at 60 the first part of a budget undoes good rows. `bench rota`,
        // three runs each at 10 s: the 300-person PCN over 13 weeks 8,570 → 8,423 mean, the
        // demo PCN over 13 weeks 2,335 → 2,240, a 150-person one equal at 10 s and better
        // at 2 s (bench/README.md).
        start_temperature: 10.0,
        // The row re-plans unlimited: their DP is quick enough here, and held to a fifth of
        // the time the 300-person PCN over 13 weeks came out 1.6 % worse at 10 s (8,547
        // mean of nine runs against 8,412 unlimited), though better at 2 s (bench/README.md).
        row_plan_share: 1.0,
        ..rota::Options::default()
    }
}

/// The form the optimiser's column generation takes on the rota (the LP over everyone, a
/// window of days at a time, or neither; see `rota::search::ColumnForm`): where neither
/// suits, the search runs alone.
pub fn column_generation_form(input: &RotaInput) -> rota::search::ColumnForm {
    let model = plan::build(input);
    let tables = rota::search::Tables::new(&model.problem);
    rota::search::ColumnForm::of(&model.problem, &tables)
}

/// Solves a rota input with the given options (blocking).
pub fn solve_with(
    input: &RotaInput,
    options: &rota::Options,
    on_progress: &(dyn Fn(&rota::Progress) + Sync),
) -> Solved {
    let model = plan::build(input);
    let outcome = rota::solve(&model.problem, options, on_progress);
    let assignments = model.decode(input, &outcome.roster);
    let problems = check(input, &assignments);
    Solved {
        assignments,
        problems,
        conflicts: model.conflicts,
        soft_penalty: outcome.evaluation.objective,
        hard_units: outcome.evaluation.hard_units(),
        steps: outcome.steps,
        time_to_best: outcome.time_to_best,
    }
}

/// The optimiser's soft penalty of a set of assignments (after an edit).
pub(super) fn soft_penalty(input: &RotaInput, assignments: &[Assignment]) -> u64 {
    optimiser_score(input, assignments).1
}

/// How the optimiser's own evaluator scores a set of assignments: its hard units and its
/// penalty. The plain-words checks and this are written apart; tests hold them to agree.
pub fn optimiser_score(input: &RotaInput, assignments: &[Assignment]) -> (u64, u64) {
    let model = plan::build(input);
    let roster = model.encode(input, assignments);
    let evaluation = rota::evaluate(&model.problem, &roster);
    (evaluation.hard_units(), evaluation.objective)
}

pub(super) fn hard_count(problems: &[RotaProblem]) -> i64 {
    problems.iter().filter(|p| p.hard).count() as i64
}

impl super::Rota<'_> {
    /// Claims the next queued rota (or one whose worker died) and solves it, writing its
    /// progress as it goes. Returns the rota's id, or `None` when nothing was waiting.
    pub async fn run_next_rota_job(
        &self,
        worker: &str,
        threads: usize,
    ) -> AppResult<Option<String>> {
        self.run_next_rota_job_with_lease(worker, threads, STALE_AFTER)
            .await
    }

    /// `run_next_rota_job` where a running job whose last heartbeat is older than `lease`
    /// counts as abandoned (its worker died) and is taken over. Heartbeats come every
    /// 0.3 s, so any lease of a few seconds or more is safe.
    pub async fn run_next_rota_job_with_lease(
        &self,
        worker: &str,
        threads: usize,
        lease: Duration,
    ) -> AppResult<Option<String>> {
        let now = chrono::Utc::now();
        let lease = chrono::Duration::from_std(lease)
            .map_err(|_| AppError::Internal("the rota lease is too long".into()))?;
        let stale = store::timestamp(now - lease);
        let mut conn = self.store().conn().await?;
        let Some(row) =
            store::rota::claim_next(&mut conn, worker, &store::timestamp(now), &stale).await?
        else {
            return Ok(None);
        };
        let id = row.id.clone();
        let result = self.solve_claimed(&mut conn, worker, &row, threads).await;
        if let Err(error) = &result {
            tracing::warn!(rota = %id, "rota job failed: {error}");
            store::rota::finish(
                &mut conn,
                &id,
                worker,
                "failed",
                None,
                None,
                None,
                Some(&error.to_string()),
                &self.now(),
            )
            .await?;
        }
        Ok(Some(id))
    }

    async fn solve_claimed(
        &self,
        conn: &mut store::Conn,
        worker: &str,
        row: &RotaRow,
        threads: usize,
    ) -> AppResult<()> {
        let period = period_of(row)?;
        let (mut input, _) = load_input(conn, &RotaScope::of_row(row), period).await?;
        input.locked = locked_days(conn, &row.id).await?;
        input.current = store::rota::list_assignments(conn, &row.id)
            .await?
            .into_iter()
            .map(from_row)
            .collect::<AppResult<_>>()?;
        let limit = Duration::from_secs(row.time_limit_seconds.max(1) as u64);
        let stop = Arc::new(AtomicBool::new(false));
        store::rota::progress::clear(conn, &row.id).await?;
        let best = Arc::new(progress::Watch::new(&input));
        let handle = {
            let (input, stop, best) = (input.clone(), stop.clone(), best.clone());
            tokio::task::spawn_blocking(move || {
                solve_input(
                    &input,
                    limit,
                    threads,
                    1,
                    Some(stop),
                    &|p: &rota::Progress| best.record(p),
                )
            })
        };
        let heartbeat = StoreHeartbeat {
            app: self,
            conn,
            id: &row.id,
            worker,
            started: Instant::now(),
            limit,
            best: &best,
        };
        let (solved, cancelled) = follow_solve(handle, &stop, heartbeat).await?;
        let mut tx = self.store().begin().await?;
        let rows: Vec<AssignmentRow> = solved.assignments.iter().map(to_row).collect();
        store::rota::replace_assignments(&mut tx, &row.id, &rows).await?;
        let problems_json = serde_json::to_string(&solved.problems).unwrap_or_default();
        let status = if cancelled { "cancelled" } else { "done" };
        let applied = store::rota::finish(
            &mut tx,
            &row.id,
            worker,
            status,
            Some(hard_count(&solved.problems)),
            Some(solved.soft_penalty as i64),
            Some(&problems_json),
            None,
            &self.now(),
        )
        .await?;
        if !applied {
            // Another worker took the job over; its result stands.
            return Ok(());
        }
        audit(
            &mut tx,
            None,
            Change {
                action: "solved",
                entity: "rota",
                entity_id: &row.id,
                tenant: &row.scope_code,
                before: None,
                after: json(&serde_json::json!({
                    "status": status,
                    "hard_violations": hard_count(&solved.problems),
                    "soft_penalty": solved.soft_penalty,
                    "worker": worker,
                })),
            },
            &self.now(),
        )
        .await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(())
    }
}

/// Saves a running solve's progress and says whether to stop it.
pub(super) trait Heartbeat {
    async fn beat(&mut self) -> AppResult<bool>;
}

impl<H: Heartbeat> Heartbeat for &mut H {
    async fn beat(&mut self) -> AppResult<bool> {
        (**self).beat().await
    }
}

/// The worker's heartbeat: the share of the time used and the best scores so far, written
/// to the rota's row (`store::rota::heartbeat`).
pub(super) struct StoreHeartbeat<'a> {
    app: &'a App,
    conn: &'a mut store::Conn,
    id: &'a str,
    worker: &'a str,
    started: Instant,
    limit: Duration,
    best: &'a progress::Watch,
}

impl Heartbeat for StoreHeartbeat<'_> {
    async fn beat(&mut self) -> AppResult<bool> {
        let fraction = (self.started.elapsed().as_secs_f64() / self.limit.as_secs_f64()).min(0.99);
        let scores = self.best.scores();
        let failed = |error: store::StoreError| {
            AppError::Internal(format!(
                "the solve stopped: its progress could not be saved ({error})"
            ))
        };
        let stop = store::rota::heartbeat(
            self.conn,
            self.id,
            self.worker,
            &self.app.now(),
            fraction,
            scores.map(|s| s.0 as i64),
            scores.map(|s| s.1 as i64),
        )
        .await
        .map_err(failed)?;
        if let Some(seen) = self.best.explain() {
            let row = store::rota::progress::ProgressRow {
                rota_id: self.id.to_string(),
                hard_problems: i64::from(seen.hard_problems),
                below_minimum: i64::from(seen.gaps.below_minimum),
                below_ideal: i64::from(seen.gaps.below_ideal),
                updated_at: self.app.now(),
            };
            store::rota::progress::save(self.conn, &row)
                .await
                .map_err(failed)?;
        }
        Ok(stop)
    }
}

/// Follows a search running on a blocking thread until it ends: every 0.3 s sends a
/// heartbeat (which saves progress and says whether to stop: a manager's cancel, or the
/// job taken over) and sets `stop` when told to. Returns the search's result and whether it
/// was stopped so.
///
/// A heartbeat that fails also sets `stop`: without heartbeats the job stops being this
/// worker's after `STALE_AFTER`, so the search ends now rather than at its time limit; the
/// error is returned once the search thread has ended, for the caller to mark the job
/// failed (if even that cannot be written, the job's old heartbeat lets another worker take
/// it over).
pub(super) async fn follow_solve<T>(
    handle: tokio::task::JoinHandle<T>,
    stop: &AtomicBool,
    mut heartbeat: impl Heartbeat,
) -> AppResult<(T, bool)> {
    let mut stopped = false;
    while !handle.is_finished() {
        tokio::time::sleep(Duration::from_millis(300)).await;
        match heartbeat.beat().await {
            Ok(true) if !stopped => {
                stopped = true;
                stop.store(true, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(error) => {
                stop.store(true, Ordering::Relaxed);
                let _ = handle.await;
                return Err(error);
            }
        }
    }
    let out = handle
        .await
        .map_err(|e| AppError::Internal(format!("the solve stopped: {e}")))?;
    Ok((out, stopped))
}

pub(super) async fn locked_days(
    conn: &mut store::Conn,
    id: &str,
) -> AppResult<Vec<(String, NaiveDate)>> {
    Ok(store::rota::list_locks(conn, id)
        .await?
        .into_iter()
        .filter_map(|(staff, day)| {
            NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .ok()
                .map(|d| (staff, d))
        })
        .collect())
}

/// What the command line reports of a solve.
pub struct CliSolve {
    pub id: String,
    pub row: RotaRow,
    pub problems: Vec<RotaProblem>,
    pub conflicts: Vec<String>,
    pub people: usize,
    pub assignments: usize,
}

impl super::Rota<'_> {
    /// Solves a rota from the command line, run by whoever holds the database: the rota is
    /// stored (unpublished) and audited like one asked for on the web, then solved here.
    pub async fn solve_rota_now(
        &self,
        scope: RotaScope,
        period: RotaPeriod,
        time_limit_seconds: u32,
        threads: usize,
    ) -> AppResult<CliSolve> {
        let mut tx = self.store().begin().await?;
        let known = match &scope {
            RotaScope::Pcn(code) => store::organisations::get_pcn(&mut tx, code)
                .await?
                .is_some(),
            RotaScope::Practice(ods) => store::organisations::get(&mut tx, ods).await?.is_some(),
        };
        if !known {
            return Err(AppError::NotFound);
        }
        let id = store::new_id();
        let now = self.now();
        store::rota::insert_rota(
            &mut tx,
            &NewRota {
                id: id.clone(),
                scope_kind: scope.kind().to_string(),
                scope_code: scope.code().to_string(),
                starts_on: period.from.to_string(),
                weeks: i64::from(period.weeks),
                time_limit_seconds: i64::from(time_limit_seconds.clamp(1, MAX_TIME_LIMIT)),
                created_by: None,
                created_at: now.clone(),
            },
        )
        .await?;
        let change = Change {
            action: "requested",
            entity: "rota",
            entity_id: &id,
            tenant: scope.code(),
            before: None,
            after: json(&serde_json::json!({ "from": period.from, "weeks": period.weeks })),
        };
        commit_with_audit(tx, None, change, &now).await?;
        let worker = format!("cli-{}", std::process::id());
        let mut conn = self.store().conn().await?;
        // A server's worker may have taken the new rota first: leave it to that worker.
        let stale = store::timestamp(
            chrono::Utc::now() - chrono::Duration::from_std(STALE_AFTER).expect("short"),
        );
        let row = store::rota::claim(&mut conn, &id, &worker, &self.now(), &stale)
            .await?
            .ok_or_else(|| {
                AppError::Conflict(format!(
                    "A server's worker is already solving rota {id}: follow it on the web"
                ))
            })?;
        if let Err(error) = self.solve_claimed(&mut conn, &worker, &row, threads).await {
            store::rota::finish(
                &mut conn,
                &id,
                &worker,
                "failed",
                None,
                None,
                None,
                Some(&error.to_string()),
                &self.now(),
            )
            .await?;
            return Err(error);
        }
        let row = store::rota::get_rota(&mut conn, &id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (input, people) = load_input(&mut conn, &scope, period).await?;
        let assignments: Vec<Assignment> = store::rota::list_assignments(&mut conn, &id)
            .await?
            .into_iter()
            .map(from_row)
            .collect::<AppResult<_>>()?;
        Ok(CliSolve {
            problems: check(&input, &assignments),
            conflicts: plan::build(&input).conflicts,
            people: people.len(),
            assignments: assignments.len(),
            id,
            row,
        })
    }
}

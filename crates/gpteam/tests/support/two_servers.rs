//! Two `gpteam serve` processes on one database and one port (`--reuse-port`): each rota
//! job is claimed exactly once, both processes take jobs, and a job whose process is
//! killed (SIGKILL) is taken over by the other once its lease (5 s here) runs out.
use super::*;
use std::process::Child;
use std::time::{Duration, Instant};
use store::rota::NewRota;

fn serve(url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_gpteam"))
        .args([
            "serve",
            "--reuse-port",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--rota-lease-seconds", "5"])
        .env("GPTEAM_DATABASE_URL", url)
        .env("GPTEAM_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start gpteam serve")
}

fn job(id: &str, pcn: &str, seconds: i64) -> NewRota {
    NewRota {
        id: id.into(),
        scope_kind: "pcn".into(),
        scope_code: pcn.into(),
        starts_on: "2026-12-07".into(),
        weeks: 1,
        time_limit_seconds: seconds,
        created_by: None,
        created_at: format!("2026-11-23T09:00:0{}Z", id.len() % 10),
    }
}

/// Polls until `done` holds for the rota, or fails after `limit`.
async fn wait_for(
    db: &TestDb,
    id: &str,
    limit: Duration,
    done: impl Fn(&store::rota::RotaRow) -> bool,
) -> store::rota::RotaRow {
    let started = Instant::now();
    loop {
        let mut conn = db.store.conn().await.unwrap();
        let row = store::rota::get_rota(&mut conn, id).await.unwrap().unwrap();
        if done(&row) {
            return row;
        }
        assert!(started.elapsed() < limit, "rota {id} stayed {row:?}");
        drop(conn);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn pid_of(worker: &str, servers: &[Child]) -> Option<u32> {
    servers
        .iter()
        .map(Child::id)
        .find(|pid| worker.contains(&format!("-{pid}-")))
}

async fn two_servers_share_the_queue(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (code, _, err) = gpteam(&db.url, &["demo"]);
    assert_eq!(code, 0, "{err}");
    let (_, logins, _) = gpteam(&db.url, &["demo", "logins"]);
    let pcn = logins
        .lines()
        .find_map(|l| l.split(',').nth(2).filter(|_| l.contains(",pcn_manager,")))
        .unwrap()
        .to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut servers = vec![serve(&db.url, port), serve(&db.url, port)];
    let ids: Vec<String> = (0..6).map(|i| format!("job{i}")).collect();
    {
        let mut conn = db.store.conn().await.unwrap();
        for id in &ids {
            store::rota::insert_rota(&mut conn, &job(id, &pcn, 2))
                .await
                .unwrap();
        }
    }
    let mut pids = std::collections::BTreeSet::new();
    for id in &ids {
        let row = wait_for(&db, id, Duration::from_secs(120), |r| r.status == "done").await;
        let mut conn = db.store.conn().await.unwrap();
        assert_eq!(
            store::rota::attempts(&mut conn, id).await.unwrap(),
            1,
            "{id} was claimed exactly once"
        );
        pids.insert(pid_of(row.worker.as_deref().unwrap(), &servers).expect("one of ours"));
    }
    assert_eq!(pids.len(), 2, "both processes took jobs");

    // A job whose process is killed is taken over by the other after the lease.
    {
        let mut conn = db.store.conn().await.unwrap();
        store::rota::insert_rota(&mut conn, &job("long", &pcn, 6))
            .await
            .unwrap();
    }
    let running = wait_for(&db, "long", Duration::from_secs(60), |r| {
        r.status == "running"
    })
    .await;
    let first = pid_of(running.worker.as_deref().unwrap(), &servers).unwrap();
    let at = servers.iter().position(|s| s.id() == first).unwrap();
    let mut killed = servers.remove(at);
    killed.kill().unwrap();
    killed.wait().unwrap();
    let done = wait_for(&db, "long", Duration::from_secs(60), |r| {
        r.status == "done" && r.worker != running.worker
    })
    .await;
    assert_eq!(
        pid_of(done.worker.as_deref().unwrap(), &servers),
        Some(servers[0].id())
    );
    let mut conn = db.store.conn().await.unwrap();
    assert_eq!(store::rota::attempts(&mut conn, "long").await.unwrap(), 2);
    drop(conn);
    for mut server in servers {
        server.kill().unwrap();
        server.wait().unwrap();
    }
    db.cleanup().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_sqlite_claim_each_job_once_and_take_over_a_killed_ones() {
    two_servers_share_the_queue(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_postgres_claim_each_job_once_and_take_over_a_killed_ones() {
    two_servers_share_the_queue(Backend::Postgres).await;
}

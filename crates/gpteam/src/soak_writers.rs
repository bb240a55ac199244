//! The soak's writers: demo users logged in over the JSON API, each loop sending one kind
//! of write and recording those the server acknowledged (2xx), and the read-back that
//! checks every acknowledged write is still there after a crash.
use anyhow::Context;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Every write the server acknowledged, by kind.
#[derive(Default, Clone)]
pub struct Acked {
    /// Ids of staff created through `POST /api/practices/{ods}/staff`.
    pub staff: Vec<String>,
    /// Emails of people imported through `POST /api/imports/staff`.
    pub imported: Vec<String>,
    /// (writer index, leave id).
    pub leave: Vec<(usize, String)>,
    /// Writer indexes whose check-in was acknowledged.
    pub checkins: Vec<usize>,
    /// Rota ids queued.
    pub rotas: Vec<String>,
    /// Rota ids published.
    pub published: Vec<String>,
}

pub struct Writers {
    base: String,
    practice: String,
    pcn: String,
    practice_manager: reqwest::Client,
    pcn_manager: reqwest::Client,
    staff: Vec<reqwest::Client>,
    acked: Mutex<Acked>,
    /// Check-ins answered without an acknowledgement (the answer to a request cut off by a
    /// kill may still have been stored): never tried again.
    answered: Mutex<std::collections::BTreeSet<usize>>,
    counter: AtomicUsize,
    today: chrono::NaiveDate,
}

/// Staff accounts that write (leave and check-ins).
const STAFF_WRITERS: usize = 12;

async fn log_in(base: &str, email: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(20))
        .build()?;
    let r = send_json(
        &client,
        &format!("{base}/api/login"),
        &json!({ "email": email, "password": password }),
    )
    .await?;
    anyhow::ensure!(r.0 == 200, "log-in of {email} failed: {} {}", r.0, r.1);
    Ok(client)
}

/// POSTs JSON; the status and the answer (`Null` when it is not JSON).
async fn send_json(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
) -> anyhow::Result<(u16, Value)> {
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let status = r.status().as_u16();
    let text = r.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

async fn get_json(client: &reqwest::Client, url: &str) -> anyhow::Result<(u16, Value)> {
    let r = client.get(url).send().await?;
    let status = r.status().as_u16();
    let text = r.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

impl Writers {
    pub async fn log_in(
        base: &str,
        logins: &[app::demo_load::DemoLogin],
        password: &str,
        today: chrono::NaiveDate,
    ) -> anyhow::Result<Writers> {
        let first = |role: &str| {
            logins
                .iter()
                .find(|l| l.role == role)
                .with_context(|| format!("the demo has a {role}"))
        };
        let pm = first("practice_manager")?;
        let pcn = first("pcn_manager")?;
        let mut staff = Vec::new();
        for login in logins
            .iter()
            .filter(|l| l.role == "staff")
            .take(STAFF_WRITERS)
        {
            staff.push(log_in(base, &login.email, password).await?);
        }
        Ok(Writers {
            base: base.to_string(),
            practice: pm.organisation.clone(),
            pcn: pcn.organisation.clone(),
            practice_manager: log_in(base, &pm.email, password).await?,
            pcn_manager: log_in(base, &pcn.email, password).await?,
            staff,
            acked: Mutex::new(Acked::default()),
            answered: Mutex::new(Default::default()),
            counter: AtomicUsize::new(0),
            today,
        })
    }

    pub fn acked(&self) -> Acked {
        self.acked.lock().expect("acked").clone()
    }

    fn next(&self) -> usize {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Starts one task per kind of write; each stops once `up` is false.
    pub fn spawn(self: &Arc<Self>, up: Arc<AtomicBool>) -> Vec<JoinHandle<()>> {
        let mut tasks = Vec::new();
        for kind in 0..5 {
            let (me, up) = (self.clone(), up.clone());
            tasks.push(tokio::spawn(async move {
                while up.load(Ordering::SeqCst) {
                    // A failed request (the server was killed under it) is simply not
                    // acknowledged; the next one is tried.
                    let _ = match kind {
                        0 => me.import_staff().await,
                        1 => me.create_staff().await,
                        2 => me.request_leave().await,
                        3 => me.check_in().await,
                        _ => me.rota().await,
                    };
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }));
        }
        tasks
    }

    async fn import_staff(&self) -> anyhow::Result<()> {
        let n = self.next();
        let email = format!("soak.import.{n}@example.nhs.uk");
        let ods = &self.practice;
        let csv = format!(
            "{}\nSoak Import {n},{email},,receptionist,practice,{ods},1,9,,2026-01-05,,{ods}\n",
            import::STAFF_HEADER.join(",")
        );
        let r = self
            .practice_manager
            .post(self.url(&format!("/api/imports/staff?practice={ods}")))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await?;
        if r.status().is_success() {
            self.acked.lock().expect("acked").imported.push(email);
        }
        Ok(())
    }

    async fn create_staff(&self) -> anyhow::Result<()> {
        let n = self.next();
        let body = json!({
            "name": format!("Soak Made {n}"), "role": "receptionist", "start_date": "2026-01-05",
            "wte": 0.8, "sessions_per_week": 7,
            "skills": [], "practices": [], "site_ids": []
        });
        let url = self.url(&format!("/api/practices/{}/staff", self.practice));
        let (status, answer) = send_json(&self.practice_manager, &url, &body).await?;
        if (200..300).contains(&status)
            && let Some(id) = answer["id"].as_str()
        {
            self.acked.lock().expect("acked").staff.push(id.to_string());
        }
        Ok(())
    }

    async fn request_leave(&self) -> anyhow::Result<()> {
        let n = self.next();
        let who = n % self.staff.len();
        let day = self.today + chrono::Days::new(30 + (n / self.staff.len() % 300) as u64);
        let body =
            json!({ "kind": "annual", "start_date": day.to_string(), "end_date": day.to_string() });
        let (status, answer) = send_json(&self.staff[who], &self.url("/api/leave"), &body).await?;
        if (200..300).contains(&status)
            && let Some(id) = answer["id"].as_str()
        {
            self.acked
                .lock()
                .expect("acked")
                .leave
                .push((who, id.to_string()));
        }
        Ok(())
    }

    async fn check_in(&self) -> anyhow::Result<()> {
        let next = {
            let done = self.answered.lock().expect("answered");
            (0..self.staff.len()).find(|i| !done.contains(i))
        };
        let Some(who) = next else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Ok(());
        };
        let (status, current) =
            get_json(&self.staff[who], &self.url("/api/checkins/current")).await?;
        anyhow::ensure!(status == 200, "no check-in open: {status} {current}");
        if current["answered"] == json!(true) {
            self.answered.lock().expect("answered").insert(who);
            return Ok(());
        }
        let questions = current["questions"].as_array().map_or(10, Vec::len);
        let body = json!({ "answers": vec![3; questions] });
        let (status, _) = send_json(&self.staff[who], &self.url("/api/checkins"), &body).await?;
        if (200..300).contains(&status) {
            self.answered.lock().expect("answered").insert(who);
            self.acked.lock().expect("acked").checkins.push(who);
        }
        Ok(())
    }

    /// Asks for a rota (the queue's cap refuses a fourth waiting one) and publishes rotas
    /// that are done.
    async fn rota(&self) -> anyhow::Result<()> {
        let monday = next_monday(self.today);
        let body = json!({ "pcn": self.pcn, "from": monday.to_string(), "weeks": 1, "time_limit_seconds": 1 });
        let (status, answer) = send_json(&self.pcn_manager, &self.url("/api/rotas"), &body).await?;
        if status == 202
            && let Some(id) = answer["id"].as_str()
        {
            self.acked.lock().expect("acked").rotas.push(id.to_string());
        }
        let waiting: Vec<String> = {
            let acked = self.acked.lock().expect("acked");
            acked
                .rotas
                .iter()
                .filter(|id| !acked.published.contains(id))
                .cloned()
                .collect()
        };
        for id in waiting {
            let (_, rota) =
                get_json(&self.pcn_manager, &self.url(&format!("/api/rotas/{id}"))).await?;
            if rota["status"] == "done" {
                let url = self.url(&format!("/api/rotas/{id}/publish"));
                let (status, _) =
                    send_json(&self.pcn_manager, &url, &json!({ "override": true })).await?;
                if (200..300).contains(&status) {
                    self.acked.lock().expect("acked").published.push(id);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(())
    }

    /// Every acknowledged write that cannot be found now, named.
    pub async fn verify(&self, store: &store::Store) -> anyhow::Result<Vec<String>> {
        let acked = self.acked();
        let mut missing = Vec::new();
        let (status, team) = get_json(
            &self.practice_manager,
            &self.url(&format!("/api/practices/{}/staff", self.practice)),
        )
        .await?;
        anyhow::ensure!(status == 200, "the practice's staff: {status}");
        let team = team.to_string();
        for email in &acked.imported {
            if !team.contains(email.as_str()) {
                missing.push(format!("imported {email}"));
            }
        }
        for id in &acked.staff {
            let (status, _) = get_json(
                &self.practice_manager,
                &self.url(&format!("/api/staff/{id}")),
            )
            .await?;
            if status != 200 {
                missing.push(format!("staff {id} ({status})"));
            }
        }
        for (who, client) in self.staff.iter().enumerate() {
            let (status, leave) = get_json(client, &self.url("/api/leave")).await?;
            anyhow::ensure!(status == 200, "leave of writer {who}: {status}");
            let leave = leave.to_string();
            for (_, id) in acked.leave.iter().filter(|(w, _)| *w == who) {
                if !leave.contains(id.as_str()) {
                    missing.push(format!("leave {id}"));
                }
            }
            if acked.checkins.contains(&who) {
                let (_, current) = get_json(client, &self.url("/api/checkins/current")).await?;
                if current["answered"] != json!(true) {
                    missing.push(format!("check-in of writer {who}"));
                }
            }
        }
        let mut conn = store.conn().await?;
        for id in &acked.rotas {
            match store::rota::get_rota(&mut conn, id).await? {
                None => missing.push(format!("rota {id}")),
                Some(rota) if acked.published.contains(id) && rota.published_at.is_none() => {
                    missing.push(format!("publication of rota {id}"))
                }
                Some(_) => {}
            }
        }
        Ok(missing)
    }
}

/// The Monday after `today`.
pub fn next_monday(today: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    today + chrono::Days::new(u64::from(7 - today.weekday().num_days_from_monday()))
}

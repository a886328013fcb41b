//! The command line killed (SIGKILL) at random points of imports, workflow steps, evaluation
//! runs and ticket moves, on both engines: afterwards the database passes its integrity check,
//! every import is whole or absent, the aggregates equal a recount from the facts, and the audit
//! trail verifies.

use std::process::{Command, Stdio};
use std::time::Duration;

use domain::Month;
use service::{App, Caller, Clock, Settings};

use testkit::uscc;

const ENTERPRISES: u32 = 300;

fn leapfrog(db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leapfrog"));
    c.env("LEAPFROG_DATABASE_URL", db).env_remove("LEAPFROG_AUDIT_KEY_FILE").env_remove("LEAPFROG_AUDIT_CHECKPOINT");
    c
}

/// A small deterministic generator: the trials are the same on every run, and the seed is printed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Runs `args`, killing it after `after` unless it finished first; how long it took when it
/// finished.
fn run_killed(db: &str, args: &[&str], after: Duration) -> Option<Duration> {
    let start = std::time::Instant::now();
    let mut child = leapfrog(db).args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = start + after;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            assert!(status.success(), "{args:?} failed on its own: {err}");
            return Some(start.elapsed());
        }
        if std::time::Instant::now() >= deadline {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The facts rows of a month, counted in the table itself.
/// Starts `leapfrog serve` on a free port; its address.
fn serve(db: &str) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child =
        leapfrog(db).args(["serve", "--addr", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let addr = first.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_else(|| panic!("{first}")).to_string();
    (child, addr)
}

/// Posts a facts file to a running server and kills the server (SIGKILL) after `after`, whether
/// or not it answered; how long the answer took when it came first.
fn post_and_kill(mut server: std::process::Child, addr: &str, token: &str, body: &str, after: Duration) -> Option<Duration> {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /api/v1/facts HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let start = std::time::Instant::now();
    conn.write_all(head.as_bytes()).unwrap();
    // The body may not all be taken before the kill: a write cut short is part of the trial.
    let _ = conn.write_all(body.as_bytes());
    conn.set_read_timeout(Some(after.max(Duration::from_micros(1)))).unwrap();
    let mut answer = Vec::new();
    let answered = conn.read_to_end(&mut answer).is_ok() && answer.starts_with(b"HTTP/1.1 200");
    let took = start.elapsed();
    server.kill().unwrap();
    server.wait().unwrap();
    answered.then_some(took)
}

async fn facts_of(url: &str, month: Month) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM facts WHERE month = $1")
        .bind(i64::from(month.yyyymm()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn killed_at_random_points_the_database_is_whole() {
    let seed = std::env::var("LEAPFROG_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20231128u64);
    eprintln!("crash trials with LEAPFROG_CRASH_SEED={seed}");
    let trials: u32 = std::env::var("LEAPFROG_CRASH_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(25);
    let mut rng = Lcg(seed);
    for db in testkit::engines().await {
        let dir = tempfile::tempdir().unwrap();
        // The registry, and tickets accepted in 2023 (long overdue now: `tickets escalate` moves them).
        let then = App::open_with(
            &db.url,
            Settings { clock: Clock::on(domain::calendar::Date::new(2023, 9, 28).unwrap()), ..Default::default() },
        )
        .await
        .unwrap();
        let op = Caller::operator();
        let mut reg = String::from("uscc,name,zone,industry,land_mu\n");
        for n in 1..=ENTERPRISES {
            let zone = ["etdz", "yongxiu", "gongqing"][n as usize % 3];
            reg.push_str(&format!("{},企业{n},{zone},optoelectronics,10\n", uscc(n)));
        }
        let (_r, p) = testkit::file("e.csv", reg.as_bytes());
        then.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        for n in 1..=20 {
            let order = service::Order {
                item: "policy".into(),
                uscc: Some(uscc(n)),
                answers: [("topic", "用地"), ("question", "指标?")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                channel: domain::services::Channel::Phone,
                note: String::new(),
                files: Vec::new(),
            };
            let t = then.order_service(&op, order).await.unwrap();
            let accept = service::StepRequest::new(domain::services::TicketStep::Accept, t.version, "");
            then.ticket_step(&op, &t.number, accept).await.unwrap();
        }

        // January 2021 is there before the trials (so a year always has someone to evaluate);
        // the trials import the months after it.
        let mut january = String::from("uscc,month,revenue,tax\n");
        for n in 1..=ENTERPRISES {
            january.push_str(&format!("{},2021-01,{n},1\n", uscc(n)));
        }
        let (_j, p) = testkit::file("j.csv", january.as_bytes());
        then.import_facts(&op, &p, false, &|_, _| {}).await.unwrap();
        then.store.close().await;
        // (Cycling through five years: a month imported again is replaced whole, or not at all.)
        let month_of = |trial: u32| {
            let k = trial % 59 + 1;
            Month::new(2021 + (k / 12) as i32, k % 12 + 1).unwrap()
        };
        let (mut imported, mut killed) = (Vec::new(), 0);
        // How long each kind of operation took the last time it was let finish: the kill comes
        // at a random point within that.
        let mut took = [Duration::from_millis(60); 6];
        let mut projects = Vec::new();
        for trial in 0..trials {
            let month = month_of(trial);
            let kind = (trial % 6) as usize;
            let after = Duration::from_micros(rng.below(took[kind].as_micros() as u64 * 11 / 10 + 1));
            let args: Vec<String> = match kind {
                0 | 1 => {
                    let mut facts = String::from("uscc,month,revenue,tax\n");
                    for n in 1..=ENTERPRISES {
                        facts.push_str(&format!("{},{month},{},{}\n", uscc(n), n + trial, n % 7));
                    }
                    let file = dir.path().join(format!("f{trial}.csv"));
                    std::fs::write(&file, facts).unwrap();
                    imported.push(month);
                    vec!["import".into(), "facts".into(), file.display().to_string()]
                }
                2 => vec!["months".into(), "lock".into(), "--through".into(), month_of(trial.saturating_sub(2)).to_string()],
                3 if trial % 12 == 3 => vec!["tickets".into(), "escalate".into()],
                3 => vec!["evaluate".into(), "--year".into(), "2021".into(), "--provisional".into(), "--save".into()],
                // The registry again, every name marked with the trial: all renamed, or none.
                4 => {
                    let mut reg = String::from("uscc,name,zone,industry,land_mu\n");
                    for n in 1..=ENTERPRISES {
                        let zone = ["etdz", "yongxiu", "gongqing"][n as usize % 3];
                        reg.push_str(&format!("{},企业{n}-{trial},{zone},optoelectronics,10\n", uscc(n)));
                    }
                    let file = dir.path().join(format!("e{trial}.csv"));
                    std::fs::write(&file, reg).unwrap();
                    vec!["import".into(), "enterprises".into(), file.display().to_string()]
                }
                // Fifty projects, coded by the trial: all there, or none.
                _ => {
                    let mut list = String::from("code,name,zone,industry,type,total_investment,status\n");
                    for k in 1..=50 {
                        list.push_str(&format!("T{trial}-{k},项目{k},etdz,optoelectronics,新建,20000,在建\n"));
                    }
                    let file = dir.path().join(format!("p{trial}.csv"));
                    std::fs::write(&file, list).unwrap();
                    projects.push(trial);
                    vec!["import".into(), "projects".into(), file.display().to_string()]
                }
            };
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let finished = run_killed(&db.url, &args, after);
            match finished {
                Some(d) => took[kind] = d,
                None => killed += 1,
            }
            eprintln!(
                "{} trial {trial}: {args:?} {} after {after:?}",
                db.engine,
                if finished.is_some() { "finished" } else { "killed" }
            );
        }

        assert!(killed >= trials as usize / 5, "{}: only {killed} of {trials} trials were cut short", db.engine);

        // The server killed while it takes a facts file over HTTP (a token of an account made
        // from the command line; `serve` restarted for each trial, as after a power cut).
        leapfrog(&db.url).args(["user", "add", "crashop", "--name", "运维", "--role", "coordinator"]).output().unwrap();
        let out = leapfrog(&db.url).args(["token", "create", "crashop", "--label", "crash"]).output().unwrap();
        let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert!(token.starts_with("lf_"), "{token}");
        let mut server_took = Duration::from_millis(80);
        for k in 0..(trials / 4).max(2) {
            let month = month_of(trials + k);
            let mut facts = String::from("uscc,month,revenue,tax\n");
            for n in 1..=ENTERPRISES {
                facts.push_str(&format!("{},{month},{},{}\n", uscc(n), n + k, n % 5));
            }
            imported.push(month);
            let (server, addr) = serve(&db.url);
            let after = Duration::from_micros(rng.below(server_took.as_micros() as u64 * 11 / 10 + 1));
            let answered = post_and_kill(server, &addr, &token, &facts, after);
            if let Some(d) = answered {
                server_took = d;
            }
            eprintln!(
                "{} server trial {k}: {month} {} after {after:?}",
                db.engine,
                if answered.is_some() { "answered" } else { "killed" }
            );
        }
        // After the crashes, a process starts as after a power cut, and finds everything whole.
        let app = App::open(&db.url).await.unwrap();
        if db.engine == "sqlite" {
            sqlx::any::install_default_drivers();
            let check: String = sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
                .fetch_one(&mut <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap())
                .await
                .unwrap();
            assert_eq!(check, "ok");
        }
        // One registry import's names throughout (the setup's, or one trial's).
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM enterprises ORDER BY id").fetch_all(&mut conn).await.unwrap();
        let generation = |name: &str| name.split_once('-').map(|(_, g)| g.to_string());
        let first = generation(&names[0]);
        assert!(names.iter().all(|n| generation(n) == first), "{}: registry imports mixed: {:?} …", db.engine, &names[..3]);
        for trial in &projects {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects WHERE code LIKE $1")
                .bind(format!("T{trial}-%"))
                .fetch_one(&mut conn)
                .await
                .unwrap();
            assert!(n == 0 || n == 50, "{}: trial {trial}'s projects: {n} of 50", db.engine);
        }
        drop(conn);
        for month in &imported {
            let n = facts_of(&db.url, *month).await;
            assert!(n == 0 || n == i64::from(ENTERPRISES), "{}: {month} has {n} of {ENTERPRISES} rows", db.engine);
        }
        let drifted = testkit::drifted_aggregates(&app.store, &app.plan).await;
        assert!(drifted.is_empty(), "{}: the aggregates of {drifted:?} drifted", db.engine);
        // Each ticket escalated at most once, with its one history line.
        for t in app.tickets(&op, &service::TicketQuery::default()).await.unwrap().iter() {
            let detail = app.ticket(&op, &t.ticket.number).await.unwrap();
            let escalations = detail.events.iter().filter(|e| e.step == domain::services::TicketStep::Escalate).count();
            assert!(escalations <= 1, "{}", t.ticket.number);
        }
        let verified = app.verify_audit(&op).await.unwrap();
        assert!(verified.is_ok(), "{}: {verified:?}", db.engine);
        app.store.close().await;
    }
}

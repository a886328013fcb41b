//! Two `leapfrog serve` processes on one PostgreSQL database, started and driven at once, as
//! several nodes behind a reverse proxy are: migrations, sessions, views cached on one node after
//! a write on the other, ticket numbers, and two people changing the same thing at once.

use std::io::{BufRead, Read, Write};
use std::process::{Child, Command, Stdio};

use testkit::uscc;

/// A running `leapfrog serve`, stopped when dropped.
struct Node {
    child: Child,
    addr: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What every process of the installation shares: the database and the audit key.
fn leapfrog(db: &str, key: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leapfrog"));
    c.env("LEAPFROG_DATABASE_URL", db).env("LEAPFROG_AUDIT_KEY_FILE", key).env_remove("LEAPFROG_AUDIT_CHECKPOINT");
    c
}

fn start(db: &str, key: &std::path::Path) -> Node {
    let mut child = leapfrog(db, key)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let addr = first.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_else(|| panic!("{first}")).to_string();
    Node { child, addr }
}

fn cli(db: &str, key: &std::path::Path, args: &[&str]) -> String {
    let out = leapfrog(db, key).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

struct Answer {
    status: u16,
    head: String,
    body: String,
}

/// One HTTP/1.1 request on its own connection.
fn http(node: &Node, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut conn = std::net::TcpStream::connect(&node.addr).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n", node.addr, body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    conn.write_all(req.as_bytes()).unwrap();
    conn.write_all(body).unwrap();
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { unchunk(rest) } else { rest.to_string() };
    Answer { status, head: head.to_string(), body }
}

fn unchunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
    out
}

fn json(a: &Answer) -> serde_json::Value {
    serde_json::from_str(&a.body).unwrap_or_else(|e| panic!("{e}: {} {}", a.status, a.body))
}

#[tokio::test]
async fn two_nodes_on_one_database_agree_and_never_overwrite_each_other() {
    let Some(pg) = testkit::postgres().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("audit-key");
    let db = pg.url.clone();

    // Both start on the new database at once: each migration is applied once, by one of them.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| start(&db, &key));
        let b = s.spawn(|| start(&db, &key));
        (a.join().unwrap(), b.join().unwrap())
    });
    for node in [&a, &b] {
        assert_eq!(http(node, "GET", "/healthz", &[], b"").status, 200);
    }

    // Accounts and the registry from the command line, a third process.
    let mut reg = String::from("uscc,name,zone,industry\n");
    for n in 1..=3 {
        reg.push_str(&format!("{},企业{n},etdz,optoelectronics\n", uscc(n)));
    }
    let reg_file = dir.path().join("e.csv");
    std::fs::write(&reg_file, reg).unwrap();
    cli(&db, &key, &["import", "enterprises", reg_file.to_str().unwrap()]);
    let password = |out: String| {
        let after = out.split("initial password: ").nth(1).unwrap_or_else(|| panic!("{out}"));
        after.lines().next().unwrap().trim().to_string()
    };
    let jfj = password(cli(&db, &key, &["user", "add", "jfj", "--name", "经发局", "--role", "coordinator"]));
    cli(&db, &key, &["user", "add", "economy", "--name", "经发局业务科", "--role", "department", "--scope", "economy"]);
    cli(&db, &key, &["user", "add", "etdz", "--name", "经开组团", "--role", "zone", "--scope", "etdz"]);
    let token = |login: &str| format!("Bearer {}", cli(&db, &key, &["token", "create", login, "--label", "nodes"]).trim());
    let (coordinator, economy, zone) = (token("jfj"), token("economy"), token("etdz"));

    // A session opened on one node is a session on the other.
    let csrf = "nodes-login-csrf";
    let encoded: String =
        jfj.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let form = format!("login=jfj&password={encoded}&csrf={csrf}");
    let login = http(
        &a,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", &format!("lf_login_csrf={csrf}"))],
        form.as_bytes(),
    );
    assert_eq!(login.status, 303, "{}", login.body);
    let session = login
        .head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().starts_with("set-cookie: lf_session=").then(|| l[12..].split(';').next().unwrap().to_string())
        })
        .unwrap_or_else(|| panic!("{}", login.head));
    for node in [&a, &b] {
        let page = http(node, "GET", "/account/password", &[("Cookie", &session)], b"");
        assert_eq!(page.status, 200, "signed in on {}", node.addr);
    }
    assert_eq!(http(&b, "GET", "/account/password", &[], b"").status, 303, "and not without the cookie");

    // A view cached on B is recomputed right after a write on A.
    let progress = "/api/v1/progress?indicator=revenue&month=2022-06&figures=provisional";
    let cell = |a: &Answer| {
        json(a)
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["industry"] == "optoelectronics" && r["zone"] == "etdz")
            .map(|r| r["ytd"].clone())
    };
    let facts = |wan: u32| format!("uscc,month,revenue\n{},2022-06,{wan}\n", uscc(1));
    assert_eq!(http(&a, "POST", "/api/v1/facts", &[("Authorization", &coordinator)], facts(100).as_bytes()).status, 200);
    assert_eq!(cell(&http(&b, "GET", progress, &[("Authorization", &coordinator)], b"")), Some(serde_json::json!(100.0)));
    assert_eq!(http(&a, "POST", "/api/v1/facts", &[("Authorization", &coordinator)], facts(250).as_bytes()).status, 200);
    assert_eq!(cell(&http(&b, "GET", progress, &[("Authorization", &coordinator)], b"")), Some(serde_json::json!(250.0)));

    // Tickets ordered on both nodes at once: every number once.
    let order = format!(r#"{{"item":"policy","uscc":"{}","answers":{{"topic":"技改补贴","question":"申报条件?"}}}}"#, uscc(2));
    let numbers: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|k| {
                let (node, order, coordinator) = (if k % 2 == 0 { &a } else { &b }, &order, &coordinator);
                s.spawn(move || {
                    let headers = [("Authorization", coordinator.as_str()), ("Content-Type", "application/json")];
                    let answer = http(node, "POST", "/api/v1/tickets", &headers, order.as_bytes());
                    assert_eq!(answer.status, 201, "{}", answer.body);
                    json(&answer)["number"].as_str().unwrap().to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let distinct: std::collections::BTreeSet<&String> = numbers.iter().collect();
    assert_eq!(distinct.len(), 16, "{numbers:?}");

    // The same ticket accepted on both nodes at once, from the same version: one wins, the other
    // is told it changed meanwhile; the ticket was accepted once.
    let number = &numbers[0];
    let ticket = json(&http(&a, "GET", &format!("/api/v1/tickets/{number}"), &[("Authorization", &coordinator)], b""));
    let version = ticket["version"].as_i64().unwrap_or_else(|| ticket["ticket"]["version"].as_i64().unwrap());
    let step = format!(r#"{{"step":"accept","version":{version}}}"#);
    let path = format!("/api/v1/tickets/{number}/steps");
    let statuses: Vec<(u16, String)> = std::thread::scope(|s| {
        let one = s.spawn(|| {
            let h = [("Authorization", coordinator.as_str()), ("Content-Type", "application/json")];
            let r = http(&a, "POST", &path, &h, step.as_bytes());
            (r.status, r.body)
        });
        let two = s.spawn(|| {
            let h = [("Authorization", economy.as_str()), ("Content-Type", "application/json")];
            let r = http(&b, "POST", &path, &h, step.as_bytes());
            (r.status, r.body)
        });
        vec![one.join().unwrap(), two.join().unwrap()]
    });
    let mut codes: Vec<u16> = statuses.iter().map(|(s, _)| *s).collect();
    codes.sort();
    assert_eq!(codes, vec![200, 409], "{statuses:?}");
    let refused = &statuses.iter().find(|(s, _)| *s == 409).unwrap().1;
    assert!(refused.contains("error"), "a clear conflict: {refused}");
    let after = http(&b, "GET", &format!("/api/v1/tickets/{number}"), &[("Authorization", &coordinator)], b"");
    assert_eq!(after.body.matches("\"accept\"").count(), 1, "accepted once: {}", after.body);

    // A zone's month, submitted, then approved on A and returned on B at once: one step wins.
    let submit = http(&a, "POST", "/api/v1/submissions/etdz/2022-06/submit", &[("Authorization", &zone)], b"");
    assert_eq!(submit.status, 200, "{}", submit.body);
    let steps: Vec<(u16, String)> = std::thread::scope(|s| {
        let approve = s.spawn(|| {
            let r = http(&a, "POST", "/api/v1/submissions/etdz/2022-06/approve", &[("Authorization", &coordinator)], b"");
            (r.status, r.body)
        });
        let back = s.spawn(|| {
            let h = [("Authorization", coordinator.as_str()), ("Content-Type", "application/json")];
            let r = http(&b, "POST", "/api/v1/submissions/etdz/2022-06/return", &h, r#"{"reason":"数据待核"}"#.as_bytes());
            (r.status, r.body)
        });
        vec![approve.join().unwrap(), back.join().unwrap()]
    });
    let mut codes: Vec<u16> = steps.iter().map(|(s, _)| *s).collect();
    codes.sort();
    assert_eq!(codes, vec![200, 409], "{steps:?}");

    // Whatever the nodes did together, the trail is one unbroken chain.
    drop((a, b));
    let verified = cli(&db, &key, &["audit", "verify"]);
    assert!(verified.contains("intact"), "{verified}");
}

//! `/metrics` in Prometheus' text format: requests and their latencies by route, what was
//! imported, the service queues and overdue tickets, how often kept views were used, and the
//! process's memory. Open to an administrator, or to a scraper holding the metrics token
//! (`LEAPFROG_METRICS_TOKEN`), which opens nothing else.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use service::App;

use crate::auth::Authed;
use crate::error::WebError;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 13] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The methods counted apart; any other is counted as `OTHER`.
const METHODS: [&str; 3] = ["GET", "POST", "HEAD"];

/// The statuses counted apart; any other is counted as `other`.
const STATUSES: [u16; 18] = [200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422, 500, 503];

/// One method of one route: counts by status and by latency bucket, all atomic, so that counting
/// takes no lock and allocates nothing on the way of a request.
#[derive(Default)]
struct RouteStats {
    by_status: [AtomicU64; STATUSES.len() + 1],
    /// Requests at or under each bound (not yet cumulative).
    buckets: [AtomicU64; BUCKETS.len()],
    micros: AtomicU64,
    count: AtomicU64,
}

/// What the requests of this process have been, by method and route (the route as registered,
/// `/tickets/{number}`, so that the labels stay few).
pub struct Requests {
    /// Registered routes by path, as indexes into `names`; the last name is for requests that
    /// matched none.
    routes: HashMap<&'static str, usize>,
    names: Vec<&'static str>,
    /// Per route, per method (`METHODS` then other).
    stats: Vec<RouteStats>,
    in_flight: AtomicI64,
}

impl Requests {
    /// Counters for every (method, path) the router serves.
    pub fn new(served: &[(&'static str, &'static str)]) -> Requests {
        let mut names: Vec<&'static str> = served.iter().map(|(_, path)| *path).collect();
        names.sort_unstable();
        names.dedup();
        names.push("(unmatched)");
        let routes = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let stats = (0..names.len() * (METHODS.len() + 1)).map(|_| RouteStats::default()).collect();
        Requests { routes, names, stats, in_flight: AtomicI64::new(0) }
    }

    fn record(&self, method: &str, route: Option<&str>, status: u16, seconds: f64) {
        let r = route.and_then(|p| self.routes.get(p).copied()).unwrap_or(self.names.len() - 1);
        let m = METHODS.iter().position(|x| *x == method).unwrap_or(METHODS.len());
        let stats = &self.stats[r * (METHODS.len() + 1) + m];
        let s = STATUSES.iter().position(|x| *x == status).unwrap_or(STATUSES.len());
        stats.by_status[s].fetch_add(1, Ordering::Relaxed);
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            stats.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        stats.micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        stats.count.fetch_add(1, Ordering::Relaxed);
    }

    /// (method, route, stats) of every method of every route that has answered something.
    fn used(&self) -> impl Iterator<Item = (&'static str, &'static str, &RouteStats)> {
        self.stats.iter().enumerate().filter(|(_, s)| s.count.load(Ordering::Relaxed) > 0).map(|(i, s)| {
            let (r, m) = (i / (METHODS.len() + 1), i % (METHODS.len() + 1));
            (METHODS.get(m).copied().unwrap_or("OTHER"), self.names[r], s)
        })
    }
}

/// Counts and times every request (the middleware outside all others but the request id's).
pub async fn measure(State(requests): State<Arc<Requests>>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let start = Instant::now();
    requests.in_flight.fetch_add(1, Ordering::Relaxed);
    let res = next.run(req).await;
    requests.in_flight.fetch_sub(1, Ordering::Relaxed);
    requests.record(
        method.as_str(),
        route.as_ref().map(MatchedPath::as_str),
        res.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    res
}

/// GET /metrics
pub async fn metrics(
    State(app): State<App>,
    axum::Extension(requests): axum::Extension<Arc<Requests>>,
    headers: HeaderMap,
    authed: Option<Authed>,
) -> Result<Response, WebError> {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|b| app.is_metrics_token(b)) {
        let Some(authed) = authed else {
            return Err(WebError {
                status: axum::http::StatusCode::UNAUTHORIZED,
                message: "请登录,或携带运行指标令牌 / sign in, or send the metrics token".into(),
            });
        };
        app.require_metrics(&authed.caller)?;
    }
    let queues = app.ticket_queues().await?;
    let mut out = String::with_capacity(8 << 10);
    write_requests(&mut out, &requests);
    write_imports(&mut out, &app);
    write_queues(&mut out, &queues);
    write_caches(&mut out, &app);
    write_process(&mut out);
    let mut res = out.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    Ok(res)
}

/// A label value as the text format wants it.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn write_requests(out: &mut String, requests: &Requests) {
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    family(out, "leapfrog_http_requests_total", "counter", "Requests answered, by method, route and status.");
    for (method, route, stats) in requests.used() {
        let route = label(route);
        for (k, n) in stats.by_status.iter().map(load).enumerate().filter(|(_, n)| *n > 0) {
            let status = STATUSES.get(k).map_or("other".to_string(), u16::to_string);
            let _ =
                writeln!(out, "leapfrog_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}");
        }
    }
    family(out, "leapfrog_http_request_duration_seconds", "histogram", "Time to answer a request, by method and route.");
    for (method, route, stats) in requests.used() {
        let route = label(route);
        let mut below = 0;
        for (bound, n) in BUCKETS.iter().zip(stats.buckets.iter().map(load)) {
            below += n;
            let _ = writeln!(
                out,
                "leapfrog_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{bound}\"}} {below}"
            );
        }
        let (count, sum) = (load(&stats.count), load(&stats.micros) as f64 / 1e6);
        let _ = writeln!(
            out,
            "leapfrog_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(out, "leapfrog_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {sum}");
        let _ = writeln!(out, "leapfrog_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {count}");
    }
    family(out, "leapfrog_http_requests_in_flight", "gauge", "Requests being answered now.");
    let _ = writeln!(out, "leapfrog_http_requests_in_flight {}", requests.in_flight.load(Ordering::Relaxed));
}

fn write_imports(out: &mut String, app: &App) {
    let imports = app.imports_counted();
    family(out, "leapfrog_imports_total", "counter", "Files imported by this process, by kind.");
    for (kind, files, _) in &imports {
        let _ = writeln!(out, "leapfrog_imports_total{{kind=\"{kind}\"}} {files}");
    }
    family(out, "leapfrog_import_rows_total", "counter", "Rows imported by this process, by kind of file.");
    for (kind, _, rows) in &imports {
        let _ = writeln!(out, "leapfrog_import_rows_total{{kind=\"{kind}\"}} {rows}");
    }
}

fn write_queues(out: &mut String, queues: &[service::QueueLength]) {
    family(out, "leapfrog_tickets_open", "gauge", "Open service tickets, by department and state.");
    for q in queues {
        let _ = writeln!(
            out,
            "leapfrog_tickets_open{{department=\"{}\",state=\"{}\"}} {}",
            label(&q.department),
            q.state.code(),
            q.open
        );
    }
    family(out, "leapfrog_tickets_overdue", "gauge", "Open service tickets past their time limit, by department.");
    let mut overdue: BTreeMap<&str, u64> = BTreeMap::new();
    for q in queues {
        *overdue.entry(&q.department).or_default() += q.overdue;
    }
    for (department, n) in overdue {
        let _ = writeln!(out, "leapfrog_tickets_overdue{{department=\"{}\"}} {n}", label(department));
    }
}

fn write_caches(out: &mut String, app: &App) {
    let usage = app.cache_use();
    family(out, "leapfrog_cache_hits_total", "counter", "Computed views found in memory, by view.");
    for u in &usage {
        let _ = writeln!(out, "leapfrog_cache_hits_total{{cache=\"{}\"}} {}", u.cache, u.hits);
    }
    family(out, "leapfrog_cache_misses_total", "counter", "Computed views that had to be computed, by view.");
    for u in &usage {
        let _ = writeln!(out, "leapfrog_cache_misses_total{{cache=\"{}\"}} {}", u.cache, u.misses);
    }
}

/// Resident and peak memory, where the system tells (Linux).
fn write_process(out: &mut String) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return };
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    for (name, field, help) in [
        ("process_resident_memory_bytes", "VmRSS:", "Resident memory."),
        ("leapfrog_process_peak_resident_memory_bytes", "VmHWM:", "The most resident memory so far."),
    ] {
        if let Some(k) = kib(field) {
            family(out, name, "gauge", help);
            let _ = writeln!(out, "{name} {}", k * 1024);
        }
    }
}

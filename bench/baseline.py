"""Times SQL baselines over a Leapfrog SQLite database, in the sqlite3 tool and in DuckDB.

    python3 bench/baseline.py DB SQL_FILE OUT_JSON [NAME=VALUE ...]

SQL_FILE holds one or more views, each starting at a line `-- view: NAME` (a file without such a
line is one view, "all"); every NAME in the statements is replaced by its VALUE, longest name
first. Each view is run three times in the `sqlite3` tool on DB (`.timer on`, the statements'
times summed) and in DuckDB (pip `duckdb`, when installed) over the tables the statements name,
loaded in memory from DB first (loading not timed); the best run counts. Writes
{view: {"sqlite3_s": …, "duckdb_s": …}} to OUT_JSON and prints one line a view.
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
import time

RUNS = 3


def views_of(text):
    views, name, lines = {}, "all", []
    for line in text.splitlines():
        m = re.match(r"--\s*view:\s*(\S+)", line)
        if m:
            if "".join(lines).strip():
                views[name] = "\n".join(lines)
            name, lines = m.group(1), []
        elif not line.strip().startswith("--"):
            # Comments are dropped: statements are split at semicolons, which prose may hold.
            lines.append(line)
    if "".join(lines).strip():
        views[name] = "\n".join(lines)
    return views


def in_sqlite3(db, sql):
    script = ".timer on\n.output /dev/null\n" + sql + "\n"
    best = None
    for _ in range(RUNS):
        out = subprocess.run(["sqlite3", db], input=script, capture_output=True, text=True, check=True)
        times = [float(t) for t in re.findall(r"real ([0-9.]+)", out.stdout + out.stderr)]
        if not times:
            sys.exit(f"sqlite3 printed no time for:\n{sql}\n{out.stderr}")
        best = min(best or sum(times), sum(times))
    return best


def duck_tables(db, sql):
    src = sqlite3.connect(db)
    names = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [t for t in names if re.search(rf"\b{re.escape(t)}\b", sql)]


def in_duckdb(db, views, scratch):
    try:
        import duckdb
    except ImportError:
        return None
    con = duckdb.connect()
    src = sqlite3.connect(db)
    loaded = set()
    times = {}
    for name, sql in views.items():
        for t in duck_tables(db, sql):
            if t in loaded:
                continue
            # Through CSV written by the sqlite3 tool, with the column types of the SQLite table.
            cols = [(c[1], c[2].upper()) for c in src.execute(f"PRAGMA table_info({t})")]
            kinds = ["VARCHAR" if "TEXT" in ty else "DOUBLE" if "DOUBLE" in ty or "REAL" in ty else "BIGINT" for _, ty in cols]
            con.execute(f"CREATE TABLE {t} ({', '.join(f'{c} {k}' for (c, _), k in zip(cols, kinds))})")
            csv = os.path.join(scratch, f"duck-{t}.csv")
            with open(csv, "w") as f:
                subprocess.run(["sqlite3", "-csv", db, f"SELECT * FROM {t}"], stdout=f, check=True)
            if os.path.getsize(csv):
                spec = ", ".join(f"'{c}': '{k}'" for (c, _), k in zip(cols, kinds))
                con.execute(f"INSERT INTO {t} SELECT * FROM read_csv('{csv}', header = false, columns = {{{spec}}})")
            os.remove(csv)
            loaded.add(t)
        statements = [s for s in sql.split(";") if s.strip()]
        best = None
        for _ in range(RUNS):
            t0 = time.perf_counter()
            for s in statements:
                con.execute(s).fetchall()
            spent = time.perf_counter() - t0
            best = spent if best is None else min(best, spent)
        times[name] = best
    return times


def main():
    db, sql_file, out = sys.argv[1:4]
    params = dict(a.split("=", 1) for a in sys.argv[4:])
    text = open(sql_file).read()
    for k in sorted(params, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(k)}\b", params[k], text)
    views = views_of(text)
    duck = in_duckdb(db, views, os.path.dirname(os.path.abspath(out))) or {}
    result = {}
    for name, sql in views.items():
        lite = in_sqlite3(db, sql)
        result[name] = {"sqlite3_s": round(lite, 4), "duckdb_s": round(duck[name], 4) if name in duck else None}
        d = f"   DuckDB {duck[name] * 1000:.1f} ms" if name in duck else ""
        print(f"  SQL {name:<10} sqlite3 {lite * 1000:.1f} ms{d}")
    json.dump(result, open(out, "w"), indent=1)


if __name__ == "__main__":
    main()

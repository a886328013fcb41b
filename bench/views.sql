-- What the cockpit, progress, drill-down and dispatch views show, written as plain SQL over
-- Leapfrog's own tables (facts, enterprises, projects and theirs): the baselines `bench/views`
-- times in sqlite3 and in DuckDB. Every statement reads the raw rows (none of the aggregates
-- Leapfrog keeps), as a user of either tool would. `bench/views` replaces MONTH (yyyymm),
-- YEAR01 (January of MONTH's year), PREV (MONTH a year before), PREV01, YEAR, INDUSTRY and ZONES
-- (the quoted codes of a top-level zone and the zones under it).
-- A line `-- view: NAME` starts the statements of one view; its time is their sum.

-- view: progress
-- Revenue by industry and zone: the month, the year to date, and both a year before.
SELECT e.industry, e.zone,
  SUM(CASE WHEN f.month = MONTH THEN f.v_revenue END),
  SUM(CASE WHEN f.month >= YEAR01 THEN f.v_revenue END),
  SUM(CASE WHEN f.month = PREV THEN f.v_revenue END),
  SUM(CASE WHEN f.month <= PREV THEN f.v_revenue END),
  COUNT(DISTINCT CASE WHEN f.month >= YEAR01 THEN f.enterprise_id END)
FROM facts f JOIN enterprises e ON e.id = f.enterprise_id
WHERE (f.month BETWEEN YEAR01 AND MONTH OR f.month BETWEEN PREV01 AND PREV) AND f.v_revenue IS NOT NULL
GROUP BY e.industry, e.zone;

-- view: cockpit
-- The progress table above, the year's trend month by month against the year before, the
-- enterprises whose last twelve months of revenue reach 10 亿 (100,000 万元, stored ×10^4), and
-- the major industrial projects started this year.
SELECT e.industry, e.zone,
  SUM(CASE WHEN f.month = MONTH THEN f.v_revenue END),
  SUM(CASE WHEN f.month >= YEAR01 THEN f.v_revenue END),
  SUM(CASE WHEN f.month = PREV THEN f.v_revenue END),
  SUM(CASE WHEN f.month <= PREV THEN f.v_revenue END),
  COUNT(DISTINCT CASE WHEN f.month >= YEAR01 THEN f.enterprise_id END)
FROM facts f JOIN enterprises e ON e.id = f.enterprise_id
WHERE (f.month BETWEEN YEAR01 AND MONTH OR f.month BETWEEN PREV01 AND PREV) AND f.v_revenue IS NOT NULL
GROUP BY e.industry, e.zone;
SELECT f.month, SUM(f.v_revenue) FROM facts f
WHERE f.month BETWEEN PREV01 AND YEAR12 GROUP BY f.month;
SELECT COUNT(*) FROM (
  SELECT f.enterprise_id FROM facts f
  WHERE f.month > PREV AND f.month <= MONTH
  GROUP BY f.enterprise_id HAVING SUM(f.v_revenue) >= 100000 * 10000
) big;
SELECT COUNT(*) FROM projects
WHERE total_investment >= 1000000 AND actual_start BETWEEN YEAR01 AND MONTH;

-- view: drill
-- The largest cell's enterprises (an industry in a top-level zone and the zones under it), largest year to date first: the first page of 100 and the count.
SELECT COUNT(*) FROM enterprises e
WHERE e.industry = 'INDUSTRY' AND e.zone IN (ZONES) AND EXISTS
  (SELECT 1 FROM facts f WHERE f.enterprise_id = e.id AND f.month BETWEEN PREV01 AND MONTH AND f.v_revenue IS NOT NULL);
SELECT e.uscc, e.name,
  SUM(CASE WHEN f.month = MONTH THEN f.v_revenue END),
  SUM(CASE WHEN f.month >= YEAR01 THEN f.v_revenue END) AS ytd,
  SUM(CASE WHEN f.month <= PREV THEN f.v_revenue END)
FROM facts f JOIN enterprises e ON e.id = f.enterprise_id
WHERE f.month BETWEEN PREV01 AND MONTH AND f.v_revenue IS NOT NULL
  AND e.industry = 'INDUSTRY' AND e.zone IN (ZONES)
GROUP BY e.uscc, e.name
ORDER BY ytd DESC NULLS LAST, e.uscc LIMIT 100;

-- view: dispatch
-- Every project with the year's plan, the investment reported to the month, its requirements
-- overdue and problems open at the month's end, and the pace light those give; then the lights
-- counted by zone.
WITH
ytd AS (SELECT code, SUM(investment) AS done FROM project_reports WHERE month BETWEEN YEAR01 AND MONTH GROUP BY code),
late AS (SELECT code, COUNT(*) AS n FROM project_requirements
         WHERE planned <= 'MONTH_END' AND (done IS NULL OR done > 'MONTH_END') GROUP BY code),
open AS (SELECT code, COUNT(*) AS n FROM project_problems
         WHERE month <= MONTH AND (resolved_on IS NULL OR resolved_on > 'MONTH_END') GROUP BY code),
lit AS (
  SELECT p.code, p.name, p.zone, p.status, pl.planned, COALESCE(y.done, 0) AS done,
    COALESCE(l.n, 0) AS late, COALESCE(o.n, 0) AS open,
    CASE WHEN pl.planned IS NULL OR pl.planned = 0 THEN NULL
         WHEN COALESCE(y.done, 0) * 12 < pl.planned * (MONTH % 100) * 0.8 THEN 'red'
         WHEN COALESCE(y.done, 0) * 12 < pl.planned * (MONTH % 100) THEN 'yellow'
         ELSE 'green' END AS pace
  FROM projects p
  LEFT JOIN project_plans pl ON pl.code = p.code AND pl.year = YEAR
  LEFT JOIN ytd y ON y.code = p.code
  LEFT JOIN late l ON l.code = p.code
  LEFT JOIN open o ON o.code = p.code
)
SELECT * FROM lit ORDER BY pace, zone, code;
SELECT zone, COUNT(*), SUM(CASE WHEN pace = 'red' THEN 1 ELSE 0 END), SUM(CASE WHEN pace = 'yellow' THEN 1 ELSE 0 END)
FROM (
  SELECT p.zone,
    CASE WHEN pl.planned IS NULL OR pl.planned = 0 THEN NULL
         WHEN COALESCE(y.done, 0) * 12 < pl.planned * (MONTH % 100) * 0.8 THEN 'red'
         WHEN COALESCE(y.done, 0) * 12 < pl.planned * (MONTH % 100) THEN 'yellow'
         ELSE 'green' END AS pace
  FROM projects p
  LEFT JOIN project_plans pl ON pl.code = p.code AND pl.year = YEAR
  LEFT JOIN (SELECT code, SUM(investment) AS done FROM project_reports WHERE month BETWEEN YEAR01 AND MONTH GROUP BY code) y
    ON y.code = p.code
) GROUP BY zone;

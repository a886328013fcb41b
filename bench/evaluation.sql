-- The per-mu evaluation of PRODUCT.md §4 with the default plan's method, written as one SQL query
-- over Leapfrog's own tables (facts, enterprises, projects, evaluation_adjustments): the baseline
-- `bench/evaluation` times against `leapfrog evaluate`, in sqlite3 and in DuckDB. YEAR is
-- replaced by the year. Amounts are stored in 1/10^decimals of their unit (万元 ×10^4, energy and
-- emissions ×10^3, employees ×1). Portable SQL (no GREATEST, which SQLite lacks).
WITH
annual AS (
  SELECT e.uscc, e.above_scale AS above, e.land_mu_milli / 1000.0 AS land, e.tags, e.established,
    SUM(f.v_revenue) / 10000.0 AS revenue, COUNT(f.v_revenue) AS n_revenue,
    SUM(f.v_value_added) / 10000.0 AS va, COUNT(f.v_value_added) AS n_va,
    SUM(f.v_tax) / 10000.0 AS tax, COUNT(f.v_tax) AS n_tax,
    SUM(f.v_energy) / 1000.0 AS energy, COUNT(f.v_energy) AS n_energy,
    SUM(f.v_emissions) / 1000.0 AS emissions, COUNT(f.v_emissions) AS n_emissions,
    SUM(f.v_rd) / 10000.0 AS rd, COUNT(f.v_rd) AS n_rd,
    AVG(f.v_employees) AS employees, COUNT(f.v_employees) AS n_employees,
    COUNT(f.v_investment) AS n_investment
  FROM facts f JOIN enterprises e ON e.id = f.enterprise_id
  WHERE f.month BETWEEN YEAR01 AND YEAR12
    AND e.industry NOT IN ('digital-economy', 'aviation-logistics', 'green-finance', 'headquarters', 'cultural-creative', 'health')
    AND COALESCE(e.land_mu_milli, 0) >= 3000
  GROUP BY e.uscc, e.above_scale, e.land_mu_milli, e.tags, e.established
),
subjects AS (
  SELECT a.*,
    CASE WHEN a.tags LIKE '%公用事业%' THEN 1
         WHEN CAST(substr(CAST(a.established AS TEXT), 1, 4) AS INTEGER) + 2 > YEAR THEN 1
         WHEN a.uscc IN (SELECT investor_uscc FROM projects
                         WHERE investor_uscc IS NOT NULL AND total_investment >= 1000000
                           AND industry IN ('optoelectronics', 'smart-manufacturing', 'new-materials', 'biomedicine', 'silicone', 'textiles')
                           AND actual_start <= YEAR12 AND (actual_completion IS NULL OR actual_completion > YEAR12)) THEN 1
         ELSE 0 END AS exempt,
    COALESCE((SELECT points / 100.0 FROM evaluation_adjustments j WHERE j.year = YEAR AND j.uscc = a.uscc), 0) AS adjustment
  FROM annual a
  WHERE a.n_revenue + a.n_va + a.n_tax + a.n_energy + a.n_emissions + a.n_rd + a.n_employees + a.n_investment > 0
),
-- One row per enterprise and indicator of its scale: numerator and denominator when both are
-- there and the denominator is not zero.
vals AS (
  SELECT uscc, above, exempt, 'tax_per_mu' AS code, 30.0 AS weight,
    CASE WHEN n_tax > 0 AND land <> 0 THEN tax END AS num, CASE WHEN n_tax > 0 AND land <> 0 THEN land END AS den FROM subjects WHERE above = 1
  UNION ALL SELECT uscc, above, exempt, 'va_per_mu', 20.0,
    CASE WHEN n_va > 0 AND land <> 0 THEN va END, CASE WHEN n_va > 0 AND land <> 0 THEN land END FROM subjects WHERE above = 1
  UNION ALL SELECT uscc, above, exempt, 'va_per_energy', 20.0,
    CASE WHEN n_va > 0 AND n_energy > 0 AND energy <> 0 THEN va END, CASE WHEN n_va > 0 AND n_energy > 0 AND energy <> 0 THEN energy END FROM subjects WHERE above = 1
  UNION ALL SELECT uscc, above, exempt, 'va_per_emission', 10.0,
    CASE WHEN n_va > 0 AND n_emissions > 0 AND emissions <> 0 THEN va END, CASE WHEN n_va > 0 AND n_emissions > 0 AND emissions <> 0 THEN emissions END FROM subjects WHERE above = 1
  UNION ALL SELECT uscc, above, exempt, 'labour_productivity', 10.0,
    CASE WHEN n_va > 0 AND n_employees > 0 AND employees <> 0 THEN va END, CASE WHEN n_va > 0 AND n_employees > 0 AND employees <> 0 THEN employees END FROM subjects WHERE above = 1
  UNION ALL SELECT uscc, above, exempt, 'rd_intensity', 10.0,
    CASE WHEN n_rd > 0 AND n_revenue > 0 AND revenue <> 0 THEN rd END, CASE WHEN n_rd > 0 AND n_revenue > 0 AND revenue <> 0 THEN revenue END FROM subjects WHERE above = 1
  UNION ALL SELECT uscc, above, exempt, 'tax_per_mu', 70.0,
    CASE WHEN n_tax > 0 AND land <> 0 THEN tax END, CASE WHEN n_tax > 0 AND land <> 0 THEN land END FROM subjects WHERE above = 0
  UNION ALL SELECT uscc, above, exempt, 'revenue_per_mu', 30.0,
    CASE WHEN n_revenue > 0 AND land <> 0 THEN revenue END, CASE WHEN n_revenue > 0 AND land <> 0 THEN land END FROM subjects WHERE above = 0
),
-- The benchmark: the population's aggregate ratio (ungraded enterprises included).
benchmarks AS (
  SELECT above, code, SUM(num) / SUM(den) AS b FROM vals WHERE num IS NOT NULL GROUP BY above, code
),
raw AS (
  SELECT v.uscc, v.above, v.exempt, v.code, v.weight,
    CASE WHEN v.num IS NULL THEN NULL WHEN b.b > 0 THEN v.weight * (v.num / v.den) / b.b ELSE 0 END AS r
  FROM vals v LEFT JOIN benchmarks b ON b.above = v.above AND b.code = v.code
),
-- Floored at 0, capped at 3 × weight, kept to four decimals.
scored AS (
  SELECT uscc, above, exempt, code,
    CASE WHEN r IS NULL THEN NULL WHEN r < 0 THEN 0 WHEN r > 3 * weight THEN 3 * weight ELSE ROUND(r, 4) END AS score
  FROM raw
),
-- A missing indicator scores the mean of those who have it.
means AS (
  SELECT above, code, ROUND(COALESCE(AVG(score), 0), 4) AS mean FROM scored GROUP BY above, code
),
totals AS (
  SELECT s.uscc, s.above, s.exempt, ROUND(SUM(COALESCE(s.score, m.mean)) + MAX(j.adjustment), 4) AS total
  FROM scored s JOIN means m ON m.above = s.above AND m.code = s.code JOIN subjects j ON j.uscc = s.uscc
  GROUP BY s.uscc, s.above, s.exempt
),
ranked AS (
  SELECT uscc, above, total,
    ROW_NUMBER() OVER (PARTITION BY above ORDER BY total DESC, uscc) AS pos,
    COUNT(*) OVER (PARTITION BY above) AS n
  FROM totals WHERE exempt = 0
),
-- ceil(share × N), kept from float noise as Leapfrog keeps it.
bounds AS (
  SELECT r.*, CEIL(0.25 * n - 1e-9) AS a_to, CEIL(0.70 * n - 1e-9) AS b_to, CEIL(0.95 * n - 1e-9) AS c_to
  FROM ranked r
),
by_position AS (
  SELECT uscc, above, total,
    CASE WHEN pos <= a_to THEN 'A' WHEN pos <= b_to THEN 'B' WHEN pos <= c_to THEN 'C' ELSE 'D' END AS class
  FROM bounds
)
-- A total equal to that of the last of a better class joins it: the best class among equal totals.
SELECT uscc, CASE WHEN above = 1 THEN 'above' ELSE 'below' END AS scale, total, MIN(class) OVER (PARTITION BY above, total) AS class
FROM by_position
UNION ALL
SELECT uscc, CASE WHEN above = 1 THEN 'above' ELSE 'below' END, total, 'ungraded' FROM totals WHERE exempt = 1
ORDER BY uscc

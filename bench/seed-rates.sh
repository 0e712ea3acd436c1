#!/usr/bin/env bash
# Checks the seed's intended rates (lib/seed.ts, README "Seed data") with SQL on a seeded PostgreSQL:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DATABASE_PREFIX=rates_ npm run migrate
#   DATABASE_URL=... DATABASE_PREFIX=rates_ npm run seed -- --cases 10000
#   bench/seed-rates.sh rates_ 2026-11-02      # prefix, and the seed's anchor day as seeded (SEED_ANCHOR moved to today)
# The agencies' databases are separate, so the columns the checks need are copied into one scratch
# database (<prefix>check, dropped and re-created) and the rates computed there.
set -euo pipefail
PREFIX=${1:?database prefix}; ASOF=${2:?anchor day YYYY-MM-DD}
P="psql -X -q -v ON_ERROR_STOP=1 -h ${PGHOST:-127.0.0.1} -U ${PGUSER:-postgres}"
$P -d postgres -c "DROP DATABASE IF EXISTS ${PREFIX}check" -c "CREATE DATABASE ${PREFIX}check"
$P -d ${PREFIX}check -c "CREATE TABLE court_case (id uuid, case_type text, status text, court_name text, filed_date date, disposition_date date);
CREATE TABLE case_party (case_id uuid, person_id uuid, role text);
CREATE TABLE program_mandate (id uuid, case_id uuid, person_id uuid, program_type text, ordered_date date, due_date date, status text);
CREATE TABLE violation (id uuid, case_id uuid, person_id uuid, violation_type text, occurred_date date, finding text);
CREATE TABLE sanction (violation_id uuid, imposed_date date);
CREATE TABLE protective_order (case_id uuid, protected_person_id uuid, issued_date date);
CREATE TABLE referral (case_id uuid, person_id uuid, service_type text, referred_date date, status text);
CREATE TABLE program_enrollment (mandate_id uuid, case_id uuid, person_id uuid, program_type text, enrolled_date date, discharge_date date, discharge_outcome text);
CREATE TABLE shelter_stay (case_id uuid, person_id uuid, admitted_date date);
CREATE TABLE housing_application (case_id uuid, person_id uuid, applied_date date);"
copy() { $P -d "${PREFIX}$1" -c "\copy ($2) to stdout" | $P -d "${PREFIX}check" -c "\copy $3 from stdin"; }
copy courts "select id, case_type, status, court_name, filed_date, disposition_date from court_case" court_case
copy courts "select case_id, person_id, role from case_party" case_party
copy courts "select id, case_id, person_id, program_type, ordered_date, due_date, status from program_mandate" program_mandate
copy courts "select id, case_id, person_id, violation_type, occurred_date, finding from violation" violation
copy courts "select violation_id, imposed_date from sanction" sanction
copy courts "select case_id, protected_person_id, issued_date from protective_order" protective_order
copy courts "select case_id, person_id, service_type, referred_date, status from referral" referral
copy counseling "select mandate_id, case_id, person_id, program_type, enrolled_date, discharge_date, discharge_outcome from program_enrollment" program_enrollment
copy housing "select case_id, person_id, admitted_date from shelter_stay" shelter_stay
copy housing "select case_id, person_id, applied_date from housing_application" housing_application
$P -d ${PREFIX}check -v asof="'$ASOF'" <<'SQL'
\echo '1. Mandate compliance: mandates due by the as-of date, completed (discharged COMPLETED) on or before the due date'
SELECT coalesce(m.program_type, 'ALL') AS program_type, count(*) AS due,
       count(*) FILTER (WHERE e.discharge_outcome = 'COMPLETED' AND e.discharge_date <= m.due_date) AS on_time,
       round(100.0 * count(*) FILTER (WHERE e.discharge_outcome = 'COMPLETED' AND e.discharge_date <= m.due_date) / count(*), 1) AS pct
FROM program_mandate m LEFT JOIN program_enrollment e ON e.mandate_id = m.id
WHERE m.due_date <= :asof GROUP BY ROLLUP (m.program_type) ORDER BY 1;
SELECT c.court_name, count(*) AS due,
       round(100.0 * count(*) FILTER (WHERE e.discharge_outcome = 'COMPLETED' AND e.discharge_date <= m.due_date) / count(*), 1) AS pct
FROM program_mandate m JOIN court_case c ON c.id = m.case_id LEFT JOIN program_enrollment e ON e.mandate_id = m.id
WHERE m.due_date <= :asof GROUP BY 1 ORDER BY 1;
\echo '2. Recidivism: respondents of closed index cases with a mandate, disposed >= 12 months ago; new DV case filed or violation sustained within 12 months of disposition'
WITH idx AS (
  SELECT c.id, c.disposition_date, p.person_id,
         bool_and(m.status = 'COMPLETED') AS completed
  FROM court_case c
  JOIN case_party p ON p.case_id = c.id AND p.role IN ('DEFENDANT', 'RESPONDENT')
  JOIN program_mandate m ON m.case_id = c.id
  WHERE c.status = 'CLOSED' AND c.disposition_date <= (:asof)::date - 365
  GROUP BY c.id, c.disposition_date, p.person_id
), outcome AS (
  SELECT idx.*,
    EXISTS (SELECT 1 FROM case_party p2 JOIN court_case c2 ON c2.id = p2.case_id
            WHERE p2.person_id = idx.person_id AND p2.role IN ('DEFENDANT', 'RESPONDENT') AND c2.id <> idx.id
              AND c2.filed_date > idx.disposition_date AND c2.filed_date <= idx.disposition_date + 365) AS new_case,
    EXISTS (SELECT 1 FROM violation v WHERE v.person_id = idx.person_id AND v.finding = 'SUSTAINED'
              AND v.occurred_date > idx.disposition_date AND v.occurred_date <= idx.disposition_date + 365) AS violation
  FROM idx
)
SELECT CASE WHEN completed THEN 'completed' ELSE 'not completed' END AS program, count(*) AS respondents,
       count(*) FILTER (WHERE new_case OR violation) AS reoffended,
       round(100.0 * count(*) FILTER (WHERE new_case OR violation) / count(*), 1) AS pct,
       round(100.0 * count(*) FILTER (WHERE new_case) / count(*), 1) AS pct_new_case
FROM outcome GROUP BY ROLLUP (1) ORDER BY 1;
\echo '3. Re-victimization: protected persons of orders issued >= 12 months ago, named in a new case or a PO violation within 12 months'
WITH o AS (SELECT DISTINCT ON (protected_person_id) * FROM protective_order WHERE issued_date <= (:asof)::date - 365 ORDER BY protected_person_id, issued_date)
SELECT count(*) AS protected_persons,
  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM case_party p JOIN court_case c ON c.id = p.case_id WHERE p.person_id = o.protected_person_id
                                   AND p.role IN ('VICTIM', 'PETITIONER') AND c.id <> o.case_id AND c.filed_date > o.issued_date AND c.filed_date <= o.issued_date + 365)
                      OR EXISTS (SELECT 1 FROM violation v WHERE v.case_id = o.case_id AND v.violation_type = 'PROTECTIVE_ORDER_VIOLATION'
                                   AND v.occurred_date > o.issued_date AND v.occurred_date <= o.issued_date + 365)) AS revictimized,
  round(100.0 * count(*) FILTER (WHERE EXISTS (SELECT 1 FROM case_party p JOIN court_case c ON c.id = p.case_id WHERE p.person_id = o.protected_person_id
                                   AND p.role IN ('VICTIM', 'PETITIONER') AND c.id <> o.case_id AND c.filed_date > o.issued_date AND c.filed_date <= o.issued_date + 365)
                      OR EXISTS (SELECT 1 FROM violation v WHERE v.case_id = o.case_id AND v.violation_type = 'PROTECTIVE_ORDER_VIOLATION'
                                   AND v.occurred_date > o.issued_date AND v.occurred_date <= o.issued_date + 365)) / count(*), 1) AS pct
FROM o;
\echo '4. Victim service engagement: referrals >= 30 days old, admitted / applied (shelter) or enrolled (counseling) within 30 days'
SELECT r.service_type, c.court_name, count(*) AS referred,
  round(100.0 * count(*) FILTER (WHERE
    (r.service_type = 'COUNSELING' AND EXISTS (SELECT 1 FROM program_enrollment e WHERE e.case_id = r.case_id AND e.person_id = r.person_id AND e.mandate_id IS NULL AND e.enrolled_date <= r.referred_date + 30))
    OR (r.service_type = 'SHELTER' AND (EXISTS (SELECT 1 FROM shelter_stay s WHERE s.case_id = r.case_id AND s.person_id = r.person_id AND s.admitted_date <= r.referred_date + 30)
                                        OR EXISTS (SELECT 1 FROM housing_application a WHERE a.case_id = r.case_id AND a.person_id = r.person_id AND a.applied_date <= r.referred_date + 30)))) / count(*), 1) AS pct_within_30
FROM referral r JOIN court_case c ON c.id = r.case_id WHERE r.referred_date <= (:asof)::date - 30
GROUP BY ROLLUP (r.service_type, c.court_name) ORDER BY 1, 2;
\echo '5. Days from mandate to enrollment, by court (quartiles)'
SELECT c.court_name, count(*), percentile_disc(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY e.enrolled_date - m.ordered_date) AS q1_median_q3
FROM program_mandate m JOIN program_enrollment e ON e.mandate_id = m.id JOIN court_case c ON c.id = m.case_id GROUP BY 1 ORDER BY 1;
\echo '6. Days from violation to sanction, by court (quartiles)'
SELECT c.court_name, count(*), percentile_disc(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY s.imposed_date - v.occurred_date) AS q1_median_q3
FROM violation v JOIN sanction s ON s.violation_id = v.id JOIN court_case c ON c.id = v.case_id GROUP BY 1 ORDER BY 1;
\echo '7. Span: cases by filing year and status; violations by type'
SELECT extract(year FROM filed_date)::int AS year, count(*), count(*) FILTER (WHERE status = 'CLOSED') AS closed, count(*) FILTER (WHERE status = 'DISMISSED') AS dismissed FROM court_case GROUP BY 1 ORDER BY 1;
SELECT violation_type, finding, count(*) FROM violation GROUP BY 1, 2 ORDER BY 1, 2;
SQL
$P -d postgres -c "DROP DATABASE ${PREFIX}check"

/**
 * The whole case in one request (schema/operations/WholeCase.graphql, the shipped example): a
 * section per agency, withheld fields shown with their reasons.
 */
import { useMemo } from 'react';
import { useQuery } from 'urql';
import { WholeCaseDocument, type WholeCaseQuery } from './generated/graphql';
import { RecordTable, Value } from './fields';
import { WithheldFields, type Caller } from './withheld';
import { humanize } from './words';
import { OWNER_SCREENS, OwnerActions } from './OwnerActions';

export type WholeCase = NonNullable<WholeCaseQuery['case']>;

/** The notice 42 CFR 2.32 requires beside disclosed substance-use treatment records. */
export function Part2Notice({ texts }: { texts: string[] }) {
  return (
    <aside className="part2" role="note" aria-label="42 CFR Part 2 notice">
      <h3>42 CFR §2.32 notice: substance-use treatment records</h3>
      {texts.map((t) => (
        <p key={t}>{t}</p>
      ))}
    </aside>
  );
}

/** Beside a substance-use treatment record: the notice above applies (disclosed), or the rule in short (the provider's own). */
function Part2Inline({ disclosed }: { disclosed: boolean }) {
  return (
    <p className="part2-inline" role="note">
      <strong>42 CFR Part 2.</strong>{' '}
      {disclosed ? 'This substance-use treatment record was disclosed to you under 42 CFR part 2: the §2.32 notice above applies to it.' : SHORT_PART2}
    </p>
  );
}

const SHORT_PART2 =
  'Substance-use treatment records are protected by federal confidentiality rules (42 CFR part 2): use or disclose them only as those rules allow.';

/** Moves the focus to the case's heading when it first appears (a screen reader hears the new page). */
function focusOnce(element: HTMLHeadingElement | null) {
  if (element && !element.dataset.focused) {
    element.dataset.focused = 'yes';
    element.focus();
  }
}

export function CaseView({ id, caller, token }: { id: string; caller: Caller; token: string }) {
  const [result, reexecute] = useQuery({ query: WholeCaseDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const withheld = useMemo(() => new WithheldFields(result.error?.graphQLErrors, caller), [result.error, caller]);
  const notices = ((result.extensions as { redisclosureNotices?: string[] } | undefined)?.redisclosureNotices ?? []).filter((n) => typeof n === 'string');
  const c = result.data?.case;

  if (result.fetching && !c) return <p role="status">Loading the case…</p>;
  if (!c) {
    const message = result.error?.networkError?.message ?? withheld.other[0] ?? (result.data ? 'No such case, or it is not yours to see.' : 'The case could not be loaded.');
    return (
      <div role="alert" className="error-box">
        <h2>Case not shown</h2>
        <p>{message}</p>
        <p><a href="#/">Back to the caseload</a></p>
      </div>
    );
  }
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  return (
    <article aria-labelledby="case-title" className="case">
      <p className="crumbs"><a href="#/">← Caseload</a></p>
      <header className="case-head">
        <h1 id="case-title" tabIndex={-1} ref={focusOnce}>
          Case <Value withheld={withheld} path="case.docketNumber" value={c.docketNumber} />
        </h1>
        <dl className="facts">
          <Fact label="Type"><Value withheld={withheld} path="case.caseType" value={c.caseType} format="enum" /></Fact>
          <Fact label="Status"><Value withheld={withheld} path="case.status" value={c.status} format="enum" /></Fact>
          <Fact label="Court"><Value withheld={withheld} path="case.courtName" value={c.courtName} /></Fact>
          <Fact label="Filed"><Value withheld={withheld} path="case.filedDate" value={c.filedDate} format="date" /></Fact>
          <Fact label="Viewing as">{humanize(caller.role)}, {humanize(caller.agency)}, for {humanize(caller.purpose).toLowerCase()}</Fact>
        </dl>
        {OWNER_SCREENS[caller.agency] ? (
          <p className="jump">
            <button
              type="button"
              onClick={() => {
                const target = document.getElementById('owner-actions-title');
                target?.scrollIntoView({ block: 'start' });
                target?.focus();
              }}
            >
              {OWNER_SCREENS[caller.agency]} ↓
            </button>
          </p>
        ) : null}
        {result.fetching ? <p role="status" className="quiet">Refreshing…</p> : null}
      </header>

      {withheld.size > 0 ? (
        <details className="withheld-summary">
          <summary>
            {withheld.size} field{withheld.size > 1 ? 's' : ''} withheld from you in this case — why
          </summary>
          <ul>
            {withheld.all.map((w) => (
              <li key={w.path}>
                <code>{w.coordinate}</code> ({humanize(w.owner)}): {w.words}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {withheld.other.length > 0 ? (
        <div role="alert" className="error-box">
          {withheld.other.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : null}
      {notices.length > 0 ? <Part2Notice texts={notices} /> : null}

      <div className="sections">
        <CourtsSection c={c} withheld={withheld} disclosed={notices.length > 0} />
        <HousingSection c={c} withheld={withheld} />
        <CounselingSection c={c} withheld={withheld} disclosed={notices.length > 0} />
        <ProbationSection c={c} withheld={withheld} />
      </div>

      <OwnerActions wholeCase={c} caller={caller} token={token} onRecorded={refresh} />
    </article>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function AgencySection({ agency, title, children }: { agency: string; title: string; children: React.ReactNode }) {
  return (
    <section className={`agency agency-${agency}`} aria-labelledby={`section-${agency}`} data-agency={agency}>
      <h2 id={`section-${agency}`}>{title}</h2>
      {children}
    </section>
  );
}

type Props = { c: WholeCase; withheld: WithheldFields };

/** A person an order names (by id), by the name the case's parties give them. */
function PersonName({ withheld, path, person, c }: { withheld: WithheldFields; path: string; person: { id: string } | null; c: WholeCase }) {
  if (withheld.at(path) || !person) return <Value withheld={withheld} path={path} value={null} />;
  const party = (c.parties ?? []).find((p) => p.person?.id === person.id);
  const name = [party?.person?.givenName, party?.person?.familyName].filter(Boolean).join(' ');
  return <>{name ? `${name} (${humanize(party!.role).toLowerCase()})` : 'a person not party to the case'}</>;
}

function CourtsSection({ c, withheld, disclosed }: Props & { disclosed: boolean }) {
  const parties = (c.parties ?? []).map((p) => ({ ...p, person: p.person }));
  return (
    <AgencySection agency="courts" title="Courts">
      <div className="records">
        <h3>Parties</h3>
        {withheld.at('case.parties') ? (
          <p><Value withheld={withheld} path="case.parties" value={null} /></p>
        ) : parties.length === 0 ? (
          <p className="none">None on record.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Name</th>
                  <th scope="col">Date of birth</th>
                  <th scope="col">Housing status</th>
                </tr>
              </thead>
              <tbody>
                {parties.map((p, i) => {
                  const at = `case.parties.${i}.person`;
                  return (
                    <tr key={p.id}>
                      <td><Value withheld={withheld} path={`case.parties.${i}.role`} value={p.role} format="enum" /></td>
                      <td>
                        {withheld.at(at) || !p.person ? (
                          <Value withheld={withheld} path={at} value={null} />
                        ) : (
                          <>
                            <Value withheld={withheld} path={`${at}.givenName`} value={p.person.givenName} />{' '}
                            <Value withheld={withheld} path={`${at}.familyName`} value={p.person.familyName} />
                          </>
                        )}
                      </td>
                      <td><Value withheld={withheld} path={`${at}.dateOfBirth`} value={p.person?.dateOfBirth} format="date" /></td>
                      <td><Value withheld={withheld} path={`${at}.housingStatus`} value={p.person?.housingStatus} format="enum" about={p.role === 'VICTIM' || p.role === 'PETITIONER' ? 'victim' : 'person'} /></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <RecordTable
        title="Protective orders"
        rows={c.protectiveOrders}
        path="case.protectiveOrders"
        withheld={withheld}
        columns={[
          { key: 'kind', label: 'Kind', format: 'enum' },
          { key: 'status', label: 'Status', format: 'enum' },
          { key: 'issuedDate', label: 'Issued', format: 'date' },
          { key: 'expiresDate', label: 'Expires', format: 'date' },
        ]}
        below={(o, i) => {
          const order = `case.protectiveOrders.${i}`;
          const at = `${order}.conditions`;
          const people = (
            <>
              <li>Protects: <PersonName withheld={withheld} path={`${order}.protectedPerson`} person={o.protectedPerson} c={c} /></li>
              <li>Restrains: <PersonName withheld={withheld} path={`${order}.restrainedPerson`} person={o.restrainedPerson} c={c} /></li>
            </>
          );
          if (withheld.at(at) || !o.conditions)
            return (
              <ul className="inline-list" aria-label="Order">
                {people}
                <li>Conditions: <Value withheld={withheld} path={at} value={null} /></li>
              </ul>
            );
          const k = o.conditions;
          return (
            <ul className="inline-list" aria-label="Order">
              {people}
              <li>No contact: <Value withheld={withheld} path={`${at}.noContact`} value={k.noContact} format="boolean" /></li>
              <li>Stay away (feet): <Value withheld={withheld} path={`${at}.stayAwayDistanceFeet`} value={k.stayAwayDistanceFeet} format="number" /></li>
              <li>Firearm surrender: <Value withheld={withheld} path={`${at}.firearmSurrender`} value={k.firearmSurrender} format="boolean" /></li>
              <li>Vacate residence: <Value withheld={withheld} path={`${at}.vacateResidence`} value={k.vacateResidence} format="boolean" /></li>
              <li>Other: <Value withheld={withheld} path={`${at}.otherConditions`} value={k.otherConditions} /></li>
            </ul>
          );
        }}
      />
      <RecordTable
        title="Hearings"
        rows={c.hearings}
        path="case.hearings"
        withheld={withheld}
        columns={[
          { key: 'hearingType', label: 'Hearing', format: 'enum' },
          { key: 'scheduledAt', label: 'Scheduled', format: 'datetime' },
          { key: 'courtroom', label: 'Courtroom' },
          { key: 'outcome', label: 'Outcome' },
        ]}
      />
      <RecordTable
        title="Program mandates"
        rows={c.programMandates}
        path="case.programMandates"
        withheld={withheld}
        columns={[
          { key: 'programType', label: 'Program', format: 'enum' },
          { key: 'providerAgency', label: 'Provider', format: 'enum' },
          { key: 'orderedDate', label: 'Ordered', format: 'date' },
          { key: 'dueDate', label: 'Due', format: 'date' },
          { key: 'requiredSessions', label: 'Sessions required', format: 'number' },
          { key: 'status', label: 'Status', format: 'enum' },
        ]}
        below={(m, i) => (
          <>
          {m.programType === 'SUBSTANCE_USE_TREATMENT' && (m.enrollments?.length ?? 0) > 0 ? <Part2Inline disclosed={disclosed} /> : null}
          <RecordTable
            headingLevel={4}
            title="Enrollments answering this mandate (counseling)"
            rows={m.enrollments}
            path={`case.programMandates.${i}.enrollments`}
            withheld={withheld}
            columns={[
              { key: 'status', label: 'Status', format: 'enum' },
              { key: 'sessionsAttended', label: 'Sessions attended', format: 'number' },
              { key: 'dischargeOutcome', label: 'Discharge', format: 'enum' },
            ]}
          />
          </>
        )}
      />
      <RecordTable
        title="Referrals"
        rows={c.referrals}
        path="case.referrals"
        withheld={withheld}
        columns={[
          { key: 'serviceType', label: 'Service', format: 'enum' },
          { key: 'toAgency', label: 'To', format: 'enum' },
          { key: 'referredDate', label: 'Referred', format: 'date' },
          { key: 'status', label: 'Status', format: 'enum' },
        ]}
      />
      <RecordTable
        title="Violations"
        rows={c.violations}
        path="case.violations"
        withheld={withheld}
        columns={[
          { key: 'violationType', label: 'Violation', format: 'enum' },
          { key: 'reportedBy', label: 'Reported by', format: 'enum' },
          { key: 'occurredDate', label: 'Occurred', format: 'date' },
          { key: 'description', label: 'Description' },
          { key: 'finding', label: 'Finding', format: 'enum' },
        ]}
        below={(v, i) => {
          const at = `case.violations.${i}.probationReport`;
          if (withheld.at(at)) return <>Probation report: <Value withheld={withheld} path={at} value={null} /></>;
          if (!v.probationReport) return null;
          return (
            <>
              Probation report of <Value withheld={withheld} path={`${at}.reportDate`} value={v.probationReport.reportDate} format="date" /> (
              <Value withheld={withheld} path={`${at}.violationType`} value={v.probationReport.violationType} format="enum" />), status{' '}
              <Value withheld={withheld} path={`${at}.status`} value={v.probationReport.status} format="enum" />
            </>
          );
        }}
      />
      <RecordTable
        title="Sanctions"
        rows={c.sanctions}
        path="case.sanctions"
        withheld={withheld}
        columns={[
          { key: 'sanctionType', label: 'Sanction', format: 'enum' },
          { key: 'imposedDate', label: 'Imposed', format: 'date' },
          { key: 'description', label: 'Description' },
        ]}
      />
    </AgencySection>
  );
}

function HousingSection({ c, withheld }: Props) {
  return (
    <AgencySection agency="housing" title="Housing">
      <p className="quiet">Housing shares whether the victim is sheltered or housed, never where.</p>
      <RecordTable
        title="Shelter stays"
        rows={c.shelterStays}
        path="case.shelterStays"
        withheld={withheld}
        columns={[
          { key: 'status', label: 'Status', format: 'enum' },
          { key: 'admittedDate', label: 'Admitted', format: 'date' },
          { key: 'exitedDate', label: 'Exited', format: 'date' },
          { key: 'exitDestination', label: 'Exit destination', format: 'enum' },
        ]}
      />
      <RecordTable
        title="Housing applications"
        rows={c.housingApplications}
        path="case.housingApplications"
        withheld={withheld}
        columns={[
          { key: 'program', label: 'Program', format: 'enum' },
          { key: 'appliedDate', label: 'Applied', format: 'date' },
          { key: 'status', label: 'Status', format: 'enum' },
          { key: 'decisionDate', label: 'Decided', format: 'date' },
          { key: 'monthlyAssistance', label: 'Monthly assistance', format: 'money' },
        ]}
      />
    </AgencySection>
  );
}

function CounselingSection({ c, withheld, disclosed }: Props & { disclosed: boolean }) {
  return (
    <AgencySection agency="counseling" title="Counseling & treatment">
      <RecordTable
        title="Program enrollments"
        rows={c.programEnrollments}
        path="case.programEnrollments"
        withheld={withheld}
        columns={[
          { key: 'programType', label: 'Program', format: 'enum' },
          { key: 'providerName', label: 'Provider' },
          { key: 'referralSource', label: 'Referred by', format: 'enum' },
          { key: 'enrolledDate', label: 'Enrolled', format: 'date' },
          { key: 'sessionsAttended', label: 'Attended', format: 'number' },
          { key: 'requiredSessions', label: 'Required', format: 'number' },
          { key: 'status', label: 'Status', format: 'enum' },
          { key: 'dischargeDate', label: 'Discharged', format: 'date' },
          { key: 'dischargeOutcome', label: 'Outcome', format: 'enum' },
        ]}
        below={(e, i) => (
          <>
            {e.programType === 'SUBSTANCE_USE_TREATMENT' ? <Part2Inline disclosed={disclosed} /> : null}
            <RecordTable
              headingLevel={4}
              title="Sessions"
              rows={e.sessions}
              path={`case.programEnrollments.${i}.sessions`}
              withheld={withheld}
              columns={[
                { key: 'sessionDate', label: 'Date', format: 'date' },
                { key: 'format', label: 'Format', format: 'enum' },
                { key: 'attendance', label: 'Attendance', format: 'enum' },
              ]}
            />
            <RecordTable
              headingLevel={4}
              title="Progress reports"
              rows={e.progressReports}
              path={`case.programEnrollments.${i}.progressReports`}
              withheld={withheld}
              columns={[
                { key: 'reportDate', label: 'Date', format: 'date' },
                { key: 'compliance', label: 'Compliance', format: 'enum' },
                { key: 'summary', label: 'Summary' },
                { key: 'recipientAgency', label: 'For', format: 'enum' },
              ]}
            />
          </>
        )}
      />
    </AgencySection>
  );
}

function ProbationSection({ c, withheld }: Props) {
  return (
    <AgencySection agency="probation" title="Probation">
      <RecordTable
        title="Supervisions"
        rows={c.supervisions}
        path="case.supervisions"
        withheld={withheld}
        columns={[
          { key: 'officerName', label: 'Officer' },
          { key: 'level', label: 'Level', format: 'enum' },
          { key: 'status', label: 'Status', format: 'enum' },
          { key: 'startDate', label: 'Start', format: 'date' },
          { key: 'endDate', label: 'End', format: 'date' },
          { key: 'currentRiskLevel', label: 'Current risk', format: 'enum' },
          { key: 'conditions', label: 'Conditions', format: 'list' },
        ]}
        below={(s, i) => {
          const at = `case.supervisions.${i}`;
          return (
            <>
              <RecordTable headingLevel={4} title="Check-ins" rows={s.checkIns} path={`${at}.checkIns`} withheld={withheld}
                columns={[
                  { key: 'checkInDate', label: 'Date', format: 'date' },
                  { key: 'method', label: 'Method', format: 'enum' },
                  { key: 'outcome', label: 'Outcome', format: 'enum' },
                  { key: 'notes', label: 'Notes' },
                ]} />
              <RecordTable headingLevel={4} title="Drug tests" rows={s.drugTests} path={`${at}.drugTests`} withheld={withheld}
                columns={[
                  { key: 'collectedDate', label: 'Collected', format: 'date' },
                  { key: 'testType', label: 'Test', format: 'enum' },
                  { key: 'result', label: 'Result', format: 'enum' },
                  { key: 'substancesDetected', label: 'Substances', format: 'list' },
                ]} />
              <RecordTable headingLevel={4} title="Risk assessments" rows={s.riskAssessments} path={`${at}.riskAssessments`} withheld={withheld}
                columns={[
                  { key: 'assessedDate', label: 'Assessed', format: 'date' },
                  { key: 'instrument', label: 'Instrument', format: 'enum' },
                  { key: 'score', label: 'Score', format: 'number' },
                  { key: 'riskLevel', label: 'Risk', format: 'enum' },
                  { key: 'assessorName', label: 'Assessor' },
                ]} />
              <RecordTable headingLevel={4} title="Compliance reports" rows={s.complianceReports} path={`${at}.complianceReports`} withheld={withheld}
                columns={[
                  { key: 'reportDate', label: 'Date', format: 'date' },
                  { key: 'compliance', label: 'Compliance', format: 'enum' },
                  { key: 'summary', label: 'Summary' },
                ]} />
              <RecordTable headingLevel={4} title="Violation reports" rows={s.violationReports} path={`${at}.violationReports`} withheld={withheld}
                columns={[
                  { key: 'reportDate', label: 'Filed', format: 'date' },
                  { key: 'violationType', label: 'Violation', format: 'enum' },
                  { key: 'description', label: 'Description' },
                  { key: 'status', label: 'Status', format: 'enum' },
                ]} />
            </>
          );
        }}
      />
    </AgencySection>
  );
}

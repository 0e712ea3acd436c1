/**
 * The owner agency's own screens on a case, each with the agency's existing mutation: the court
 * records a mandate, counseling records attendance, probation files a violation report. A refused
 * input shows each problem at the field it names.
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation } from 'urql';
import {
  FileViolationReportDocument,
  MandateProgramDocument,
  RecordSessionAttendanceDocument,
  type Agency,
  type Attendance,
  type ProgramType,
  type SessionFormat,
  type ViolationType,
} from './generated/graphql';
import type { WholeCase } from './CaseView';
import type { Caller } from './withheld';
import { formErrorsOf, type FormErrors } from './mutationErrors';
import { humanize, today } from './words';

const PROGRAM_TYPES: ProgramType[] = ['BATTERER_INTERVENTION', 'SUBSTANCE_USE_TREATMENT', 'MENTAL_HEALTH_COUNSELING', 'VICTIM_COUNSELING', 'PARENTING'];
const PROVIDERS: Agency[] = ['COUNSELING', 'PROBATION', 'HOUSING'];
const ATTENDANCE: Attendance[] = ['ATTENDED', 'EXCUSED_ABSENCE', 'UNEXCUSED_ABSENCE'];
const FORMATS: SessionFormat[] = ['GROUP', 'INDIVIDUAL'];
const VIOLATION_TYPES: ViolationType[] = ['PROGRAM_NON_COMPLIANCE', 'MISSED_CHECK_IN', 'POSITIVE_DRUG_TEST', 'PROTECTIVE_ORDER_VIOLATION', 'NEW_OFFENSE', 'OTHER'];

/** Which screen the caller's agency has here (the role policy decides, at the subgraph, whether the write is allowed). */
export function OwnerActions({ wholeCase, caller, token, onRecorded }: { wholeCase: WholeCase; caller: Caller; token: string; onRecorded: () => void }) {
  let form: ReactNode = null;
  if (caller.agency === 'courts') form = <MandateForm c={wholeCase} token={token} onRecorded={onRecorded} />;
  else if (caller.agency === 'counseling') form = <AttendanceForm c={wholeCase} token={token} onRecorded={onRecorded} />;
  else if (caller.agency === 'probation') form = <ViolationReportForm c={wholeCase} token={token} onRecorded={onRecorded} />;
  if (!form) return null;
  return (
    <section className="owner-actions" aria-labelledby="owner-actions-title">
      <h2 id="owner-actions-title">Record for {humanize(caller.agency)}</h2>
      {form}
    </section>
  );
}

/** One Idempotency-Key per attempt at a record: a resubmission of the same form after a lost answer writes once. */
function useWrite() {
  const key = useRef<string>(crypto.randomUUID());
  return {
    context: (token: string) => ({ fetchOptions: { headers: { authorization: `Bearer ${token}`, 'idempotency-key': key.current } } }),
    /** After a write succeeded, the next one is another record. */
    next: () => {
      key.current = crypto.randomUUID();
    },
  };
}

function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? <p className="hint" id={`${id}-hint`}>{hint}</p> : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The aria attributes a control needs for its hint and error. */
function described(id: string, errors: FormErrors, name: string, hint = false) {
  const ids = [hint ? `${id}-hint` : '', errors.fields[name] ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': errors.fields[name] ? true : undefined, 'aria-describedby': ids || undefined };
}

function FormOutcome({ errors, done }: { errors: FormErrors; done: string | null }) {
  return (
    <>
      {errors.form.length > 0 ? (
        <div role="alert" className="error-box">
          {errors.form.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : null}
      {done ? (
        <p role="status" className="done">
          {done}
        </p>
      ) : null}
    </>
  );
}

const NO_ERRORS: FormErrors = { fields: {}, form: [] };

function MandateForm({ c, token, onRecorded }: { c: WholeCase; token: string; onRecorded: () => void }) {
  const id = useId();
  const [{ fetching }, mandate] = useMutation(MandateProgramDocument);
  const write = useWrite();
  const people = (c.parties ?? []).filter((p) => p.person).sort((a, b) => (a.role === 'DEFENDANT' || a.role === 'RESPONDENT' ? -1 : 0) - (b.role === 'DEFENDANT' || b.role === 'RESPONDENT' ? -1 : 0));
  const [values, setValues] = useState({
    personId: people[0]?.person?.id ?? '',
    programType: 'BATTERER_INTERVENTION' as ProgramType,
    providerAgency: 'COUNSELING' as Agency,
    orderedDate: today(),
    dueDate: '',
    requiredSessions: '',
  });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const set = (name: keyof typeof values) => (e: { target: { value: string } }) => setValues({ ...values, [name]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const sessions = values.requiredSessions.trim();
    const result = await mandate(
      {
        input: {
          caseId: c.id,
          personId: values.personId,
          programType: values.programType,
          providerAgency: values.providerAgency,
          orderedDate: values.orderedDate,
          dueDate: values.dueDate,
          requiredSessions: sessions === '' ? null : Number(sessions),
        },
      },
      write.context(token),
    );
    setErrors(formErrorsOf(result.error));
    if (result.data?.mandateProgram) {
      write.next();
      setDone(`Mandate recorded: ${humanize(result.data.mandateProgram.programType)}, due ${result.data.mandateProgram.dueDate}.`);
      onRecorded();
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`} className="owner-form">
      <h3 id={`${id}-title`}>Order a program (mandate)</h3>
      <div className="form-grid">
        <Field id={`${id}-person`} label="Person" error={errors.fields.personId}>
          <select {...described(`${id}-person`, errors, 'personId')} value={values.personId} onChange={set('personId')}>
            {people.map((p) => (
              <option key={p.id} value={p.person!.id}>
                {[p.person!.givenName, p.person!.familyName].filter(Boolean).join(' ') || p.person!.id} ({humanize(p.role)})
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-program`} label="Program" error={errors.fields.programType}>
          <select {...described(`${id}-program`, errors, 'programType')} value={values.programType} onChange={set('programType')}>
            {PROGRAM_TYPES.map((t) => (
              <option key={t} value={t}>{humanize(t)}</option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-provider`} label="Provider agency" error={errors.fields.providerAgency}>
          <select {...described(`${id}-provider`, errors, 'providerAgency')} value={values.providerAgency} onChange={set('providerAgency')}>
            {PROVIDERS.map((a) => (
              <option key={a} value={a}>{humanize(a)}</option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-ordered`} label="Ordered on" error={errors.fields.orderedDate}>
          <input type="date" {...described(`${id}-ordered`, errors, 'orderedDate')} value={values.orderedDate} onChange={set('orderedDate')} />
        </Field>
        <Field id={`${id}-due`} label="Due by" error={errors.fields.dueDate}>
          <input type="date" {...described(`${id}-due`, errors, 'dueDate')} value={values.dueDate} onChange={set('dueDate')} />
        </Field>
        <Field id={`${id}-sessions`} label="Sessions required" error={errors.fields.requiredSessions} hint="Optional, 1 to 104.">
          <input type="number" inputMode="numeric" {...described(`${id}-sessions`, errors, 'requiredSessions', true)} value={values.requiredSessions} onChange={set('requiredSessions')} />
        </Field>
      </div>
      <button type="submit" disabled={fetching}>{fetching ? 'Recording…' : 'Record mandate'}</button>
      <FormOutcome errors={errors} done={done} />
    </form>
  );
}

function AttendanceForm({ c, token, onRecorded }: { c: WholeCase; token: string; onRecorded: () => void }) {
  const id = useId();
  const [{ fetching }, record] = useMutation(RecordSessionAttendanceDocument);
  const write = useWrite();
  const enrollments = (c.programEnrollments ?? []).filter((e) => e.status !== 'DISCHARGED');
  const [values, setValues] = useState({
    enrollmentId: enrollments[0]?.id ?? '',
    sessionDate: today(),
    format: 'GROUP' as SessionFormat,
    attendance: 'ATTENDED' as Attendance,
  });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const set = (name: keyof typeof values) => (e: { target: { value: string } }) => setValues({ ...values, [name]: e.target.value });

  if (enrollments.length === 0) return <p className="none">No open enrollment in this case to record attendance for.</p>;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const result = await record({ input: { ...values } }, write.context(token));
    setErrors(formErrorsOf(result.error));
    if (result.data?.recordSessionAttendance) {
      write.next();
      setDone(`Attendance recorded: ${humanize(result.data.recordSessionAttendance.attendance)} on ${result.data.recordSessionAttendance.sessionDate}.`);
      onRecorded();
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`} className="owner-form">
      <h3 id={`${id}-title`}>Record session attendance</h3>
      <div className="form-grid">
        <Field id={`${id}-enrollment`} label="Enrollment" error={errors.fields.enrollmentId}>
          <select {...described(`${id}-enrollment`, errors, 'enrollmentId')} value={values.enrollmentId} onChange={set('enrollmentId')}>
            {enrollments.map((e) => (
              <option key={e.id} value={e.id}>
                {humanize(e.programType)} — {e.providerName ?? 'provider'} ({e.sessionsAttended ?? 0} attended)
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-date`} label="Session date" error={errors.fields.sessionDate}>
          <input type="date" {...described(`${id}-date`, errors, 'sessionDate')} value={values.sessionDate} onChange={set('sessionDate')} />
        </Field>
        <Field id={`${id}-format`} label="Format" error={errors.fields.format}>
          <select {...described(`${id}-format`, errors, 'format')} value={values.format} onChange={set('format')}>
            {FORMATS.map((f) => (
              <option key={f} value={f}>{humanize(f)}</option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-attendance`} label="Attendance" error={errors.fields.attendance}>
          <select {...described(`${id}-attendance`, errors, 'attendance')} value={values.attendance} onChange={set('attendance')}>
            {ATTENDANCE.map((a) => (
              <option key={a} value={a}>{humanize(a)}</option>
            ))}
          </select>
        </Field>
      </div>
      <button type="submit" disabled={fetching}>{fetching ? 'Recording…' : 'Record attendance'}</button>
      <FormOutcome errors={errors} done={done} />
    </form>
  );
}

function ViolationReportForm({ c, token, onRecorded }: { c: WholeCase; token: string; onRecorded: () => void }) {
  const id = useId();
  const [{ fetching }, file] = useMutation(FileViolationReportDocument);
  const write = useWrite();
  const supervisions = c.supervisions ?? [];
  const [values, setValues] = useState({
    supervisionId: supervisions[0]?.id ?? '',
    reportDate: today(),
    violationType: 'PROGRAM_NON_COMPLIANCE' as ViolationType,
    description: '',
  });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const set = (name: keyof typeof values) => (e: { target: { value: string } }) => setValues({ ...values, [name]: e.target.value });

  if (supervisions.length === 0) return <p className="none">No supervision in this case to report on.</p>;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const result = await file({ input: { ...values } }, write.context(token));
    setErrors(formErrorsOf(result.error));
    if (result.data?.fileViolationReport) {
      write.next();
      setDone(`Violation report filed: ${humanize(result.data.fileViolationReport.violationType)}, ${humanize(result.data.fileViolationReport.status)}.`);
      setValues({ ...values, description: '' });
      onRecorded();
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`} className="owner-form">
      <h3 id={`${id}-title`}>File a violation report with the court</h3>
      <div className="form-grid">
        <Field id={`${id}-supervision`} label="Supervision" error={errors.fields.supervisionId}>
          <select {...described(`${id}-supervision`, errors, 'supervisionId')} value={values.supervisionId} onChange={set('supervisionId')}>
            {supervisions.map((s) => (
              <option key={s.id} value={s.id}>
                {s.officerName ?? 'Officer'} — {humanize(s.level)} ({humanize(s.status)})
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-date`} label="Report date" error={errors.fields.reportDate}>
          <input type="date" {...described(`${id}-date`, errors, 'reportDate')} value={values.reportDate} onChange={set('reportDate')} />
        </Field>
        <Field id={`${id}-type`} label="Violation" error={errors.fields.violationType}>
          <select {...described(`${id}-type`, errors, 'violationType')} value={values.violationType} onChange={set('violationType')}>
            {VIOLATION_TYPES.map((t) => (
              <option key={t} value={t}>{humanize(t)}</option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-description`} label="Description" error={errors.fields.description}>
          <textarea rows={3} {...described(`${id}-description`, errors, 'description')} value={values.description} onChange={set('description')} />
        </Field>
      </div>
      <button type="submit" disabled={fetching}>{fetching ? 'Filing…' : 'File violation report'}</button>
      <FormOutcome errors={errors} done={done} />
    </form>
  );
}

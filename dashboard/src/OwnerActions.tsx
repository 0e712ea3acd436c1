/**
 * The owner agency's own screens on a case, each with the agency's existing mutation: the court
 * records a mandate, counseling records attendance, probation files a violation report. A refused
 * input shows each problem at the field it names.
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { type CombinedError, useMutation } from 'urql';
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

/** The agencies that have a screen of their own on a case. */
export const OWNER_SCREENS: Record<string, string> = {
  courts: 'Order a program',
  counseling: 'Record session attendance',
  probation: 'File a violation report',
};

interface FormProps {
  c: WholeCase;
  token: string;
  onRecorded: () => void;
}

/** Which screen the caller's agency has here (the role policy decides, at the subgraph, whether the write is allowed). */
export function OwnerActions({ wholeCase, caller, token, onRecorded }: { wholeCase: WholeCase; caller: Caller; token: string; onRecorded: () => void }) {
  const props = { c: wholeCase, token, onRecorded };
  const form = caller.agency === 'courts' ? <MandateForm {...props} /> : caller.agency === 'counseling' ? <AttendanceForm {...props} /> : caller.agency === 'probation' ? <ViolationReportForm {...props} /> : null;
  if (!form) return null;
  return (
    <section className="owner-actions" aria-labelledby="owner-actions-title">
      <h2 id="owner-actions-title" tabIndex={-1}>Record for {humanize(caller.agency)}</h2>
      {form}
    </section>
  );
}

type Values = Record<string, string>;
/** A write: the mutation's outcome, and what to say when it recorded something. */
type Write = (values: Values, context: object) => Promise<{ error?: CombinedError; recorded: string | null }>;

/**
 * A record form's state: its values, the problems of the last attempt at their fields, and the
 * outcome. One Idempotency-Key per record: a resubmission after a lost answer writes once; a
 * record written, the next one gets a new key.
 */
function useRecordForm({ token, onRecorded }: FormProps, initial: Values, write: Write, after?: (values: Values) => Values) {
  const key = useRef<string>(crypto.randomUUID());
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: [] });
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    setBusy(true);
    const outcome = await write(values, { fetchOptions: { headers: { authorization: `Bearer ${token}`, 'idempotency-key': key.current } } });
    setBusy(false);
    setErrors(formErrorsOf(outcome.error));
    if (outcome.recorded) {
      key.current = crypto.randomUUID();
      setDone(outcome.recorded);
      if (after) setValues(after(values));
      onRecorded();
    }
  };
  const set = (name: string) => (e: { target: { value: string } }) => setValues({ ...values, [name]: e.target.value });
  return { values, set, errors, done, busy, submit };
}

type Form = ReturnType<typeof useRecordForm>;

/** A labelled control whose problem, if the last attempt had one, is shown beneath it and tied to it. */
function Field({ form, name, label, hint, control }: { form: Form; name: string; label: string; hint?: string; control: 'date' | 'number' | 'textarea' | { options: { value: string; label: string }[] } }) {
  const id = `${useId()}-${name}`;
  const error = form.errors.fields[name];
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, value: form.values[name], onChange: form.set(name), 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy };
  let input: ReactNode;
  if (control === 'textarea') input = <textarea rows={3} {...common} />;
  else if (control === 'date') input = <input type="date" {...common} />;
  else if (control === 'number') input = <input type="number" inputMode="numeric" {...common} />;
  else
    input = (
      <select {...common}>
        {control.options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    );
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {input}
      {hint ? <p className="hint" id={`${id}-hint`}>{hint}</p> : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

const choices = (values: readonly string[]) => ({ options: values.map((value) => ({ value, label: humanize(value) })) });

function RecordForm({ form, title, button, children }: { form: Form; title: string; button: [string, string]; children: ReactNode }) {
  const id = useId();
  return (
    <form onSubmit={form.submit} noValidate aria-labelledby={`${id}-title`} className="owner-form">
      <h3 id={`${id}-title`}>{title}</h3>
      <div className="form-grid">{children}</div>
      <button type="submit" disabled={form.busy}>{form.busy ? button[1] : button[0]}</button>
      {form.errors.form.length > 0 ? (
        <div role="alert" className="error-box">
          {form.errors.form.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      ) : null}
      {form.done ? (
        <p role="status" className="done">
          {form.done}
        </p>
      ) : null}
    </form>
  );
}

function MandateForm(props: FormProps) {
  const [, mandate] = useMutation(MandateProgramDocument);
  const offender = (role: string | null) => (role === 'DEFENDANT' || role === 'RESPONDENT' ? 0 : 1);
  const people = (props.c.parties ?? []).filter((p) => p.person).sort((a, b) => offender(a.role) - offender(b.role));
  const form = useRecordForm(
    props,
    { personId: people[0]?.person?.id ?? '', programType: 'BATTERER_INTERVENTION', providerAgency: 'COUNSELING', orderedDate: today(), dueDate: '', requiredSessions: '' },
    async (v, context) => {
      const sessions = v.requiredSessions.trim();
      const input = {
        caseId: props.c.id,
        personId: v.personId,
        programType: v.programType as ProgramType,
        providerAgency: v.providerAgency as Agency,
        orderedDate: v.orderedDate,
        dueDate: v.dueDate,
        requiredSessions: sessions === '' ? null : Number(sessions),
      };
      const result = await mandate({ input }, context);
      const m = result.data?.mandateProgram;
      return { error: result.error, recorded: m ? `Mandate recorded: ${humanize(m.programType)}, due ${m.dueDate}.` : null };
    },
  );
  const names = people.map((p) => ({ value: p.person!.id, label: `${[p.person!.givenName, p.person!.familyName].filter(Boolean).join(' ') || p.person!.id} (${humanize(p.role)})` }));
  return (
    <RecordForm form={form} title="Order a program (mandate)" button={['Record mandate', 'Recording…']}>
      <Field form={form} name="personId" label="Person" control={{ options: names }} />
      <Field form={form} name="programType" label="Program" control={choices(PROGRAM_TYPES)} />
      <Field form={form} name="providerAgency" label="Provider agency" control={choices(PROVIDERS)} />
      <Field form={form} name="orderedDate" label="Ordered on" control="date" />
      <Field form={form} name="dueDate" label="Due by" control="date" />
      <Field form={form} name="requiredSessions" label="Sessions required" control="number" hint="Optional, 1 to 104." />
    </RecordForm>
  );
}

function AttendanceForm(props: FormProps) {
  const [, record] = useMutation(RecordSessionAttendanceDocument);
  const enrollments = (props.c.programEnrollments ?? []).filter((e) => e.status !== 'DISCHARGED');
  const form = useRecordForm(props, { enrollmentId: enrollments[0]?.id ?? '', sessionDate: today(), format: 'GROUP', attendance: 'ATTENDED' }, async (v, context) => {
    const input = { enrollmentId: v.enrollmentId, sessionDate: v.sessionDate, format: v.format as SessionFormat, attendance: v.attendance as Attendance };
    const result = await record({ input }, context);
    const s = result.data?.recordSessionAttendance;
    return { error: result.error, recorded: s ? `Attendance recorded: ${humanize(s.attendance)} on ${s.sessionDate}.` : null };
  });
  if (enrollments.length === 0) return <p className="none">No open enrollment in this case to record attendance for.</p>;
  const options = enrollments.map((e) => ({ value: e.id, label: `${humanize(e.programType)} — ${e.providerName ?? 'provider'} (${e.sessionsAttended ?? 0} attended)` }));
  return (
    <RecordForm form={form} title="Record session attendance" button={['Record attendance', 'Recording…']}>
      <Field form={form} name="enrollmentId" label="Enrollment" control={{ options }} />
      <Field form={form} name="sessionDate" label="Session date" control="date" />
      <Field form={form} name="format" label="Format" control={choices(FORMATS)} />
      <Field form={form} name="attendance" label="Attendance" control={choices(ATTENDANCE)} />
    </RecordForm>
  );
}

function ViolationReportForm(props: FormProps) {
  const [, file] = useMutation(FileViolationReportDocument);
  const supervisions = props.c.supervisions ?? [];
  const form = useRecordForm(
    props,
    { supervisionId: supervisions[0]?.id ?? '', reportDate: today(), violationType: 'PROGRAM_NON_COMPLIANCE', description: '' },
    async (v, context) => {
      const input = { supervisionId: v.supervisionId, reportDate: v.reportDate, violationType: v.violationType as ViolationType, description: v.description };
      const result = await file({ input }, context);
      const r = result.data?.fileViolationReport;
      return { error: result.error, recorded: r ? `Violation report filed: ${humanize(r.violationType)}, ${humanize(r.status)}.` : null };
    },
    (v) => ({ ...v, description: '' }),
  );
  if (supervisions.length === 0) return <p className="none">No supervision in this case to report on.</p>;
  const options = supervisions.map((s) => ({ value: s.id, label: `${s.officerName ?? 'Officer'} — ${humanize(s.level)} (${humanize(s.status)})` }));
  return (
    <RecordForm form={form} title="File a violation report with the court" button={['File violation report', 'Filing…']}>
      <Field form={form} name="supervisionId" label="Supervision" control={{ options }} />
      <Field form={form} name="reportDate" label="Report date" control="date" />
      <Field form={form} name="violationType" label="Violation" control={choices(VIOLATION_TYPES)} />
      <Field form={form} name="description" label="Description" control="textarea" />
    </RecordForm>
  );
}

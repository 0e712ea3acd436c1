/**
 * A refused write, for a form: the problems a BAD_USER_INPUT error names (`input.dueDate must not
 * be before input.orderedDate`), each at its field, and anything else (a refusal, a failure) for the form.
 */
import type { CombinedError } from 'urql';

export interface FormErrors {
  /** Input field name (without `input.`) → message. */
  fields: Record<string, string>;
  /** Messages for the whole form. */
  form: string[];
}

const VARIABLE_AT = /at "input\.([A-Za-z0-9_]+)"/;

export function formErrorsOf(error: CombinedError | undefined): FormErrors {
  const result: FormErrors = { fields: {}, form: [] };
  if (!error) return result;
  if (error.networkError) result.form.push(`The gateway could not be reached: ${error.networkError.message}`);
  for (const e of error.graphQLErrors) {
    const extensions = (e.extensions ?? {}) as { code?: string; field?: string; problems?: { field: string; message: string }[] };
    const problems = extensions.problems ?? (extensions.field ? [{ field: extensions.field, message: e.message }] : []);
    let placed = false;
    for (const p of problems) {
      const name = p.field.replace(/^input\./, '').split(/[.[]/)[0];
      if (!name) continue;
      result.fields[name] = result.fields[name] ? `${result.fields[name]}; ${p.message}` : p.message;
      placed = true;
    }
    // A value the schema refuses before any resolver runs (e.g. an empty date): graphql-js names it in the message.
    const variable = !placed ? VARIABLE_AT.exec(e.message) : null;
    if (variable) {
      result.fields[variable[1]] = e.message.replace(/^Variable "\$input" got invalid value [^;]*; /, '');
      placed = true;
    }
    if (!placed) result.form.push(e.extensions?.code === 'FORBIDDEN' ? `Not allowed: ${e.message}` : e.message);
  }
  return result;
}

/**
 * Input checks for mutations. Every problem names the input field it is about; all problems of
 * one input are reported together, as one BAD_USER_INPUT error, before anything is written.
 */
import { GraphQLError } from 'graphql';
import { isCalendarDate } from './scalars';

export interface InputProblem {
  field: string;
  message: string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

export function badUserInput(problems: InputProblem[]): GraphQLError {
  const text = problems.map((p) => `${p.field} ${p.message}`).join('; ');
  return new GraphQLError(`Invalid input: ${text}`, {
    extensions: { code: 'BAD_USER_INPUT', field: problems[0]?.field, problems },
  });
}

interface TextRule {
  required?: boolean;
  max?: number;
  pattern?: RegExp;
  patternHint?: string;
}

export class InputCheck {
  private readonly problems: InputProblem[] = [];

  /**
   * `root` is the argument's name, so problems read `input.filedDate ...`; `today` is the policy
   * clock's date (lib/clock.ts), which `notInFuture` judges by.
   */
  constructor(private readonly root = 'input', private readonly today?: string) {}

  private at(field: string): string {
    return this.root ? `${this.root}.${field}` : field;
  }

  fail(field: string, message: string): void {
    this.problems.push({ field: this.at(field), message });
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  /** Trimmed text, or null when absent and optional. */
  text(field: string, value: string | null | undefined, rule: TextRule = {}): string | null {
    const { required = true, max = 200 } = rule;
    const trimmed = typeof value === 'string' ? value.trim() : '';
    if (trimmed === '') {
      if (required) this.fail(field, 'must not be empty');
      return null;
    }
    if (trimmed.length > max) this.fail(field, `must be at most ${max} characters`);
    else if (rule.pattern && !rule.pattern.test(trimmed)) {
      this.fail(field, `must be ${rule.patternHint ?? `of the form ${rule.pattern}`}`);
    }
    return trimmed;
  }

  /** A whole number within bounds, or null when absent and optional. */
  integer(
    field: string,
    value: number | null | undefined,
    bounds: { min: number; max: number; required?: boolean },
  ): number | null {
    if (value === null || value === undefined) {
      if (bounds.required) this.fail(field, 'is required');
      return null;
    }
    if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
      this.fail(field, `must be a whole number from ${bounds.min} to ${bounds.max}`);
    }
    return value;
  }

  /** An identifier that must look like one of ours (a UUID). */
  id(field: string, value: string | null | undefined, required = true): string | null {
    if (value === null || value === undefined || value === '') {
      if (required) this.fail(field, 'is required');
      return null;
    }
    if (!isUuid(value)) this.fail(field, 'is not a valid id');
    return value;
  }

  /** `later` may not come before `earlier` (both YYYY-MM-DD or Date). */
  notBefore(
    laterField: string,
    later: string | Date | null | undefined,
    earlierField: string,
    earlier: string | Date | null | undefined,
  ): void {
    if (!later || !earlier) return;
    if (toTime(later) < toTime(earlier)) {
      this.fail(laterField, `must not be before ${this.at(earlierField)}`);
    }
  }

  /** A date no later than today by the policy clock (facts are recorded after they happen). */
  notInFuture(field: string, value: string | null | undefined, today: string | undefined = this.today): void {
    if (!today) throw new Error('InputCheck.notInFuture needs the policy date (new InputCheck(root, ctx.policy.today))');
    if (value && isCalendarDate(value) && value > today) {
      this.fail(field, 'must not be in the future');
    }
  }

  /** Throws the collected problems, if any, as one BAD_USER_INPUT error. */
  done(): void {
    if (this.problems.length > 0) throw badUserInput(this.problems);
  }
}

function toTime(value: string | Date): number {
  return value instanceof Date ? value.getTime() : Date.parse(`${value}T00:00:00Z`);
}

/** Looks the id up with `find`; records a problem on `field` when there is no such record. */
export async function requireExisting<T>(
  check: InputCheck,
  field: string,
  id: string | null,
  what: string,
  find: (id: string) => Promise<T | null | undefined>,
): Promise<T | null> {
  if (!id || !isUuid(id)) return null;
  const found = await find(id);
  if (!found) check.fail(field, `names no ${what} known here`);
  return found ?? null;
}

/** The PostgreSQL error code of a driver error, if it is one. */
export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code
    ?? (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

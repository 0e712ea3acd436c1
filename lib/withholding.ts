/**
 * `X-Withheld-Fields: fail` — a caller who wants all of the data or none of it. The gateway and
 * every subgraph honour it (a subgraph for its own part, so the guarantee survives a router that
 * forwards the header but does not implement it): when any field was withheld, the answer carries
 * no data, one error saying so, and the refusals themselves.
 */
import type { GraphQLFormattedError } from 'graphql';

/** The request header that asks for all of the data or none of it. */
export const WITHHOLDING_HEADER = 'x-withheld-fields';

/** The `reason` of the error that replaces the data. */
export const ALL_OR_NOTHING = 'ALL_OR_NOTHING';

/** Whether a header value asks for all or nothing. */
export function asksAllOrNothing(value: string | string[] | null | undefined): boolean {
  const text = Array.isArray(value) ? value.join(',') : value;
  return text?.trim().toLowerCase() === 'fail';
}

/**
 * The errors that mean a field was withheld: refused by an agreement or role policy, or held back
 * because the disclosure could not be logged. A subgraph's own all-or-nothing summary is not one.
 */
export function withheldErrors(errors: readonly GraphQLFormattedError[] | undefined): GraphQLFormattedError[] {
  return (errors ?? []).filter(
    (e) => (e.extensions?.code === 'FORBIDDEN' || e.extensions?.code === 'AUDIT_UNAVAILABLE') && e.extensions?.reason !== ALL_OR_NOTHING,
  );
}

/** The answer when something was withheld and the caller asked for all or nothing; undefined when nothing was. */
export function allOrNothingResult(
  errors: readonly GraphQLFormattedError[] | undefined,
  serviceName?: string,
): { data: null; errors: GraphQLFormattedError[] } | undefined {
  const withheld = withheldErrors(errors);
  if (withheld.length === 0) return undefined;
  return {
    data: null,
    errors: [
      {
        message: `${withheld.length} field(s) withheld and ${WITHHOLDING_HEADER}: fail asked for all or nothing, so no data is returned.`,
        extensions: {
          code: 'FORBIDDEN',
          reason: ALL_OR_NOTHING,
          withheld: withheld.map((e) => e.extensions?.coordinate),
          ...(serviceName ? { serviceName } : {}),
        },
      },
      ...withheld,
    ],
  };
}

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

/**
 * The refusals behind the all-or-nothing summaries subgraphs answered (one subgraph answer repeats
 * its summary at each nulled position: taken once per subgraph), without their paths, which
 * point into the subgraph's own operation.
 */
function refusalsInSummaries(errors: readonly GraphQLFormattedError[] | undefined): GraphQLFormattedError[] {
  const seen = new Set<unknown>();
  const refusals: GraphQLFormattedError[] = [];
  for (const e of errors ?? []) {
    if (e.extensions?.reason !== ALL_OR_NOTHING || seen.has(e.extensions.serviceName)) continue;
    seen.add(e.extensions.serviceName);
    const inner = e.extensions.refusals;
    if (Array.isArray(inner)) for (const r of inner as GraphQLFormattedError[]) refusals.push({ message: r.message, extensions: r.extensions });
  }
  return refusals;
}

/**
 * The answer when something was withheld and the caller asked for all or nothing (undefined when
 * nothing was): no data, one summary naming the coordinates withheld, then the refusals — those
 * of this response and those a subgraph folded into its own summary.
 */
export function allOrNothingResult(
  errors: readonly GraphQLFormattedError[] | undefined,
  serviceName?: string,
): { data: null; errors: GraphQLFormattedError[] } | undefined {
  const withheld = [...withheldErrors(errors), ...refusalsInSummaries(errors)];
  const subgraphSaidSo = (errors ?? []).some((e) => e.extensions?.reason === ALL_OR_NOTHING);
  if (withheld.length === 0 && !subgraphSaidSo) return undefined;
  return { data: null, errors: [summaryOf(withheld, serviceName), ...withheld] };
}

function summaryOf(withheld: GraphQLFormattedError[], serviceName?: string): GraphQLFormattedError {
  return {
    message: `${withheld.length} field(s) withheld and ${WITHHOLDING_HEADER}: fail asked for all or nothing, so no data is returned.`,
    extensions: {
      code: 'FORBIDDEN',
      reason: ALL_OR_NOTHING,
      withheld: [...new Set(withheld.map((e) => e.extensions?.coordinate))],
      ...(serviceName ? { serviceName } : {}),
    },
  };
}

/**
 * A subgraph's answer when something was withheld and its caller asked for all or nothing: each
 * root field nulled (each `_entities` representation, so a router places it where the entity
 * goes, as it places any entity error) with the summary at each nulled position; `data: null`
 * when a root field may not be null. One error per
 * position, the refusals folded into it (`extensions.refusals`): a router given several errors
 * for one entity may merge them into one it masks (Hive Gateway answers "Unexpected error.").
 * A router that forwarded the header but does not implement it still delivers none of this
 * subgraph's data, with the reason.
 */
export function allOrNothingSubgraphResult(
  result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] },
  serviceName: string,
  /** Whether a root field (by response key) may be null; one that may not nulls the whole data, as graphql-js would. */
  nullable: (responseKey: string) => boolean,
): { data: Record<string, unknown> | null; errors: GraphQLFormattedError[] } | undefined {
  const withheld = withheldErrors(result.errors);
  if (withheld.length === 0) return undefined;
  const summary = summaryOf(withheld, serviceName);
  summary.extensions!.refusals = withheld;
  if (!result.data || Object.keys(result.data).some((key) => key !== '_entities' && !nullable(key))) return { data: null, errors: [summary] };
  const data: Record<string, unknown> = {};
  const summaries: GraphQLFormattedError[] = [];
  for (const [key, value] of Object.entries(result.data)) {
    if (key === '_entities' && Array.isArray(value)) {
      data[key] = value.map((_item, i) => (summaries.push({ ...summary, path: [key, i] }), null));
    } else {
      data[key] = null;
      summaries.push({ ...summary, path: [key] });
    }
  }
  return { data, errors: summaries };
}

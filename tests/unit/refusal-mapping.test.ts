/**
 * How the gateway hands a subgraph's refusals to @apollo/gateway's executor (StacklessErrors in
 * gateway/gateway.ts): the same errors as the executor's own mapping makes, the refusals made
 * without a GraphQLError constructed for each. The executor's mapping is imitated here as
 * @apollo/gateway 2.14 writes it (downstreamServiceError with makeLazyErrorPathGenerator), for an
 * entity fetch (paths through `_entities`, translated by the entity's place in the result) and a
 * root fetch (paths under the fetch's own path). tests/gateway-refusals.test.ts compares the real
 * thing with stock @apollo/gateway end to end.
 */
import { GraphQLError } from 'graphql';
import { StacklessErrors } from '../../gateway/gateway';

type Path = (string | number)[];
interface SubgraphError {
  message: string;
  path?: Path;
  extensions?: Record<string, unknown>;
}

/** @apollo/gateway's downstreamServiceError over its lazy path generator, for one fetch. */
function executorMapping(serviceName: string, cursorPath: Path, hydratedPaths: Path[] | undefined) {
  let calls = 0;
  const generatePath = (errorPath?: Path) => {
    if (hydratedPaths && typeof errorPath?.[1] === 'number') return [...(hydratedPaths[errorPath[1]] ?? []), ...errorPath.slice(2)];
    return errorPath ? [...cursorPath, ...errorPath.slice()] : undefined;
  };
  const callback = (error: SubgraphError) => {
    calls++;
    return new GraphQLError(error.message || `Error while fetching subquery from service "${serviceName}"`, {
      originalError: error as never,
      path: generatePath(error.path),
      extensions: { ...error.extensions, serviceName },
    });
  };
  return { callback, calls: () => calls };
}

const refusal = (path: Path, coordinate = 'Person.dateOfBirth'): SubgraphError => ({
  message: `${coordinate} withheld: no agreement grants it to probation.`,
  path,
  extensions: { code: 'FORBIDDEN', coordinate, reason: 'NO_AGREEMENT', agreements: ['MOU-1'] },
});

const asJson = (errors: unknown[]) => errors.map((e) => (e as GraphQLError).toJSON());

function bothWays(errors: SubgraphError[], serviceName: string, cursorPath: Path, hydratedPaths?: Path[]) {
  const plain = executorMapping(serviceName, cursorPath, hydratedPaths);
  const expected = errors.map(plain.callback);
  const ours = executorMapping(serviceName, cursorPath, hydratedPaths);
  const list = new StacklessErrors<SubgraphError>();
  list.push(...errors);
  const actual = list.map(ours.callback);
  return { expected, actual, plainCalls: plain.calls(), ourCalls: ours.calls() };
}

describe('refusals handed to the executor', () => {
  it('through `_entities`: the same errors, one executor mapping per entity instead of per refusal', () => {
    const hydrated: Path[] = [
      ['cases', 'nodes', 0, 'parties', 0, 'person'],
      ['cases', 'nodes', 0, 'parties', 1, 'person'],
      ['cases', 'nodes', 1, 'parties', 0, 'person'],
    ];
    const errors = [
      refusal(['_entities', 0, 'dateOfBirth']),
      refusal(['_entities', 0, 'housingStatus', 'status'], 'HousingStatus.status'),
      { message: 'The audit log is unavailable', path: ['_entities', 1, 'x'], extensions: { code: 'AUDIT_UNAVAILABLE', coordinate: 'Person.x' } },
      refusal(['_entities', 2, 'dateOfBirth']),
      refusal(['_entities', 2, 'givenName'], 'Person.givenName'),
      refusal(['_entities', 7, 'dateOfBirth']), // no such entity: the executor gives it the rest of its path only
      { message: '', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ];
    const { expected, actual, plainCalls, ourCalls } = bothWays(errors, 'housing', ['cases', 'nodes', '@', 'parties', '@', 'person'], hydrated);
    expect(asJson(actual)).toEqual(asJson(expected));
    expect(actual.every((e) => e instanceof GraphQLError)).toBe(true);
    expect((actual[0] as GraphQLError).extensions).toEqual({ code: 'FORBIDDEN', coordinate: 'Person.dateOfBirth', reason: 'NO_AGREEMENT', agreements: ['MOU-1'], serviceName: 'housing' });
    expect(plainCalls).toBe(7);
    // A root probe, one per entity with refusals (0, 2, 7), and the two errors that are not refusals.
    expect(ourCalls).toBe(1 + 3 + 2);
  });

  it('from a root fetch: the same errors under the fetch path, with one executor mapping in all', () => {
    const errors = [
      refusal(['cases', 'nodes', 0, 'victim', 'dateOfBirth']),
      refusal(['cases', 'nodes', 1, 'victim', 'dateOfBirth']),
      refusal(['case', 'hearings'], 'Case.hearings'),
      refusal(['other', 1, 'x'], 'Other.x'),
    ];
    const { expected, actual, ourCalls } = bothWays(errors, 'courts', [], undefined);
    expect(asJson(actual)).toEqual(asJson(expected));
    // Root probe, then one per distinct (first, index) prefix: (cases, nodes)… is not numeric; (other, 1) is.
    expect(ourCalls).toBe(1 + 1);
  });

  it('any other map over the errors (the executor lists their paths) is left as it is', () => {
    const list = new StacklessErrors<SubgraphError>();
    list.push(refusal(['_entities', 0, 'dateOfBirth']), refusal(['_entities', 1, 'dateOfBirth']));
    expect(list.map((e) => ({ subgraph: 'housing', path: e.path }))).toEqual([
      { subgraph: 'housing', path: ['_entities', 0, 'dateOfBirth'] },
      { subgraph: 'housing', path: ['_entities', 1, 'dateOfBirth'] },
    ]);
  });
});

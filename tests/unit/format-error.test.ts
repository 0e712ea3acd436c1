/**
 * What callers see of errors (lib/errors.ts formatError): errors meant for them pass (without any
 * stack or subgraph response they carry), anything else is masked with an incident id.
 */
import { formatError } from '../../lib/errors';

describe('formatError', () => {
  it('passes a refusal on as it is', () => {
    const refusal = { message: 'Person.dateOfBirth withheld: no agreement.', path: ['cases', 0], extensions: { code: 'FORBIDDEN', coordinate: 'Person.dateOfBirth', serviceName: 'courts' } };
    expect(formatError(refusal, undefined)).toBe(refusal);
  });

  it('strips a stack trace or a subgraph response from an error meant for the caller', () => {
    const formatted = formatError(
      { message: 'bad id', extensions: { code: 'BAD_USER_INPUT', stacktrace: ['at x'], response: { url: 'http://courts:4001/graphql', body: 'secret' }, exception: {} } },
      undefined,
    );
    expect(formatted).toEqual({ message: 'bad id', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('masks anything else, naming an incident instead', () => {
    const formatted = formatError({ message: 'relation "court_case" does not exist', path: ['cases'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at pg'] } }, new Error('sql'));
    expect(formatted.message).toMatch(/^Internal error \(incident [0-9a-f-]{36}\)$/);
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', incident: expect.any(String) });
    expect(JSON.stringify(formatted)).not.toMatch(/court_case|at pg/);
  });
});

import { InputCheck, isUuid } from '../../lib/validation';

describe('InputCheck', () => {
  it('collects every problem of an input and names each field', () => {
    const check = new InputCheck('input');
    expect(check.text('courtName', '   ')).toBeNull();
    check.integer('requiredSessions', 0, { min: 1, max: 104 });
    check.notBefore('dueDate', '2026-01-01', 'orderedDate', '2026-02-01');
    check.id('caseId', 'abc');
    expect(() => check.done()).toThrow(
      'Invalid input: input.courtName must not be empty; input.requiredSessions must be a whole number from 1 to 104; ' +
        'input.dueDate must not be before input.orderedDate; input.caseId is not a valid id',
    );
    try {
      check.done();
    } catch (error: any) {
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.courtName' });
      expect(error.extensions.problems).toHaveLength(4);
    }
  });

  it('trims text, enforces length and pattern, and lets optional text be absent', () => {
    const check = new InputCheck('input');
    expect(check.text('a', '  x  ')).toBe('x');
    expect(check.text('b', undefined, { required: false })).toBeNull();
    check.text('c', 'x'.repeat(11), { max: 10 });
    check.text('d', 'dv-1', { pattern: /^[A-Z]+-\d+$/, patternHint: 'like DV-1' });
    expect(() => check.done()).toThrow('input.c must be at most 10 characters; input.d must be like DV-1');
  });

  it('refuses dates in the future and accepts today', () => {
    const check = new InputCheck('');
    const today = '2026-11-24';
    check.notInFuture('a', '2026-11-24', today);
    expect(check.ok).toBe(true);
    check.notInFuture('b', '2026-11-25', today);
    expect(() => check.done()).toThrow('b must not be in the future');
  });

  it('recognises ids', () => {
    expect(isUuid('63a4564c-4c7d-4377-8fa8-5701c27e9ae9')).toBe(true);
    expect(isUuid("1' OR '1'='1")).toBe(false);
  });
});

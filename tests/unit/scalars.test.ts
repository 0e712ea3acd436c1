import { Kind } from 'graphql';
import { DateScalar, DateTimeScalar, isCalendarDate } from '../../lib/scalars';

describe('Date', () => {
  it('accepts real calendar dates only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(() => DateScalar.parseValue('2026-02-30')).toThrow(/YYYY-MM-DD/);
    expect(() => DateScalar.parseLiteral({ kind: Kind.INT, value: '20260101' })).toThrow(/string/);
  });

  it('serializes strings and Dates as YYYY-MM-DD', () => {
    expect(DateScalar.serialize('2026-03-01')).toBe('2026-03-01');
    expect(DateScalar.serialize(new Date('2026-03-01T00:00:00Z'))).toBe('2026-03-01');
  });
});

describe('DateTime', () => {
  it('needs a time zone', () => {
    expect(DateTimeScalar.parseValue('2026-03-01T09:30:00Z')).toEqual(new Date('2026-03-01T09:30:00Z'));
    expect(DateTimeScalar.parseValue('2026-03-01T09:30:00-05:00')).toEqual(new Date('2026-03-01T14:30:00Z'));
    expect(() => DateTimeScalar.parseValue('2026-03-01T09:30:00')).toThrow(/time zone/);
    expect(() => DateTimeScalar.parseValue('2026-02-30T09:30:00Z')).toThrow();
  });
});

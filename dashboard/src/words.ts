/** Enum values and identifiers in words for the screen. */
const SPECIAL: Record<string, string> = {
  courts: 'Courts',
  housing: 'Housing',
  counseling: 'Counseling & treatment',
  probation: 'Probation',
  DVSI_R: 'DVSI-R',
  ODARA: 'ODARA',
};

/** `SUBSTANCE_USE_TREATMENT` → "Substance use treatment"; `judicial_review` → "Judicial review". */
export function humanize(value: string | null | undefined): string {
  if (value == null) return '';
  if (SPECIAL[value]) return SPECIAL[value];
  const words = value.replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value.length === 10 ? `${value}T00:00:00` : value);
  if (Number.isNaN(date.getTime())) return value;
  return value.length === 10
    ? date.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' })
    : date.toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}

/** Today in the browser's time zone, as YYYY-MM-DD. */
export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

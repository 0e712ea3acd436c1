/**
 * Risk levels from instrument scores, by the bands each instrument's authors publish
 * (ODARA 0-13; DVSI-R 0-33; Danger Assessment weighted 0-20, "variable / increased / severe /
 * extreme danger"). A jurisdiction with other cut-offs changes them here.
 */
export const RISK_INSTRUMENTS: Record<string, { maxScore: number; bands: [number, string][] }> = {
  ODARA: { maxScore: 13, bands: [[0, 'LOW'], [2, 'MODERATE'], [5, 'HIGH'], [7, 'SEVERE']] },
  DVSI_R: { maxScore: 33, bands: [[0, 'LOW'], [10, 'MODERATE'], [18, 'HIGH'], [25, 'SEVERE']] },
  DANGER_ASSESSMENT: { maxScore: 20, bands: [[0, 'LOW'], [8, 'MODERATE'], [14, 'HIGH'], [18, 'SEVERE']] },
};

export function riskLevel(instrument: string, score: number): string {
  const { bands } = RISK_INSTRUMENTS[instrument];
  let level = bands[0][1];
  for (const [from, name] of bands) if (score >= from) level = name;
  return level;
}

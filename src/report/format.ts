/**
 * Number formatting for result files. Values are rounded to 9 significant digits: enough for any
 * measurement here, and it keeps files readable and stable against last-bit noise.
 */
export function roundSig(x: number): number {
  return Number.isFinite(x) && !Number.isInteger(x) ? Number(x.toPrecision(9)) : x;
}

/** JSON with rounded numbers, NaN/Infinity as null, 2-space indent, trailing newline. */
export function toStableJson(value: unknown): string {
  const round = (_k: string, v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? roundSig(v) : null) : v);
  return `${JSON.stringify(value, round, 2)}\n`;
}

/** CSV of a header and numeric rows; non-finite values become empty cells. */
export function toCsv(columns: readonly string[], rows: readonly (readonly (number | string)[])[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** Numbers rounded to stable digits; text quoted (RFC 4180) when it holds a comma, quote or newline. */
export function csvCell(v: number | string): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(roundSig(v)) : '';
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergePatch } from './merge.js';
import { CostsSchema, GcSchema } from './schema.js';

/**
 * Calibrations: runtime cost values measured on a machine by `npm run calibrate` (real Go programs in
 * validation/go/calibrate). A scenario picks one with `calibration: NAME` (a file in the package's
 * calibrations/ folder) or `calibration: path/to/file.json` (relative to the scenario); its values
 * become the defaults of runtime.costs and runtime.gc, and values the scenario writes still win.
 */
export const CALIBRATIONS_DIR = fileURLToPath(new URL('../../../calibrations/', import.meta.url));

export interface Calibration {
  name: string;
  /** `go version` of the Go that was measured, the machine, and the date. */
  go: string;
  machine: string;
  measuredOn: string;
  /** The values a scenario gets: runtime.costs and runtime.gc keys. */
  runtime: { costs: Record<string, number>; gc: Record<string, number> };
  /** The raw measurements the values were derived from. */
  measurements: Record<string, number>;
}

/** The calibrations shipped in calibrations/, by name. */
export function calibrationNames(): string[] {
  if (!existsSync(CALIBRATIONS_DIR)) return [];
  return readdirSync(CALIBRATIONS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * Read a calibration by name or path; throws an Error whose message says what was expected and found
 * (the caller adds the file and the `calibration` path).
 */
/** The file a `calibration:` reference names (a name in calibrations/, or a .json path relative to the scenario). */
export function calibrationPath(ref: string, scenarioDir: string): string {
  return ref.endsWith('.json')
    ? isAbsolute(ref)
      ? ref
      : resolve(scenarioDir, ref)
    : join(CALIBRATIONS_DIR, `${ref}.json`);
}

export function readCalibration(ref: string, scenarioDir: string): Calibration {
  const byPath = ref.endsWith('.json');
  const file = calibrationPath(ref, scenarioDir);
  if (!existsSync(file)) {
    const names = calibrationNames();
    throw new Error(
      byPath
        ? `expected a calibration file, found no file at ${file}`
        : `expected one of ${names.map((n) => `"${n}"`).join(', ') || '(none shipped)'} or a path to a .json ` +
            `calibration, found "${ref}"`,
    );
  }
  let cal: Partial<Calibration> | null;
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > 16 * 1024 * 1024)
      throw new Error(`expected a regular JSON file of at most 16 MiB at ${file}`);
    cal = JSON.parse(readFileSync(file, 'utf8')) as Partial<Calibration> | null;
  } catch (e) {
    if ((e as Error).message.startsWith('expected a regular')) throw e;
    throw new Error(
      `expected a JSON calibration in ${file}, found malformed JSON ` +
        `(${(e as Error).message.split('\n')[0]!.slice(0, 120)})`,
    );
  }
  if (typeof cal !== 'object' || cal === null || Array.isArray(cal))
    throw new Error(`expected a JSON object in ${file}, found ${JSON.stringify(cal)}`);
  const section = (name: 'costs' | 'gc', keys: string[]): Record<string, number> => {
    const values = cal.runtime?.[name] ?? {};
    for (const [k, v] of Object.entries(values)) {
      if (!keys.includes(k) || typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new Error(
          `expected runtime.${name} to hold non-negative numbers for ${keys.join(', ')} in ${file}, ` +
            `found ${k}: ${JSON.stringify(v)}`,
        );
      }
    }
    return values;
  };
  return {
    ...(cal as Calibration),
    runtime: {
      costs: section('costs', Object.keys(CostsSchema.shape)),
      gc: section('gc', Object.keys(GcSchema.shape)),
    },
  };
}

/** The scenario data with the calibration's values under what the scenario wrote (the scenario wins). */
export function applyCalibration(data: Record<string, unknown>, cal: Calibration): Record<string, unknown> {
  return { ...data, runtime: data.runtime === undefined ? cal.runtime : mergePatch(cal.runtime, data.runtime) };
}

import { readFileSync, statSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { basename, dirname, extname, resolve } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ScenarioSchema, STEP_KINDS, type DurationDist, type Scenario, type Step } from './schema.js';
import { applyCalibration, calibrationPath, readCalibration } from './calibration.js';

/** One thing wrong with a scenario file, located as precisely as the parser allows. */
export interface Problem {
  file: string;
  /** 1-based line and column in the file, when known. */
  line?: number;
  col?: number;
  /** Document path, e.g. `workload.request.cpu.meanMs` or `hpa.behavior.scaleUp.policies[0].periodSeconds`. */
  path: string;
  message: string;
}

/** A scenario that cannot be used; `problems` has one entry per thing to fix. */
export class ScenarioError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** `file:line:col: path: message` — the shape editors and CI logs make clickable. */
export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.col ?? 1}` : p.file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** Scenario, trace, sample and calibration files larger than this are refused (they are text a person wrote). */
export const MAX_INPUT_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Read a text input file: a regular file (not a device, FIFO or directory, which could be read forever),
 * at most MAX_INPUT_FILE_BYTES, and text (no NUL bytes). Throws ScenarioError naming `shownAs`.
 */
export function readInputText(file: string, shownAs: string = file, path = ''): string {
  const fail = (message: string): never => {
    throw new ScenarioError([{ file: shownAs, path, message }]);
  };
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`);
  }
  if (st.isDirectory()) return fail('is a directory, expected a scenario file');
  if (!st.isFile()) return fail('expected a regular file, found a device, pipe or socket');
  if (st.size > MAX_INPUT_FILE_BYTES) {
    return fail(`expected a file of at most ${MAX_INPUT_FILE_BYTES / 1024 / 1024} MiB, found ${(st.size / 1024 / 1024).toFixed(1)} MiB`);
  }
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (text.length > MAX_INPUT_FILE_BYTES) return fail(`expected a file of at most ${MAX_INPUT_FILE_BYTES / 1024 / 1024} MiB`);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new ScenarioError([{ file: shownAs, line, path, message: 'expected a text file, found binary data (a NUL byte)' }]);
  }
  return text;
}

/** Read a scenario file's text (readInputText; an empty or whitespace-only file is refused, as kubectl apply does). */
export function readScenarioText(file: string): string {
  const text = readInputText(file);
  if (text.trim() === '') throw new ScenarioError([{ file, path: '', message: 'file is empty (write {} for a scenario of all defaults)' }]);
  return text;
}

/** Read, parse and validate a scenario file (YAML or JSON). Throws ScenarioError. */
export function loadScenarioFile(file: string): Scenario {
  return resolveFiles(parseScenario(readScenarioText(file), file), file);
}

/** At most `max` characters of `s`, control and non-ASCII-printable characters escaped: a safe excerpt. */
export function excerpt(s: string, max = 60): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Read the files a scenario names — a `trace` arrival, `empirical` distributions with a `file` — and
 * put their contents in the scenario (`steps` or `timestamps`; `samplesMs`), relative to the scenario
 * file, so the model never reads files and the resolved scenario is self-contained.
 */
export function resolveFiles(s: Scenario, file: string): Scenario {
  let out = s;
  const a = s.workload.arrival;
  if (a.process === 'trace') {
    if (a.format === 'timestamps') {
      const rows = readNumberRows(file, a.file, 'workload.arrival.file', 'time_s');
      const atS = rows.map((r) => r[0]!);
      out = { ...out, workload: { ...out.workload, arrival: { process: 'timestamps', source: a.file, atS } } };
    } else {
      const rows = readNumberRows(file, a.file, 'workload.arrival.file', 'time_s,rate_per_s');
      const steps = rows.map(([atS, ratePerS]) => ({ atS: atS!, ratePerS: ratePerS! }));
      out = { ...out, workload: { ...out.workload, arrival: { process: 'steps', source: a.file, steps } } };
    }
  }
  const steps = resolveStepFiles(file, out.workload.request.steps, 'workload.request.steps');
  return steps === out.workload.request.steps ? out : { ...out, workload: { ...out.workload, request: { ...out.workload.request, steps } } };
}

/** Steps with every `empirical` distribution's file read into samplesMs (the same array if none has one). */
function resolveStepFiles(file: string, steps: Step[], path: string): Step[] {
  let changed = false;
  const dist = (d: DurationDist, where: string): DurationDist => {
    if (d.dist !== 'empirical' || d.file === undefined) return d;
    changed = true;
    const samplesMs = readNumberRows(file, d.file, `${where}.file`, 'duration_ms').map((r) => r[0]!);
    return { dist: 'empirical', samplesMs };
  };
  const out = steps.map((st, i): Step => {
    const w = `${path}[${i}]`;
    if ('cpu' in st) return { cpu: dist(st.cpu, `${w}.cpu`) };
    if ('syscall' in st) return { syscall: dist(st.syscall, `${w}.syscall`) };
    if ('netpoll' in st) return { netpoll: dist(st.netpoll, `${w}.netpoll`) };
    if ('sleep' in st) return { sleep: dist(st.sleep, `${w}.sleep`) };
    if ('locked' in st) return { locked: { ...st.locked, cpu: dist(st.locked.cpu, `${w}.locked.cpu`) } };
    if ('deep' in st) return { deep: { ...st.deep, cpu: dist(st.deep.cpu, `${w}.deep.cpu`) } };
    if ('spawn' in st) {
      const inner = resolveStepFiles(file, st.spawn.steps, `${w}.spawn.steps`);
      if (inner !== st.spawn.steps) changed = true;
      return { spawn: { ...st.spawn, steps: inner } };
    }
    if ('repeat' in st) {
      const inner = resolveStepFiles(file, st.repeat.steps, `${w}.repeat.steps`);
      if (inner !== st.repeat.steps) changed = true;
      return { repeat: { ...st.repeat, steps: inner } };
    }
    return st;
  });
  return changed ? out : steps;
}

/**
 * Rows of numbers from a CSV named by the scenario (relative to it): `columns` names the expected
 * columns ("time_s,rate_per_s"); a header line and # comments are allowed. Times, where the first
 * column is one, must not decrease; every value must be ≥ 0. Problems name the CSV line.
 */
function readNumberRows(file: string, rel: string, path: string, columns: string): number[][] {
  const csv = resolve(dirname(file), rel);
  const n = columns.split(',').length;
  const ordered = columns.startsWith('time_s');
  const at = (line: number | undefined, message: string): Problem => ({ file: csv, ...(line ? { line } : {}), path, message });
  let text: string;
  try {
    text = readInputText(csv, csv, path);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const m = e.problems[0]!.message;
    throw new ScenarioError([{ file, path, message: m === 'file not found' ? `expected a readable CSV file, found nothing at ${csv}` : `${csv}: ${m}` }]);
  }
  const rows: number[][] = [];
  const problems: Problem[] = [];
  let seenData = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (problems.length >= 20) return; // enough to fix first
    const cells = line.split(',').map((c) => c.trim());
    // A header: the first non-comment line, all words (not numbers, not Infinity or NaN).
    if (!seenData && rows.length === 0 && problems.length === 0 && cells.every((c) => /^[A-Za-z_]/.test(c) && !/^[+-]?(infinity|nan)$/i.test(c))) {
      seenData = true;
      return;
    }
    seenData = true;
    const nums = cells.slice(0, n).map((c) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(c) ? Number(c) : NaN));
    if (cells.length !== n || nums.some((x) => !Number.isFinite(x))) {
      problems.push(at(i + 1, `expected "${columns}" numbers, found "${excerpt(line, 40)}"`));
      return;
    }
    if (nums.some((x) => x < 0)) problems.push(at(i + 1, `expected non-negative numbers, found "${excerpt(line, 40)}"`));
    else if (ordered && n > 1 && rows.length > 0 && nums[0]! <= rows.at(-1)![0]!) problems.push(at(i + 1, `expected times in increasing order, found ${nums[0]} after ${rows.at(-1)![0]}`));
    else if (ordered && n === 1 && rows.length > 0 && nums[0]! < rows.at(-1)![0]!) problems.push(at(i + 1, `expected times in non-decreasing order, found ${nums[0]} after ${rows.at(-1)![0]}`));
    else rows.push(nums);
  });
  if (problems.length === 0 && rows.length === 0) problems.push(at(undefined, `expected at least one "${columns}" row, found none`));
  if (problems.length > 0) throw new ScenarioError(problems);
  return rows;
}

/**
 * Parse and validate scenario text; `file` names it in errors and supplies the default name; `dir` is
 * where relative paths in it (a calibration file) start.
 */
export function parseScenario(text: string, file: string, dir = dirname(file)): Scenario {
  const lines = new LineCounter();
  // YAML 1.2 is a superset of JSON, so one parser serves both and gives positions for both.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { file, line: pos?.line, col: pos?.col, path: '', message: `malformed ${kindOf(file)}: ${excerpt(firstLine(e.message).replace(/ at line \d+, column \d+:?$/, ''), 120)}` };
      }),
    );
  }
  let data: unknown = yamlToJs(doc, file);
  const written = data;
  let calFile: string | undefined;
  if (isRecord(data) && typeof data.calibration === 'string' && data.calibration.length > 0) {
    calFile = calibrationPath(data.calibration, dir);
    try {
      data = applyCalibration(data, readCalibration(data.calibration, dir));
    } catch (e) {
      const at = locate(doc, lines, ['calibration']);
      throw new ScenarioError([{ file, ...at, path: 'calibration', message: (e as Error).message }]);
    }
  }
  const parsed = ScenarioSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    let problems = parsed.error.issues.flatMap((i) => describeIssue(i, doc, lines, file, data));
    if (calFile !== undefined) problems = problems.map((p) => blameCalibration(p, written, calFile!));
    problems.sort((x, y) => (x.line ?? 0) - (y.line ?? 0) || (x.col ?? 0) - (y.col ?? 0));
    throw new ScenarioError(problems);
  }
  const name = parsed.data.name ?? defaultName(file);
  // `name` first, whether written or defaulted, so resolved files are identical either way.
  const { name: _written, ...rest } = parsed.data;
  return { name, ...rest };
}

/** Validate scenario data that did not come from a file (a merged variant); problems carry paths only. */
export function scenarioFromData(data: unknown, file: string, dir?: string): Scenario {
  try {
    return parseScenario(JSON.stringify(data), file, dir);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    // Positions would point into the generated text: keep the document paths and messages only.
    throw new ScenarioError(e.problems.map(({ line: _l, col: _c, ...p }) => p));
  }
}

/**
 * YAML to plain data, with the yaml library's alias limit (an "alias bomb" — a few lines that expand to
 * billions of nodes — is refused rather than exhausting memory).
 */
export function yamlToJs(doc: Document, file: string): unknown {
  try {
    return doc.toJS() ?? {}; // maxAliasCount: the library's default (100) expansions
  } catch (e) {
    const msg = (e as Error).message;
    if (/alias/i.test(msg)) {
      throw new ScenarioError([{ file, path: '', message: 'expected YAML whose aliases (*name) expand to a modest size, found too many alias expansions (an alias bomb?)' }]);
    }
    throw new ScenarioError([{ file, path: '', message: `malformed ${kindOf(file)}: ${excerpt(firstLine(msg), 120)}` }]);
  }
}

/**
 * A runtime.costs / runtime.gc value the scenario did not write came from its calibration file: the
 * problem is blamed on that file (the user fixes or re-measures the calibration, not the scenario).
 */
function blameCalibration(p: Problem, written: unknown, calFile: string): Problem {
  const m = /^runtime\.(costs|gc)\.(\w+)$/.exec(p.path);
  if (!m) return p;
  const rt = isRecord(written) && isRecord(written.runtime) ? written.runtime : {};
  const block = isRecord(rt[m[1]!]) ? (rt[m[1]!] as Record<string, unknown>) : {};
  if (m[2]! in block) return p;
  return { file: calFile, path: p.path, message: `${p.message} (from the calibration file, named by ${p.file})` };
}

function defaultName(file: string): string {
  const base = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '-');
  return /^[A-Za-z0-9]/.test(base) ? base : `scenario-${base}`;
}

function kindOf(file: string): string {
  return extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue, doc: Document, lines: LineCounter, file: string, data: unknown): Problem[] {
  const path = issue.path as PropertyKey[];
  const at = (p: PropertyKey[], keyOf?: string): Problem => ({
    file,
    ...locate(doc, lines, p, keyOf),
    path: formatPath(keyOf === undefined ? p : [...p, keyOf]),
    message: '',
  });
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return [{ ...at(path), message: `expected ${typeName(issue.expected)}, found ${describeValue(input)}` }];
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      const what = issue.origin === 'array' ? 'a list with length ' : issue.origin === 'string' ? 'length ' : 'a number ';
      return [{ ...at(path), message: `expected ${what}${op} ${String(bound)}, found ${describeValue(input)}` }];
    }
    case 'invalid_value':
      return [{ ...at(path), message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, found ${describeValue(input)}` }];
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path, data);
      return issue.keys.map((k) => ({
        ...at(path, k),
        message: `unknown key${suggest(k, allowed)}${allowed.length ? ` (expected one of: ${allowed.join(', ')})` : ''}`,
      }));
    }
    case 'invalid_union': {
      const u = issue as Issue & { discriminator?: string; options?: unknown[] };
      if (u.discriminator !== undefined && u.options) {
        const found = isRecord(input) ? input[u.discriminator] : undefined;
        return [{ ...at(path), message: `expected one of ${u.options.map((o) => JSON.stringify(o)).join(' | ')}, found ${describeValue(found)}` }];
      }
      // A plain union (a step): explain the branch whose key the user wrote, or list the kinds.
      const branches = (issue as Issue & { errors?: Issue[][] }).errors ?? [];
      const keyed = branches.filter((b) => !b.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
      if (keyed.length === 1) {
        return keyed[0]!.flatMap((i) => describeIssue({ ...i, path: [...path, ...i.path] } as Issue, doc, lines, file, data));
      }
      // Steps are the schema's only plain union.
      const found = isRecord(input) ? Object.keys(input) : [];
      const what = found.length ? `key(s) ${found.join(', ')}` : describeValue(input);
      return [{ ...at(path), message: `expected a step with exactly one of the keys ${STEP_KINDS.join(' | ')}, found ${what}` }];
    }
    case 'invalid_format':
      return [{ ...at(path), message: `expected ${issue.message.replace(/^Invalid string: /, '')}, found ${describeValue(input)}` }];
    default:
      return [{ ...at(path), message: issue.message }];
  }
}

function typeName(t: string): string {
  return t === 'int' ? 'an integer' : t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : `a ${t}`;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(excerpt(v, 60))}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}` : `${v}`;
  if (typeof v === 'boolean') return `${v}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Position of the value at `path` (or of the key `keyOf` inside it) in the source. */
function locate(doc: Document, lines: LineCounter, path: PropertyKey[], keyOf?: string): { line?: number; col?: number } {
  let node: unknown = doc.contents;
  let lastGood: unknown = node;
  for (const seg of path) {
    if (!node || typeof node !== 'object' || !('get' in node)) break;
    node = (node as { get(k: unknown, keep: boolean): unknown }).get(seg, true);
    if (node) lastGood = node;
  }
  let target = node ?? lastGood;
  if (keyOf !== undefined && isMap(target)) {
    const pair = target.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === keyOf);
    if (pair && isScalar(pair.key)) target = pair.key;
  }
  const range = (target as YamlNode | undefined)?.range;
  if (!range) return {};
  const pos = lines.linePos(range[0]);
  return { line: pos.line, col: pos.col };
}

/** Keys the schema accepts at `path`, walking zod's definitions (and the data, to pick a union member). */
function allowedKeys(path: PropertyKey[], data: unknown): string[] {
  let schema: unknown = ScenarioSchema;
  let value: unknown = data;
  const unwrap = (s: unknown): unknown => {
    for (;;) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (!def) return s;
      if (def.innerType) s = def.innerType;
      else if (def.type === 'pipe') s = def.in;
      else if (def.type === 'union' && Array.isArray(def.options)) {
        const disc = def.discriminator as string | undefined;
        const opts = def.options as unknown[];
        const v = value;
        const pick = disc && isRecord(v) ? opts.find((o) => shapeOf(o)?.[disc] && literalOf(shapeOf(o)![disc]) === v[disc]) : undefined;
        s = pick ?? opts[0];
      } else return s;
    }
  };
  schema = unwrap(schema);
  for (const seg of path) {
    const shape = shapeOf(schema);
    if (!shape || typeof seg !== 'string' || !(seg in shape)) return [];
    schema = shape[seg];
    value = isRecord(value) ? value[seg] : undefined;
    schema = unwrap(schema);
  }
  return Object.keys(shapeOf(schema) ?? {});
}

function shapeOf(s: unknown): Record<string, unknown> | undefined {
  const def = (s as { _zod?: { def?: { shape?: Record<string, unknown> } } })._zod?.def;
  return def?.shape;
}

function literalOf(s: unknown): unknown {
  const def = (s as { _zod?: { def?: { values?: unknown[] } } })._zod?.def;
  return def?.values?.[0];
}

/** " (did you mean 'x'?)" for a near-miss key, by edit distance. */
function suggest(key: string, allowed: string[]): string {
  if (allowed.length === 0) return ` "${key}"`;
  const lower = key.toLowerCase();
  const byPrefix = allowed.find((a) => a.toLowerCase().startsWith(lower) || lower.startsWith(a.toLowerCase()));
  const best = byPrefix ?? closest(key, allowed);
  return byPrefix !== undefined || distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3))
    ? ` "${key}" (did you mean "${best}"?)`
    : ` "${key}"`;
}

import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { type Document, isMap, isPair, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import {
  importManifests,
  ManifestError,
  manifestProblem,
  type Origin,
  parseManifests,
  relocate,
} from '../kubernetes/manifests.js';
import { applyCalibration, calibrationPath, readCalibration } from './calibration.js';
import { excerpt } from './excerpt.js';
import { mergePatch } from './merge.js';
import { formatPath, formatProblem, type Problem, ScenarioError } from './problem.js';
import { type DurationDist, type Scenario, ScenarioSchema, STEP_KINDS, type Step, visitStep } from './schema.js';
import { parseTraffic, TrafficError } from './traffic.js';

// The problem type and its error live in problem.ts, which the CLI's error printer loads without the parser.
export { excerpt, formatPath, formatProblem, type Problem, ScenarioError };

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
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`);
  }
  if (st.isDirectory()) return fail('is a directory, expected a scenario file');
  if (!st.isFile()) return fail('expected a regular file, found a device, pipe or socket');
  if (st.size > MAX_INPUT_FILE_BYTES) {
    return fail(
      `expected a file of at most ${MAX_INPUT_FILE_BYTES / 1024 / 1024} MiB, ` +
        `found ${(st.size / 1024 / 1024).toFixed(1)} MiB`,
    );
  }
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (text.length > MAX_INPUT_FILE_BYTES)
    return fail(`expected a file of at most ${MAX_INPUT_FILE_BYTES / 1024 / 1024} MiB`);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new ScenarioError([
      { file: shownAs, line, path, message: 'expected a text file, found binary data (a NUL byte)' },
    ]);
  }
  return text;
}

/** Read a scenario file's text (readInputText; an empty or whitespace-only file is refused, as kubectl apply does). */
export function readScenarioText(file: string): string {
  const text = readInputText(file);
  if (text.trim() === '')
    throw new ScenarioError([{ file, path: '', message: 'file is empty (write {} for a scenario of all defaults)' }]);
  return text;
}

/**
 * Read, parse and validate a scenario file (YAML or JSON). Throws ScenarioError. Warnings (fields of the
 * Kubernetes manifests it names that the model does not read; a trace's rebased times) are appended to
 * `warnings` when given.
 */
export function loadScenarioFile(file: string, warnings?: Problem[]): Scenario {
  return resolveFiles(parseScenario(readScenarioText(file), file, dirname(file), warnings), file, warnings);
}

/**
 * Read the files a scenario names — a `trace` arrival, `empirical` distributions with a `file` — and
 * put their contents in the scenario (`steps` or `timestamps`; `samplesMs`), relative to the scenario
 * file, so the model never reads files and the resolved scenario is self-contained.
 */
export function resolveFiles(s: Scenario, file: string, warnings?: Problem[]): Scenario {
  let out = s;
  const a = s.workload.arrival;
  if (a.process === 'trace') {
    const traffic = readTraffic(file, a, s.durationS, warnings);
    if (a.format === 'timestamps') {
      const atS = traffic.map((r) => r[0]!);
      out = { ...out, workload: { ...out.workload, arrival: { process: 'timestamps', source: a.file, atS } } };
    } else {
      const steps = traffic.map(([atS, ratePerS]) => ({ atS: atS!, ratePerS: ratePerS! * a.rateScale }));
      out = { ...out, workload: { ...out.workload, arrival: { process: 'steps', source: a.file, steps } } };
    }
  }
  const steps = resolveStepFiles(file, out.workload.request.steps, 'workload.request.steps');
  if (steps !== out.workload.request.steps)
    out = { ...out, workload: { ...out.workload, request: { ...out.workload.request, steps } } };
  return resolveDependencyFiles(out, file);
}

/** Dependencies' latency and connectMs given as `empirical` files, read into samplesMs. */
function resolveDependencyFiles(s: Scenario, file: string): Scenario {
  let changed = false;
  const deps = Object.fromEntries(
    Object.entries(s.dependencies).map(([name, d]) => {
      const dist = (x: DurationDist, where: string): DurationDist => {
        if (x.dist !== 'empirical' || x.file === undefined) return x;
        changed = true;
        return { dist: 'empirical', samplesMs: readDurationsMs(file, x.file, `dependencies.${name}.${where}.file`) };
      };
      return [
        name,
        {
          ...d,
          latency: dist(d.latency, 'latency'),
          pool: { ...d.pool, connectMs: dist(d.pool.connectMs, 'pool.connectMs') },
        },
      ];
    }),
  );
  return changed ? { ...s, dependencies: deps } : s;
}

/**
 * A `trace` arrival's file (relative to the scenario) read by parseTraffic (traffic.ts): CSV through d3-dsv
 * or a Prometheus query_range response. Problems name the trace file and line; warnings (rebased times,
 * counter resets, a trace shorter than the run) are appended to `warnings`.
 */
function readTraffic(
  file: string,
  a: Extract<Scenario['workload']['arrival'], { process: 'trace' }>,
  durationS: number,
  warnings?: Problem[],
): number[][] {
  const path = 'workload.arrival.file';
  const csv = resolve(dirname(file), a.file);
  if (!existsSync(csv))
    throw new ScenarioError([{ file, path, message: `expected a readable trace file, found nothing at ${csv}` }]);
  const text = readInputText(csv, csv, path);
  const fileType = a.fileType ?? (extname(csv).toLowerCase() === '.json' ? 'prometheus-json' : 'csv');
  let traffic: ReturnType<typeof parseTraffic>;
  try {
    traffic = parseTraffic(text, {
      format: a.format,
      fileType,
      ...(a.timeColumn !== undefined ? { timeColumn: a.timeColumn } : {}),
      ...(a.valueColumn !== undefined ? { valueColumn: a.valueColumn } : {}),
      ...(a.series !== undefined ? { series: a.series } : {}),
    });
  } catch (e) {
    if (!(e instanceof TrafficError)) throw e;
    throw new ScenarioError(
      e.problems.map((p) => ({ file: csv, ...(p.line ? { line: p.line } : {}), path, message: p.message })),
    );
  }
  const warn = (message: string) => warnings?.push({ file: csv, path, message });
  for (const w of traffic.warnings) warn(w.message);
  const lastS = traffic.points.at(-1)![0]!;
  if (lastS < durationS) {
    warn(
      a.format === 'timestamps'
        ? `the trace ends at ${lastS} s and the run lasts ${durationS} s: no arrivals after ${lastS} s`
        : `the trace covers 0–${lastS} s and the run lasts ${durationS} s: its last rate ` +
            `(${traffic.points.at(-1)![1]! * a.rateScale}/s) holds to the end`,
    );
  }
  return traffic.points;
}

/** Steps with every `empirical` distribution's file read into samplesMs (the same array if none has one). */
function resolveStepFiles(file: string, steps: Step[], path: string): Step[] {
  let changed = false;
  const dist = (d: DurationDist, where: string): DurationDist => {
    if (d.dist !== 'empirical' || d.file === undefined) return d;
    changed = true;
    const samplesMs = readDurationsMs(file, d.file, `${where}.file`);
    return { dist: 'empirical', samplesMs };
  };
  const out = steps.map((st, i): Step => {
    const w = `${path}[${i}]`;
    const nested = (inner: Step[], sub: string, at = `${w}.${sub}.steps`): Step[] => {
      const r = resolveStepFiles(file, inner, at);
      if (r !== inner) changed = true;
      return r;
    };
    return visitStep<Step>(st, {
      cpu: (d) => ({ cpu: dist(d, `${w}.cpu`) }),
      syscall: (d) => ({ syscall: dist(d, `${w}.syscall`) }),
      netpoll: (d) => ({ netpoll: dist(d, `${w}.netpoll`) }),
      sleep: (d) => ({ sleep: dist(d, `${w}.sleep`) }),
      alloc: () => st,
      gosched: () => st,
      spawn: (b) => ({ spawn: { ...b, steps: nested(b.steps, 'spawn') } }),
      locked: (b) => ({ locked: { ...b, cpu: dist(b.cpu, `${w}.locked.cpu`) } }),
      deep: (b) => ({ deep: { ...b, cpu: dist(b.cpu, `${w}.deep.cpu`) } }),
      send: () => st,
      recv: () => st,
      repeat: (b) => ({ repeat: { ...b, steps: nested(b.steps, 'repeat') } }),
      call: () => st,
      select: (b) => ({
        select: {
          ...b,
          timeout: dist(b.timeout, `${w}.select.timeout`),
          ready: nested(b.ready, 'select', `${w}.select.ready`),
          timedOut: nested(b.timedOut, 'select', `${w}.select.timedOut`),
        },
      }),
      close: () => st,
      rwlocked: (b) => ({ rwlocked: { ...b, cpu: dist(b.cpu, `${w}.rwlocked.cpu`) } }),
    });
  });
  return changed ? out : steps;
}

/**
 * An `empirical` distribution's file (relative to the scenario): one duration in ms per line; a header
 * line and # comments are allowed; every value must be ≥ 0. Problems name the file's line. (Traces are
 * read by readTraffic.)
 */
function readDurationsMs(file: string, rel: string, path: string): number[] {
  const columns = 'duration_ms';
  const csv = resolve(dirname(file), rel);
  const at = (line: number | undefined, message: string): Problem => ({
    file: csv,
    ...(line ? { line } : {}),
    path,
    message,
  });
  let text: string;
  try {
    text = readInputText(csv, csv, path);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const m = e.problems[0]!.message;
    throw new ScenarioError([
      {
        file,
        path,
        message: m === 'file not found' ? `expected a readable CSV file, found nothing at ${csv}` : `${csv}: ${m}`,
      },
    ]);
  }
  const rows: number[] = [];
  const problems: Problem[] = [];
  let seenData = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (problems.length >= 20) return; // enough to fix first
    const cells = line.split(',').map((c) => c.trim());
    // A header: the first non-comment line, all words (not numbers, not Infinity or NaN).
    if (
      !seenData &&
      rows.length === 0 &&
      problems.length === 0 &&
      cells.every((c) => /^[A-Za-z_]/.test(c) && !/^[+-]?(infinity|nan)$/i.test(c))
    ) {
      seenData = true;
      return;
    }
    seenData = true;
    const x = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cells[0]!) ? Number(cells[0]) : NaN;
    if (cells.length !== 1 || !Number.isFinite(x)) {
      problems.push(at(i + 1, `expected "${columns}" numbers, found "${excerpt(line, 40)}"`));
      return;
    }
    if (x < 0) problems.push(at(i + 1, `expected non-negative numbers, found "${excerpt(line, 40)}"`));
    else rows.push(x);
  });
  if (problems.length === 0 && rows.length === 0)
    problems.push(at(undefined, `expected at least one "${columns}" row, found none`));
  if (problems.length > 0) throw new ScenarioError(problems);
  return rows;
}

/**
 * Parse and validate scenario text; `file` names it in errors and supplies the default name; `dir` is
 * where relative paths in it (a calibration file) start.
 */
export function parseScenario(text: string, file: string, dir = dirname(file), warnings?: Problem[]): Scenario {
  const lines = new LineCounter();
  // YAML 1.2 is a superset of JSON, so one parser serves both and gives positions for both.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          file,
          line: pos?.line,
          col: pos?.col,
          path: '',
          message:
            `malformed ${kindOf(file)}:` +
            ` ${excerpt(firstLine(e.message).replace(/ at line \d+, column \d+:?$/, ''), 120)}`,
        };
      }),
    );
  }
  let data: unknown = yamlToJs(doc, file);
  const written = data;
  let calFile: string | undefined;
  let origins: Origin[] = [];
  if (isRecord(data) && data.kubernetes !== undefined) {
    const imported = readManifests(data.kubernetes, dir, file, doc, lines);
    origins = imported.origins;
    warnings?.push(...imported.warnings);
    // The manifests are the base; what the scenario writes itself wins.
    const { kubernetes: _files, ...own } = data;
    data = mergePatch(imported.data, own);
  }
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
    let problems = parsed.error.issues.flatMap((i) => {
      const found = describeIssue(i, doc, lines, file, data);
      // A value the scenario did not write but a manifest supplied is reported at the manifest's line.
      const path = i.path as (string | number)[];
      const from = origins.length > 0 && !doc.hasIn(path) ? relocate(origins, path) : undefined;
      return from ? found.map((p) => manifestProblem(from.source, from.manifestPath, p.message)) : found;
    });
    if (calFile !== undefined) problems = problems.map((p) => blameCalibration(p, written, calFile!));
    problems.sort((x, y) => (x.line ?? 0) - (y.line ?? 0) || (x.col ?? 0) - (y.col ?? 0));
    throw new ScenarioError(problems);
  }
  const name = parsed.data.name ?? defaultName(file);
  // `name` first, whether written or defaulted, so resolved files are identical either way.
  const { name: _written, ...rest } = parsed.data;
  return { name, ...rest };
}

/**
 * The manifests a scenario's `kubernetes:` list names (relative to the scenario), read and mapped onto
 * scenario data (src/kubernetes/manifests.ts). Problems name the manifest's file, document and path.
 */
function readManifests(list: unknown, dir: string, file: string, doc: Document, lines: LineCounter) {
  const at = (path: (string | number)[], message: string): ScenarioError =>
    new ScenarioError([{ file, ...locate(doc, lines, path), path: formatPath(path), message }]);
  if (!Array.isArray(list) || list.length === 0 || !list.every((f) => typeof f === 'string' && f.length > 0)) {
    throw at(
      ['kubernetes'],
      'expected a list of Kubernetes manifest files (relative to the scenario), e.g. [deploy.yaml, hpa.yaml]',
    );
  }
  const files = (list as string[]).map((rel, i) => {
    const path = resolve(dir, rel);
    if (!existsSync(path)) throw at(['kubernetes', i], `expected a readable manifest file, found nothing at ${path}`);
    return { file: path, text: readInputText(path, path, `kubernetes[${i}]`) };
  });
  try {
    return importManifests(parseManifests(files));
  } catch (e) {
    if (e instanceof ManifestError) throw new ScenarioError(e.problems);
    throw e;
  }
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
      throw new ScenarioError([
        {
          file,
          path: '',
          message:
            'expected YAML whose aliases (*name) expand to a modest size, found too many alias expansions (an ' +
            'alias bomb?)',
        },
      ]);
    }
    throw new ScenarioError([
      { file, path: '', message: `malformed ${kindOf(file)}: ${excerpt(firstLine(msg), 120)}` },
    ]);
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
      const what =
        issue.origin === 'array' ? 'a list with length ' : issue.origin === 'string' ? 'length ' : 'a number ';
      return [{ ...at(path), message: `expected ${what}${op} ${String(bound)}, found ${describeValue(input)}` }];
    }
    case 'invalid_value': {
      const expected = issue.values.map((v) => JSON.stringify(v)).join(' | ');
      const message = `expected one of ${expected}, found ${describeValue(input)}${didYouMean(input, issue.values)}`;
      return [{ ...at(path), message }];
    }
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path, data);
      return issue.keys.map((k) => ({
        ...at(path, k),
        message:
          `unknown key${suggest(k, allowed)}` + (allowed.length ? ` (expected one of: ${allowed.join(', ')})` : ''),
      }));
    }
    case 'invalid_union': {
      const u = issue as Issue & { discriminator?: string; options?: unknown[] };
      if (u.discriminator !== undefined && u.options) {
        const found = isRecord(input) ? input[u.discriminator] : undefined;
        const expected = u.options.map((o) => JSON.stringify(o)).join(' | ');
        const message = `expected one of ${expected}, found ${describeValue(found)}${didYouMean(found, u.options)}`;
        return [{ ...at(path), message }];
      }
      const branches = (issue as Issue & { errors?: Issue[][] }).errors ?? [];
      // A step (an element of a `steps` list): explain the branch whose key the user wrote, or list the kinds.
      if (typeof path.at(-1) === 'number' && path.at(-2) === 'steps') {
        const keyed = branches.filter((b) => !b.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
        if (keyed.length === 1) {
          return keyed[0]!.flatMap((i) =>
            describeIssue({ ...i, path: [...path, ...i.path] } as Issue, doc, lines, file, data),
          );
        }
        const found = isRecord(input) ? Object.keys(input) : [];
        const what = found.length ? `key(s) ${found.join(', ')}` : describeValue(input);
        const hint = found.length === 1 ? didYouMean(found[0], STEP_KINDS) : '';
        return [
          {
            ...at(path),
            message: `expected a step with exactly one of the keys ${STEP_KINDS.join(' | ')}, found ${what}${hint}`,
          },
        ];
      }
      // Any other union of values (gogc: a number or "off"): what each alternative expects, then what was found.
      const expected = branches.map((b) =>
        b
          .flatMap((i) => describeIssue({ ...i, path: [...path, ...i.path] } as Issue, doc, lines, file, data))
          .map((p) => p.message.replace(/^expected /, '').replace(/, found [\s\S]*$/, ''))
          .join(' and '),
      );
      return [
        { ...at(path), message: `expected ${[...new Set(expected)].join(' or ')}, found ${describeValue(input)}` },
      ];
    }
    case 'invalid_format':
      return [
        {
          ...at(path),
          message: `expected ${issue.message.replace(/^Invalid string: /, '')}, found ${describeValue(input)}`,
        },
      ];
    default:
      return [{ ...at(path), message: issue.message }];
  }
}

function typeName(t: string): string {
  return t === 'int' ? 'an integer' : t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : `a ${t}`;
}

export function describeValue(v: unknown): string {
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
export function locate(
  doc: Document,
  lines: LineCounter,
  path: PropertyKey[],
  keyOf?: string,
): { line?: number; col?: number } {
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
        const pick =
          disc && isRecord(v)
            ? opts.find((o) => shapeOf(o)?.[disc] && literalOf(shapeOf(o)![disc]) === v[disc])
            : undefined;
        s = pick ?? opts[0];
      } else return s;
    }
  };
  schema = unwrap(schema);
  for (const seg of path) {
    if (typeof seg === 'number') {
      // A list item: the array's element schema, and the item's value (to pick its union member).
      const element = (schema as { _zod?: { def?: { type?: string; element?: unknown } } })._zod?.def;
      if (element?.type !== 'array') return [];
      schema = element.element;
      value = Array.isArray(value) ? value[seg] : undefined;
      schema = unwrap(schema);
      continue;
    }
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
  const best = nearest(key, allowed);
  return best !== undefined ? ` "${key}" (did you mean "${best}"?)` : ` "${key}"`;
}

/** " (did you mean "x"?)" when a string value is a near miss of one of the accepted values, else "". */
function didYouMean(found: unknown, options: readonly unknown[]): string {
  if (typeof found !== 'string') return '';
  const best = nearest(
    found,
    options.filter((o): o is string => typeof o === 'string'),
  );
  return best !== undefined ? ` (did you mean "${best}"?)` : '';
}

/** The allowed word a near-miss most likely meant: a prefix either way, or within a small edit distance. */
function nearest(key: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0 || key.length === 0) return undefined;
  const lower = key.toLowerCase();
  const byPrefix = allowed.find((a) => a.toLowerCase().startsWith(lower) || lower.startsWith(a.toLowerCase()));
  if (byPrefix !== undefined) return byPrefix;
  const best = closest(key, [...allowed]);
  return distance(lower, best.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

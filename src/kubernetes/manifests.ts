import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import { toMilli } from '../scenario/cluster-schema.js';
import { describeValue, formatPath, locate, type Problem } from '../scenario/load.js';
import { MANIFEST_KINDS, type ManifestKind, validateManifest } from './models.js';

/**
 * Kubernetes manifests → scenario data. A Deployment, a HorizontalPodAutoscaler (autoscaling/v2, v2beta2 or
 * v1) and a KEDA ScaledObject are checked against their typed models (models.ts), then mapped field by field
 * onto the scenario's blocks. Every field that is read is marked; every field left unread is a warning that
 * names it — nothing is dropped silently. Each mapped scenario path remembers the manifest path it came from,
 * so a value the scenario schema rejects is reported at the manifest's line (`relocate`).
 */

type Path = (string | number)[];

/** One parsed manifest document. */
export interface ManifestSource {
  file: string;
  /** 0-based position among the file's documents. */
  index: number;
  doc: Document;
  lines: LineCounter;
  data: Record<string, unknown>;
}

/** A scenario path whose value came from a manifest path. */
export interface Origin {
  scenarioPath: Path;
  source: ManifestSource;
  manifestPath: Path;
  /** The value was copied as written (a block of the same shape), so paths below it carry over. */
  sameShape: boolean;
}

export interface ManifestImport {
  /** Scenario data (not yet validated: the scenario schema checks it, errors relocated to the manifest). */
  data: Record<string, unknown>;
  origins: Origin[];
  /** What was mapped, for `gmpsim import`'s comments: scenario path ← `file#doc manifest path`. */
  mapped: { scenarioPath: string; from: string }[];
  /** Fields and documents that have no counterpart in the model, each named. */
  warnings: Problem[];
  /** The Deployment's metadata.name, if one was given. */
  deploymentName?: string;
}

/** A manifest that cannot be imported. */
export class ManifestError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.name = 'ManifestError';
  }
}

/** Where a manifest problem is: file, line and col, and `(document N) path`. */
export function manifestProblem(source: ManifestSource, path: Path, message: string): Problem {
  return {
    file: source.file,
    ...locate(source.doc, source.lines, path),
    path: `(document ${source.index + 1}${describeDoc(source)})${path.length > 0 ? ` ${formatPath(path)}` : ''}`,
    message,
  };
}

function describeDoc(s: ManifestSource): string {
  const meta = s.data.metadata as { name?: unknown } | undefined;
  return `, ${String(s.data.kind ?? '?')}${typeof meta?.name === 'string' ? ` ${meta.name}` : ''}`;
}

/** Parse every document of every file (texts already read) into sources; YAML errors are problems. */
export function parseManifests(files: { file: string; text: string }[]): ManifestSource[] {
  const sources: ManifestSource[] = [];
  const problems: Problem[] = [];
  for (const { file, text } of files) {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
    if (!Array.isArray(docs)) {
      problems.push({ file, path: '', message: 'expected Kubernetes YAML documents, found none' });
      continue;
    }
    docs.forEach((doc, index) => {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0];
        problems.push({
          file,
          line: pos?.line,
          col: pos?.col,
          path: `(document ${index + 1})`,
          message: `malformed YAML: ${e.message.split('\n')[0]}`,
        });
      }
      if (doc.errors.length > 0) return;
      const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
      if (data === null || data === undefined) return; // an empty document (a trailing ---)
      const source: ManifestSource = { file, index, doc, lines, data: isRecord(data) ? data : {} };
      if (!isRecord(data))
        problems.push(manifestProblem(source, [], 'expected a Kubernetes object (a mapping with apiVersion and kind)'));
      else sources.push(source);
    });
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return sources;
}

/** Map manifests onto scenario data. Throws ManifestError naming every problem. */
export function importManifests(sources: ManifestSource[]): ManifestImport {
  const result: ManifestImport = { data: {}, origins: [], mapped: [], warnings: [] };
  const problems: Problem[] = [];
  const byKind: { deployment?: ManifestSource; scaler?: ManifestSource } = {};
  for (const source of sources) {
    const kind = `${String(source.data.apiVersion)} ${String(source.data.kind)}`;
    if (!(MANIFEST_KINDS as readonly string[]).includes(kind)) {
      result.warnings.push(
        manifestProblem(source, [], `not modelled, ignored (gmpsim reads ${MANIFEST_KINDS.join(', ')}); found ${kind}`),
      );
      continue;
    }
    const violations = validateManifest(kind as ManifestKind, source.data);
    for (const v of violations) {
      const found = v.path.reduce<unknown>(
        (x, seg) => (x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[seg] : undefined),
        source.data,
      );
      problems.push(manifestProblem(source, v.path, `${v.message}, found ${describeValue(found)}`));
    }
    if (violations.length > 0) continue;
    const slot = kind === 'apps/v1 Deployment' ? 'deployment' : 'scaler';
    const first = byKind[slot];
    if (first) {
      const what = slot === 'deployment' ? 'Deployment' : 'autoscaler (HorizontalPodAutoscaler or ScaledObject)';
      problems.push(
        manifestProblem(
          source,
          [],
          `expected one ${what}, found a second (the first is document ${first.index + 1} of ${first.file})`,
        ),
      );
      continue;
    }
    byKind[slot] = source;
  }
  if (problems.length > 0) throw new ManifestError(problems);
  const deploymentName = (byKind.deployment?.data.metadata as { name?: unknown } | undefined)?.name;
  if (typeof deploymentName === 'string') result.deploymentName = deploymentName;
  // The Deployment first: the autoscaler's scaleTargetRef is checked against its name.
  const ordered = [byKind.deployment, byKind.scaler].filter((s): s is ManifestSource => s !== undefined);
  for (const source of ordered) {
    const m = new Mapper(source, result, problems);
    const kind = `${String(source.data.apiVersion)} ${String(source.data.kind)}` as ManifestKind;
    MAPPERS[kind](m, byKind.deployment);
    m.warnUnread();
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return result;
}

/** Reads a manifest, marking what it reads, and writes scenario paths remembering where they came from. */
class Mapper {
  private readonly read = new Set<string>();

  constructor(
    readonly source: ManifestSource,
    private readonly result: ManifestImport,
    private readonly problems: Problem[],
  ) {
    for (const p of [['apiVersion'], ['kind'], ['metadata', 'name']]) this.read.add(key(p));
  }

  /** The value at `path` (undefined if absent), not marked. */
  get(path: Path): unknown {
    let v: unknown = this.source.data;
    for (const seg of path) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string | number, unknown>)[seg];
    }
    return v;
  }

  /** The value at `path`, marked as read (with everything under it). */
  take(path: Path): unknown {
    const v = this.get(path);
    if (v !== undefined) this.read.add(key(path));
    return v;
  }

  /** Put `value` at `scenarioPath`, from `manifestPath`. */
  set(scenarioPath: Path, value: unknown, manifestPath: Path, sameShape = false): void {
    let node = this.result.data as Record<string | number, unknown>;
    scenarioPath.forEach((seg, i) => {
      if (i === scenarioPath.length - 1) node[seg] = structuredClone(value);
      else {
        node[seg] ??= typeof scenarioPath[i + 1] === 'number' ? [] : {};
        node = node[seg] as Record<string | number, unknown>;
      }
    });
    this.result.origins.push({ scenarioPath, source: this.source, manifestPath, sameShape });
    this.result.mapped.push({
      scenarioPath: formatPath(scenarioPath),
      from: `${this.source.file}#${this.source.index + 1} ${formatPath(manifestPath)}`,
    });
  }

  /** Take `manifestPath` and, when present, set it at `scenarioPath` (converted, or as written). */
  map(manifestPath: Path, scenarioPath: Path, convert?: (v: unknown) => unknown): void {
    const v = this.take(manifestPath);
    if (v !== undefined) this.set(scenarioPath, convert ? convert(v) : v, manifestPath, convert === undefined);
  }

  fail(path: Path, message: string): void {
    this.problems.push(manifestProblem(this.source, path, message));
  }

  warn(path: Path, message: string): void {
    this.result.warnings.push(manifestProblem(this.source, path, message));
  }

  /** One warning for each unread subtree (at its top), so nothing is ignored silently. */
  warnUnread(): void {
    const walk = (v: unknown, path: Path): void => {
      const k = key(path);
      if (this.read.has(k)) return;
      const readBelow = [...this.read].some((r) => r.startsWith(`${k}.`) || (k === '' && r !== ''));
      if (!readBelow) {
        this.warn(path, 'not modelled, ignored');
        return;
      }
      if (Array.isArray(v))
        v.forEach((x, i) => {
          walk(x, [...path, i]);
        });
      else if (isRecord(v)) for (const [name, x] of Object.entries(v)) walk(x, [...path, name]);
    };
    walk(this.source.data, []);
  }
}

function key(path: Path): string {
  return path.map(String).join('.');
}

type MapManifest = (m: Mapper, deployment: ManifestSource | undefined) => void;

/** Each kind's mapping; a kind added to MANIFEST_KINDS without one does not compile. */
const MAPPERS: Record<ManifestKind, MapManifest> = {
  'apps/v1 Deployment': mapDeployment,
  'autoscaling/v2 HorizontalPodAutoscaler': mapHpaV2,
  'autoscaling/v2beta2 HorizontalPodAutoscaler': mapHpaV2,
  'autoscaling/v1 HorizontalPodAutoscaler': mapHpaV1,
  'keda.sh/v1alpha1 ScaledObject': mapScaledObject,
};

const MiB = 2 ** 20;
const cores = (q: unknown) => toMilli(q as string | number) / 1000;
const mebibytes = (q: unknown) => toMilli(q as string | number) / 1000 / MiB;

/**
 * apps/v1 Deployment: replicas; the pod's requests (summed over containers, as the HPA's
 * GetResourceUtilizationRatio sums them; a container with a limit and no request gets request = limit, as
 * the API server defaults it); the first container is the Go process: its limits and its GOGC, GOMAXPROCS,
 * GOMEMLIMIT and GODEBUG, and its readiness, liveness and startup probes; terminationGracePeriodSeconds;
 * the RollingUpdate strategy and minReadySeconds.
 */
function mapDeployment(m: Mapper): void {
  m.map(['spec', 'replicas'], ['cluster', 'replicas']);
  const pod = ['spec', 'template', 'spec'];
  m.map([...pod, 'terminationGracePeriodSeconds'], ['cluster', 'pod', 'terminationGracePeriodS']);
  const containers = (m.get([...pod, 'containers']) as Record<string, unknown>[] | undefined) ?? [];
  let cpuMilli = 0;
  let memBytes = 0;
  let anyCpu = false;
  let anyMem = false;
  containers.forEach((_c, i) => {
    const res = [...pod, 'containers', i, 'resources'];
    for (const [resource, add] of [
      [
        'cpu',
        (v: number) => {
          cpuMilli += v;
          anyCpu = true;
        },
      ],
      [
        'memory',
        (v: number) => {
          memBytes += v / 1000;
          anyMem = true;
        },
      ],
    ] as const) {
      const request = m.take([...res, 'requests', resource]);
      const limit = m.get([...res, 'limits', resource]);
      const q = request ?? limit;
      if (q !== undefined) add(toMilli(q as string | number));
    }
    m.take([...pod, 'containers', i, 'name']);
  });
  // Summed over every container: named `containers.*` (an error in the sum points at the list).
  const reqPath = [...pod, 'containers', '*', 'resources', 'requests'];
  if (anyCpu) m.set(['cluster', 'pod', 'cpuRequestCores'], cpuMilli / 1000, [...reqPath, 'cpu']);
  if (anyMem) m.set(['cluster', 'pod', 'memoryRequestMB'], memBytes / MiB, [...reqPath, 'memory']);
  mapStrategy(m);
  if (containers.length === 0) return;
  const go = [...pod, 'containers', 0];
  mapProbes(m, go);
  m.map([...go, 'resources', 'limits', 'cpu'], ['runtime', 'cpuLimitCores'], cores);
  m.map([...go, 'resources', 'limits', 'memory'], ['runtime', 'memoryLimitMB'], mebibytes);
  const env = (m.get([...go, 'env']) as { name?: string; value?: unknown; valueFrom?: unknown }[] | undefined) ?? [];
  env.forEach((e, i) => {
    const at = [...go, 'env', i];
    const setting = e.name !== undefined ? GO_ENV[e.name] : undefined;
    if (!setting) return;
    m.take([...at, 'name']);
    if (e.value === undefined) {
      m.warn(at, `${e.name} comes from valueFrom, which gmpsim cannot resolve: the scenario's default applies`);
      m.take(at);
      return;
    }
    const value = String(m.take([...at, 'value']));
    const mapped = setting(
      value,
      (msg) => m.fail([...at, 'value'], msg),
      (msg) => m.warn([...at, 'value'], msg),
    );
    if (mapped) m.set(mapped.path, mapped.value, [...at, 'value']);
  });
}

/**
 * spec.strategy and spec.minReadySeconds onto cluster.strategy and cluster.minReadySeconds (what timeline
 * rollouts use). RollingUpdate is the strategy modelled; Recreate is named and left out.
 */
function mapStrategy(m: Mapper): void {
  const type = m.take(['spec', 'strategy', 'type']);
  if (type !== undefined && type !== 'RollingUpdate') {
    const why = `only RollingUpdate is modelled: a timeline rollout runs as RollingUpdate, not ${JSON.stringify(type)}`;
    m.warn(['spec', 'strategy', 'type'], why);
    return;
  }
  for (const k of ['maxSurge', 'maxUnavailable']) {
    m.map(['spec', 'strategy', 'rollingUpdate', k], ['cluster', 'strategy', 'rollingUpdate', k]);
  }
  m.map(['spec', 'minReadySeconds'], ['cluster', 'minReadySeconds']);
}

/** A core/v1 Probe's timing and thresholds: the scenario's probe fields have the same names. */
const PROBE_FIELDS = [
  'initialDelaySeconds',
  'periodSeconds',
  'timeoutSeconds',
  'successThreshold',
  'failureThreshold',
] as const;

/**
 * The Go container's readiness, liveness and startup probes onto cluster.pod's (src/cluster/prober.ts).
 * The model's probe is an HTTP GET queued with the traffic: an httpGet handler is that; a tcpSocket, grpc
 * or exec handler is modelled the same way, with a warning saying so.
 */
function mapProbes(m: Mapper, container: Path): void {
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const at = [...container, probe];
    if (m.get(at) === undefined) continue;
    m.set(['cluster', 'pod', probe], {}, at);
    for (const f of PROBE_FIELDS) m.map([...at, f], ['cluster', 'pod', probe, f]);
    m.take([...at, 'httpGet']);
    for (const handler of ['tcpSocket', 'grpc', 'exec']) {
      if (m.take([...at, handler]) !== undefined) {
        const why = `a ${handler} probe is modelled as an HTTP GET queued with the traffic (src/cluster/prober.ts)`;
        m.warn([...at, handler], why);
      }
    }
  }
}

type GoEnv = (
  value: string,
  fail: (m: string) => void,
  warn: (m: string) => void,
) => { path: Path; value: unknown } | undefined;

/** The Go runtime's environment variables, read as the runtime reads them. */
const GO_ENV: Record<string, GoEnv> = {
  // readGOGC (mgcpacer.go): "off" disables; a number is the percentage (negative also disables).
  GOGC: (v, fail) => {
    if (v === 'off') return { path: ['runtime', 'gc', 'gogc'], value: 'off' };
    if (!/^-?\d+$/.test(v))
      return void fail(`expected GOGC as an integer or "off" (readGOGC), found ${JSON.stringify(v)}`);
    const n = Number(v);
    return { path: ['runtime', 'gc', 'gogc'], value: n < 0 ? 'off' : n };
  },
  // schedinit (proc.go): GOMAXPROCS=n with n > 0 sets the Ps.
  GOMAXPROCS: (v, fail) => {
    if (!/^\d+$/.test(v) || Number(v) < 1)
      return void fail(`expected GOMAXPROCS as an integer ≥ 1, found ${JSON.stringify(v)}`);
    return { path: ['runtime', 'gomaxprocs'], value: Number(v) };
  },
  // readGOMEMLIMIT / parseByteCount (mgcpacer.go, string.go): "off", or bytes with B, KiB, MiB, GiB, TiB.
  GOMEMLIMIT: (v, fail) => {
    if (v === 'off') return undefined;
    const m = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(v);
    if (!m)
      return void fail(
        `expected GOMEMLIMIT as bytes with an optional B, KiB, MiB, GiB or TiB suffix, or "off" ` +
          `(parseByteCount), found ${JSON.stringify(v)}`,
      );
    const scale = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 }[m[2] ?? 'B']!;
    return { path: ['runtime', 'gc', 'memoryLimitMB'], value: (Number(m[1]) * scale) / MiB };
  },
  GODEBUG: (v, _fail, warn) => {
    const names = v
      .split(',')
      .map((s) => s.split('=')[0]!.trim())
      .filter(Boolean);
    warn(`GODEBUG settings are not modelled, ignored: ${names.join(', ') || '(empty)'}`);
    return undefined;
  },
};

/** scaleTargetRef must name the Deployment given beside it (kind Deployment, same name). */
function checkTarget(m: Mapper, deployment: ManifestSource | undefined, kindRequired: boolean): void {
  const ref = ['spec', 'scaleTargetRef'];
  const kind = m.take([...ref, 'kind']);
  const name = m.take([...ref, 'name']);
  m.take([...ref, 'apiVersion']);
  if ((kindRequired || kind !== undefined) && kind !== 'Deployment')
    m.fail([...ref, 'kind'], `expected Deployment (gmpsim scales a Deployment), found ${JSON.stringify(kind)}`);
  const target = (deployment?.data.metadata as { name?: unknown } | undefined)?.name;
  if (deployment && name !== target) {
    m.fail(
      [...ref, 'name'],
      `expected the Deployment given beside it, "${String(target)}" (${deployment.file}), ` +
        `found ${JSON.stringify(name)}`,
    );
  }
}

/** autoscaling/v2 and v2beta2: the spec is the `hpa` block's shape (metrics and behavior as written). */
function mapHpaV2(m: Mapper, deployment: ManifestSource | undefined): void {
  checkTarget(m, deployment, true);
  m.map(['spec', 'minReplicas'], ['hpa', 'minReplicas']);
  m.map(['spec', 'maxReplicas'], ['hpa', 'maxReplicas']);
  m.map(['spec', 'behavior'], ['hpa', 'behavior']);
  const metrics = (m.get(['spec', 'metrics']) as Record<string, unknown>[] | undefined) ?? [];
  metrics.forEach((metric, i) => {
    const at = ['spec', 'metrics', i];
    const type = m.take([...at, 'type']);
    const out: Record<string, unknown> = { type };
    // The source's own key (resource, pods, …): what the model reads of each, selectors left for warnings.
    const fields: Record<string, Path[]> = {
      resource: [['name'], ['target']],
      containerResource: [['name'], ['container'], ['target']],
      pods: [['metric', 'name'], ['target']],
      object: [['describedObject'], ['metric', 'name'], ['target']],
      external: [['metric', 'name'], ['target']],
    };
    for (const [source, paths] of Object.entries(fields)) {
      if (metric[source] === undefined) continue;
      const block: Record<string, unknown> = {};
      for (const p of paths) {
        const v = m.take([...at, source, ...p]);
        if (v === undefined) continue;
        if (p.length === 2) block[p[0] as string] = { [p[1] as string]: v };
        else block[p[0] as string] = v;
      }
      out[source] = block;
    }
    m.set(['hpa', 'metrics', i], out, at, true);
  });
}

/** autoscaling/v1: targetCPUUtilizationPercentage is the one metric (absent: the API's default, 80%). */
function mapHpaV1(m: Mapper, deployment: ManifestSource | undefined): void {
  checkTarget(m, deployment, true);
  m.map(['spec', 'minReplicas'], ['hpa', 'minReplicas']);
  m.map(['spec', 'maxReplicas'], ['hpa', 'maxReplicas']);
  m.map(['spec', 'targetCPUUtilizationPercentage'], ['hpa', 'metrics'], (v) => [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: v } } },
  ]);
}

/**
 * keda.sh/v1alpha1 ScaledObject: polling, cooldown and the replica bounds; one `prometheus` trigger whose
 * threshold and activationThreshold become the model's trigger on the ingress request rate (its query is
 * taken to measure that rate, and the warning says so); `cron` triggers become keda.cron.
 */
function mapScaledObject(m: Mapper, deployment: ManifestSource | undefined): void {
  checkTarget(m, deployment, false);
  m.map(['spec', 'pollingInterval'], ['keda', 'pollingIntervalS']);
  m.map(['spec', 'cooldownPeriod'], ['keda', 'cooldownPeriodS']);
  m.map(['spec', 'minReplicaCount'], ['keda', 'minReplicaCount']);
  m.map(['spec', 'maxReplicaCount'], ['keda', 'maxReplicaCount']);
  const triggers = (m.get(['spec', 'triggers']) as { type?: unknown }[] | undefined) ?? [];
  // Cron triggers (keda.cron) besides at most one prometheus trigger (the model's one rate scaler).
  const rate = triggers.flatMap((t, i) => (t?.type === 'cron' ? [] : [i]));
  let cron = 0;
  triggers.forEach((t, i) => {
    if (t?.type !== 'cron') return;
    const at = ['spec', 'triggers', i];
    m.take([...at, 'type']);
    for (const field of ['timezone', 'start', 'end']) {
      const path = [...at, 'metadata', field];
      const v = m.take(path);
      if (typeof v !== 'string' || v === '')
        m.fail(path, `expected a string (the cron trigger's ${field}), found ${JSON.stringify(v)}`);
      else m.set(['keda', 'cron', cron, field], v, path);
    }
    const path = [...at, 'metadata', 'desiredReplicas'];
    const v = m.take(path);
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isInteger(n))
      m.fail(path, `expected an integer (KEDA's metadata values are strings of numbers), found ${JSON.stringify(v)}`);
    else m.set(['keda', 'cron', cron, 'desiredReplicas'], n, path);
    cron++;
  });
  if (rate.length !== 1) {
    const message = `expected one trigger besides cron triggers (the model has one rate scaler), found ${rate.length}`;
    m.fail(['spec', 'triggers'], message);
    return;
  }
  const at = ['spec', 'triggers', rate[0]!];
  const type = m.take([...at, 'type']);
  if (type !== 'prometheus') {
    m.fail(
      [...at, 'type'],
      `expected a prometheus trigger (the model's scaler is the ingress request rate), found ${JSON.stringify(type)}`,
    );
    return;
  }
  const number = (field: string, scenarioField: string) => {
    const path = [...at, 'metadata', field];
    const v = m.take(path);
    if (v === undefined) return;
    const n = Number(v);
    if (v === '' || !Number.isFinite(n))
      m.fail(path, `expected a number (KEDA's metadata values are strings of numbers), found ${JSON.stringify(v)}`);
    else m.set(['keda', 'trigger', scenarioField], n, path);
  };
  number('threshold', 'threshold');
  number('activationThreshold', 'activationThreshold');
  const query = m.take([...at, 'metadata', 'query']);
  if (query !== undefined)
    m.warn(
      [...at, 'metadata', 'query'],
      'modelled as the ingress request rate (ingress_requests_per_second), whatever the query says',
    );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A scenario-schema problem at `path` that the scenario file did not write itself but a manifest supplied:
 * the manifest's file, line and path (the longest mapped prefix, the rest of the path carried over).
 */
export function relocate(origins: Origin[], path: Path): { source: ManifestSource; manifestPath: Path } | undefined {
  let best: Origin | undefined;
  for (const o of origins) {
    if (o.scenarioPath.length > path.length || !o.scenarioPath.every((s, i) => s === path[i])) continue;
    if (!best || o.scenarioPath.length > best.scenarioPath.length) best = o;
  }
  if (!best) return undefined;
  const rest = path.slice(best.scenarioPath.length);
  return { source: best.source, manifestPath: best.sameShape ? [...best.manifestPath, ...rest] : best.manifestPath };
}

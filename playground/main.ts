/**
 * The playground page: pick a lesson (a curated scenario), edit its YAML (problems shown at their line,
 * the messages of `gmpsim validate`), move the knobs that matter to it, and watch the run the worker
 * streams: a chosen pod's Ps, run queues and Ms as lanes, its Gs moving between them, the cluster's pods
 * and HPA, live charts.
 * The page only draws; every number comes from the worker, which runs the CLI's model code.
 */

import { BUNDLED_FILES } from 'gmpsim-bundled-files';
import { type Document, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Scenario } from '../src/scenario/schema.js';
import { checkScenario, type ProblemView } from './check.js';
import type { ClusterFrame, RunChunk, SchedFrame } from './core.js';
import { P_HANDOFF, P_PREEMPT, P_SYSCALL } from './frame-bits.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Frames of the chosen pod recorded per run (evenly spaced in simulated time). */
const FRAMES = 3000;
/** "whole run in 20 s": the default playback speed. */
const FIT_S = 20;

/** What the page knows of the current run, filled in as chunks arrive. */
interface RunView {
  id: number;
  scenario: Scenario;
  endNs: number;
  tNs: number;
  columns: string[];
  rows: number[][];
  podColumns: string[];
  podRows: (number | string)[][];
  hpa: RunChunk['hpa'];
  frames: SchedFrame[];
  cluster: ClusterFrame[];
  /** Per pod sample: mean CPU of the running pods as a % of their request (the HPA's Resource metric, unlagged). */
  podUtilT: number[];
  podUtilPct: number[];
  /** Pods averaged into the last podUtilPct entry. */
  podUtilN: number;
  summaryJson?: string;
  wallMs?: number;
}

/** Exposed for the browser test and the curious: state of the page and its measured speed. */
const stats = {
  state: 'loading' as 'loading' | 'running' | 'done' | 'invalid' | 'failed',
  loadedAtMs: 0,
  firstVisibleMs: NaN,
  runs: 0,
  summaryJson: '',
  problems: [] as ProblemView[],
  /** Animation frame rate (frames/s), per wall second while the worker was simulating. */
  fpsWhileSimulating: [] as number[],
  /** Main-thread time of each animation frame's work (ms) while the worker was simulating: the page's own cost. */
  frameWorkMsWhileSimulating: [] as number[],
  /** Animation frame rate (frames/s), per wall second while playing a finished run (the worker idle). */
  fpsWhilePlaying: [] as number[],
  /** Main-thread time of each animation frame's work (ms) while playing a finished run (Gs moving). */
  frameWorkMsWhilePlaying: [] as number[],
  /** Animation frames that drew at least one G part-way between where it was and where it goes. */
  tweenFrames: 0,
  /** Stretches of close frames the worker sent for slow playback. */
  detailWindows: 0,
  /** The pod whose scheduler is shown, and the pods the run has had so far. */
  pod: 0,
  pods: [] as number[],
  runWallMs: NaN,
  error: '',
};
(globalThis as unknown as { playground: typeof stats }).playground = stats;

// ---------------------------------------------------------------- lessons and editor

const lessons = Object.keys(BUNDLED_FILES).filter((p) => /^\/scenarios\/[^/]+\.yaml$/.test(p));
const lessonSel = $<HTMLSelectElement>('lesson');
const code = $<HTMLTextAreaElement>('code');
const gutter = $('gutter');
const highlight = $('highlight');
const problemsEl = $('problems');
const statusEl = $('status');
const seedEl = $<HTMLInputElement>('seed');

let file = '';
let lastGood: { text: string; scenario: Scenario } | undefined;
let knobOrigin: { peak: number; rates: number[] } | undefined;

for (const p of lessons) {
  const o = document.createElement('option');
  o.value = p;
  o.textContent = p.replace(/^\/scenarios\//, '').replace(/\.yaml$/, '');
  lessonSel.append(o);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/** Line numbers, the error lines marked, and each line's messages written after it. */
function renderEditor(problems: ProblemView[]): void {
  const lines = code.value.split('\n');
  const byLine = new Map<number, string[]>();
  for (const p of problems)
    if (p.line !== undefined)
      byLine.set(p.line, [...(byLine.get(p.line) ?? []), `${p.path ? `${p.path}: ` : ''}${p.message}`]);
  gutter.innerHTML = lines
    .map((_, i) =>
      byLine.has(i + 1)
        ? `<span class="bad" title="${escapeHtml(byLine.get(i + 1)!.join('\n'))}">${i + 1}</span>`
        : String(i + 1),
    )
    .join('\n');
  highlight.innerHTML = lines
    .map((l, i) => {
      const msgs = byLine.get(i + 1);
      return msgs
        ? `<span class="bad">${escapeHtml(l) || ' '}</span>` +
            `<span class="msg">   ← ${escapeHtml(msgs.join('; '))}</span>`
        : escapeHtml(l);
    })
    .join('\n');
  const longest = Math.max(...lines.map((l) => l.length), 40);
  code.style.height = `${lines.length * 18 + 12}px`;
  code.style.width = `${longest + 4}ch`;
  problemsEl.innerHTML = problems.map((p) => `<li>${escapeHtml(p.text)}</li>`).join('');
}

/** Validate the editor's text; valid → start a run, invalid → show the problems and keep the last good run. */
function validateAndRun(): void {
  const text = code.value;
  const checked = checkScenario(text, file);
  if ('problems' in checked) {
    const ps = checked.problems;
    stats.problems = ps;
    stats.state = 'invalid';
    renderEditor(ps);
    statusEl.textContent = `${ps.length} problem${ps.length === 1 ? '' : 's'} — showing the last good run`;
    return;
  }
  stats.problems = [];
  renderEditor([]);
  lastGood = { text, scenario: checked.scenario };
  renderKnobs();
  startRun();
}

let editTimer: ReturnType<typeof setTimeout> | undefined;
code.addEventListener('input', () => {
  renderEditor(stats.problems);
  clearTimeout(editTimer);
  editTimer = setTimeout(validateAndRun, 500);
});

function loadLesson(path: string): void {
  file = path;
  code.value = BUNDLED_FILES[path]!;
  knobOrigin = undefined;
  seedEl.value = '';
  const desc = /^description:\s*(.*)$/m.exec(code.value);
  $('description').textContent = desc ? desc[1]! : '';
  validateAndRun();
}
lessonSel.addEventListener('change', () => {
  history.replaceState(null, '', `#${lessonSel.value.replace(/^\/scenarios\//, '').replace(/\.yaml$/, '')}`);
  loadLesson(lessonSel.value);
});
seedEl.addEventListener('change', () => validateAndRun());
$('run').addEventListener('click', () => validateAndRun());

// ---------------------------------------------------------------- knobs (they edit the YAML)

interface Knob {
  label: string;
  min: number;
  max: number;
  step: number;
  get(doc: Document, s: Scenario): number;
  set(doc: Document, v: number): void;
}

/** Scalars of the arrival that set its rate (ratePerS of steps, states; diurnal mean and amplitude). */
function rateNodes(doc: Document): { node: { value: unknown } }[] {
  const out: { node: { value: unknown } }[] = [];
  const walk = (n: unknown): void => {
    if (isMap(n)) {
      for (const it of n.items) {
        const k = isScalar(it.key) ? it.key.value : undefined;
        if (
          (k === 'ratePerS' || k === 'meanPerS' || k === 'amplitudePerS') &&
          isScalar(it.value) &&
          typeof it.value.value === 'number'
        )
          out.push({ node: it.value });
        else walk(it.value);
      }
    } else if (isSeq(n)) for (const it of n.items) walk(it);
  };
  walk(doc.getIn(['workload', 'arrival'], true));
  return out;
}

function knobsFor(doc: Document, s: Scenario): Knob[] {
  const out: Knob[] = [];
  const num = (path: (string | number)[], fallback: number) => (doc: Document) => {
    const v = doc.getIn(path);
    return typeof v === 'number' ? v : fallback;
  };
  if (s.runtime.scheduler === 'gmp' || s.runtime.scheduler === 'ideal-fifo') {
    out.push({
      label: 'GOMAXPROCS',
      min: 1,
      max: 16,
      step: 1,
      get: num(['runtime', 'gomaxprocs'], s.runtime.gomaxprocs),
      set: (d, v) => d.setIn(['runtime', 'gomaxprocs'], v),
    });
  }
  if (doc.hasIn(['runtime', 'gc'])) {
    out.push({
      label: 'GOGC',
      min: 25,
      max: 800,
      step: 25,
      get: (d) => {
        const v = d.getIn(['runtime', 'gc', 'gogc']);
        return typeof v === 'number' ? v : s.runtime.gc.gogc === 'off' ? 800 : s.runtime.gc.gogc;
      },
      set: (d, v) => d.setIn(['runtime', 'gc', 'gogc'], v),
    });
  }
  const rates = rateNodes(doc);
  if (rates.length > 0) {
    if (!knobOrigin) {
      const vals = rates.map((r) => r.node.value as number);
      knobOrigin = { peak: Math.max(...vals), rates: vals };
    }
    const o = knobOrigin;
    if (o.peak > 0 && o.rates.length === rates.length) {
      out.push({
        label: 'arrival rate, peak req/s (all rates scaled)',
        min: Math.max(0.01, +(o.peak / 4).toPrecision(2)),
        max: +(o.peak * 3).toPrecision(2),
        step: +(o.peak / 40).toPrecision(1),
        get: (d) => Math.max(...rateNodes(d).map((r) => r.node.value as number)),
        set: (d, v) => {
          for (const [i, r] of rateNodes(d).entries()) r.node.value = +((o.rates[i]! * v) / o.peak).toFixed(3);
        },
      });
    }
  }
  if (doc.hasIn(['runtime', 'cpuLimitCores'])) {
    out.push({
      label: 'CPU limit, cores',
      min: 0.5,
      max: 16,
      step: 0.5,
      get: num(['runtime', 'cpuLimitCores'], 1),
      set: (d, v) => d.setIn(['runtime', 'cpuLimitCores'], v),
    });
  }
  if (s.hpa) {
    const i = s.hpa.metrics.findIndex((m) => m.type === 'Resource' && m.resource.target.type === 'Utilization');
    if (i >= 0 && doc.hasIn(['hpa', 'metrics', i, 'resource', 'target'])) {
      const path = ['hpa', 'metrics', i, 'resource', 'target', 'averageUtilization'];
      out.push({
        label: 'HPA target, % CPU of request',
        min: 10,
        max: 100,
        step: 5,
        get: num(path, 80),
        set: (d, v) => d.setIn(path, v),
      });
    }
    // With a behavior the window is behavior.scaleDown's; without, the controller flag (adding a
    // behavior would change scale-up too).
    const path = doc.hasIn(['hpa', 'behavior'])
      ? ['hpa', 'behavior', 'scaleDown', 'stabilizationWindowSeconds']
      : ['hpa', 'controller', 'downscaleStabilizationS'];
    const dflt = s.hpa.behavior?.scaleDown?.stabilizationWindowSeconds ?? s.hpa.controller.downscaleStabilizationS;
    out.push({
      label: 'scale-down stabilisation window, s',
      min: 0,
      max: 600,
      step: 15,
      get: num(path, dflt),
      set: (d, v) => d.setIn(path, v),
    });
    out.push({
      label: 'maxReplicas',
      min: 1,
      max: 50,
      step: 1,
      get: num(['hpa', 'maxReplicas'], s.hpa.maxReplicas),
      set: (d, v) => d.setIn(['hpa', 'maxReplicas'], v),
    });
  }
  return out;
}

function renderKnobs(): void {
  const box = $('knobs');
  box.innerHTML = '';
  if (!lastGood) return;
  const doc = parseDocument(lastGood.text);
  knobsFor(doc, lastGood.scenario).forEach((k, i) => {
    const label = document.createElement('label');
    label.textContent = k.label;
    label.htmlFor = `knob-${i}`;
    const input = document.createElement('input');
    Object.assign(input, {
      type: 'range',
      id: `knob-${i}`,
      min: String(k.min),
      max: String(k.max),
      step: String(k.step),
    });
    input.dataset.knob = k.label;
    const v = k.get(doc, lastGood!.scenario);
    input.value = String(v);
    const out = document.createElement('output');
    out.textContent = String(v);
    input.addEventListener('input', () => (out.textContent = input.value));
    input.addEventListener('change', () => {
      const d = parseDocument(code.value);
      if (d.errors.length > 0) return; // the text is broken: fix it first
      k.set(d, Number(input.value));
      code.value = d.toString();
      validateAndRun();
    });
    box.append(label, input, out);
  });
}

// ---------------------------------------------------------------- the worker

const worker = new Worker('worker.js', { type: 'module' });
let view: RunView | undefined;
let nextId = 0;
/**
 * Close frames for slow playback (from the worker's `detail`): when the run's own frames would be more
 * than DETAIL_GAP_MS of wall time apart, the page plays these instead, DETAIL_FPS per second of wall time,
 * so each G is seen moving from where it was to where it goes.
 */
let detail: { tNs: number; endNs: number; frames: SchedFrame[] } | undefined;
let detailPending = false;
const DETAIL_GAP_MS = 250;
const DETAIL_FPS = 30;
const DETAIL_WALL_MS = 3000;

/** An exact frame from the inspector (step / rewind), shown until the playhead moves on. */
let inspected: { tNs: number; frame: SchedFrame | undefined; cluster: ClusterFrame; log: string[] } | undefined;

function post(m: WorkerRequest): void {
  worker.postMessage(m);
}

/** The seed box: empty means the scenario's own seed (as `gmpsim run` without --seed). */
function seedOpt(): { seed?: number } {
  const seed = Number(seedEl.value);
  return seedEl.value.trim() !== '' && Number.isSafeInteger(seed) && seed >= 0 ? { seed } : {};
}

function startRun(keepPlayhead = false): void {
  if (!lastGood) return;
  const resumeAt = playhead;
  const id = ++nextId;
  view = {
    id,
    scenario: lastGood.scenario,
    endNs: lastGood.scenario.durationS * 1e9,
    tNs: 0,
    columns: [],
    rows: [],
    podColumns: [],
    podRows: [],
    hpa: [],
    frames: [],
    cluster: [],
    podUtilT: [],
    podUtilPct: [],
    podUtilN: 0,
  };
  inspected = undefined;
  detail = undefined;
  playhead = keepPlayhead ? resumeAt : 0;
  playing = true;
  if (!keepPlayhead) setPods([]);
  stats.state = 'running';
  stats.summaryJson = '';
  stats.runs++;
  $('summary').innerHTML = '';
  $('summary-json').textContent = '';
  statusEl.textContent = 'simulating…';
  post({ type: 'run', id, text: lastGood.text, file, ...seedOpt(), pod: stats.pod, frames: FRAMES });
}

worker.onmessage = (e: MessageEvent<WorkerReply>) => {
  const m = e.data;
  switch (m.type) {
    case 'chunk': {
      if (!view || m.id !== view.id) return;
      const c = m.chunk;
      if (c.columns) view.columns = c.columns;
      if (c.podColumns) view.podColumns = c.podColumns;
      view.rows.push(...c.rows);
      view.podRows.push(...c.podRows);
      view.hpa.push(...c.hpa);
      view.frames.push(...c.frames);
      view.cluster.push(...c.cluster);
      notePods(c.cluster);
      view.tNs = c.tNs;
      view.endNs = c.endNs;
      addPodUtil(view, c.podRows);
      // performance.now() counts from the navigation's start: load to the first frame or row on screen.
      if (Number.isNaN(stats.firstVisibleMs) && (view.rows.length > 0 || view.frames.length > 0))
        stats.firstVisibleMs = performance.now();
      return;
    }
    case 'done': {
      if (!view || m.id !== view.id) return;
      view.summaryJson = m.summaryJson;
      view.wallMs = m.wallMs;
      stats.summaryJson = m.summaryJson;
      stats.runWallMs = m.wallMs;
      stats.state = 'done';
      statusEl.textContent = `simulated ${view.scenario.durationS} s in ${(m.wallMs / 1000).toFixed(2)} s`;
      renderSummary(JSON.parse(m.summaryJson));
      return;
    }
    case 'invalid':
      stats.state = 'invalid';
      statusEl.textContent = m.problems.map((p) => p.text).join('; ');
      return;
    case 'inspected': {
      const last = m.steps.at(-1);
      inspected = {
        tNs: m.tNs,
        frame: m.frame,
        cluster: m.cluster,
        log: m.steps.flatMap((s) => [
          `${(s.tNs / 1e6).toFixed(6)} ms  event ${s.kind}`,
          ...s.log.map((l) => `    ${l}`),
        ]),
      };
      playhead = m.tNs;
      statusEl.textContent = last
        ? `stepped: ${last.kind} at ${(last.tNs / 1e9).toFixed(9)} s`
        : `at ${(m.tNs / 1e9).toFixed(6)} s`;
      return;
    }
    case 'detail': {
      detailPending = false;
      if (!view || m.id !== view.id || m.frames.length < 2) return;
      const endNs = m.frames[m.frames.length - 1]!.tNs;
      // The next stretch continues the one playing: keep both (less what is well behind the playhead).
      if (detail && m.tNs === detail.endNs && playhead >= detail.tNs) {
        const keep = detail.frames.filter((f) => f.tNs >= playhead - m.spanNs);
        detail = { tNs: keep[0]?.tNs ?? m.tNs, endNs, frames: [...keep, ...m.frames.filter((f) => f.tNs > m.tNs)] };
      } else detail = { tNs: m.frames[0]!.tNs, endNs, frames: m.frames };
      stats.detailWindows++;
      return;
    }
    case 'failed':
      stats.state = 'failed';
      stats.error = m.message;
      statusEl.textContent = `the simulation failed: ${m.message.split('\n')[0]}`;
      console.error(m.message);
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown reply ${JSON.stringify(never)}`);
    }
  }
};

function addPodUtil(v: RunView, rows: (number | string)[][]): void {
  const req = v.scenario.cluster.pod.cpuRequestCores;
  for (const r of rows) {
    // t_s and cpu_cores are numbers; only the optional phase / revision columns after them are text.
    const t = Number(r[0]);
    const pct = (Number(r[5]) / req) * 100;
    const n = v.podUtilT.length;
    if (n > 0 && v.podUtilT[n - 1] === t) {
      // a running mean over the pods of this sample
      const k = v.podUtilN;
      v.podUtilPct[n - 1] = (v.podUtilPct[n - 1]! * k + pct) / (k + 1);
      v.podUtilN = k + 1;
    } else {
      v.podUtilT.push(t);
      v.podUtilPct.push(pct);
      v.podUtilN = 1;
    }
  }
}

// biome-ignore lint/suspicious/noExplicitAny: summary.json's shape is the model's; the worker sends it as built
function renderSummary(s: Record<string, any>): void {
  const rows: [string, string][] = [
    ['requests completed', String(s.requests.completed)],
    ['throughput', `${s.throughputPerS.toFixed(1)} /s`],
    [
      'latency p50 / p99 / p99.9',
      `${s.latencyMs.p50.toFixed(2)} / ${s.latencyMs.p99.toFixed(2)} / ${s.latencyMs.p999.toFixed(2)} ms`,
    ],
    ['utilisation of the Ps', `${(s.utilization * 100).toFixed(1)} %`],
    ['replicas max / at end', `${s.cluster.maxReplicas} / ${s.cluster.replicasAtEnd}`],
    ['requests failed / rejected', `${s.requests.failed} / ${s.cluster.rejected}`],
  ];
  if (s.gmp) {
    rows.push(
      ['steals / preemptions / handoffs', `${s.gmp.steals} / ${s.gmp.preemptions} / ${s.gmp.handoffs}`],
      ['threads', String(s.gmp.threads)],
    );
    if (s.gmp.gc)
      rows.push(['GC cycles, assist share', `${s.gmp.gc.cycles}, ${(s.gmp.gc.assistFraction * 100).toFixed(1)} %`]);
  }
  if (s.hpa) rows.push(['HPA rescales (up / down)', `${s.hpa.rescales} (${s.hpa.scaleUps} / ${s.hpa.scaleDowns})`]);
  if (s.fatal) rows.push(['fatal', s.fatal]);
  $('summary').innerHTML = rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('');
  $('summary-json').textContent = stats.summaryJson;
}

// ---------------------------------------------------------------- which pod

const podSel = $<HTMLSelectElement>('pod-select');

/** The pods the run has had (every index seen in a cluster frame), as the selector's options. */
function setPods(pods: number[]): void {
  stats.pods = pods;
  podSel.replaceChildren(
    ...pods.map((k) => {
      const o = document.createElement('option');
      o.value = String(k);
      o.textContent = `pod-${k}`;
      return o;
    }),
  );
  if (!pods.includes(stats.pod)) {
    const o = document.createElement('option');
    o.value = String(stats.pod);
    o.textContent = `pod-${stats.pod}`;
    podSel.prepend(o);
  }
  podSel.value = String(stats.pod);
  $('pod-caption').textContent = `pod-${stats.pod}: the Go scheduler`;
}

function notePods(frames: ClusterFrame[]): void {
  let grown = false;
  const known = new Set(stats.pods);
  for (const f of frames)
    for (const k of f.podIndex)
      if (!known.has(k)) {
        known.add(k);
        grown = true;
      }
  if (grown) setPods([...known].sort((a, b) => a - b));
}

/** Show pod `k`: the worker re-runs the lesson recording that pod's frames (same seed, same numbers). */
function choosePod(k: number): void {
  if (k === stats.pod || !lastGood) return;
  stats.pod = k;
  setPods(stats.pods);
  startRun(true);
}
podSel.addEventListener('change', () => choosePod(Number(podSel.value)));

// ---------------------------------------------------------------- transport

let playhead = 0;
let playing = true;
const playBtn = $<HTMLButtonElement>('play');
const speedSel = $<HTMLSelectElement>('speed');
const scrub = $<HTMLInputElement>('scrub');

playBtn.addEventListener('click', () => {
  playing = !playing;
  if (playing) {
    inspected = undefined;
    if (view && playhead >= view.endNs) playhead = 0;
  }
});
$('step').addEventListener('click', () => {
  if (!lastGood || !view) return;
  playing = false;
  post({
    type: 'inspect',
    id: view.id,
    text: lastGood.text,
    file,
    ...seedOpt(),
    tNs: inspected ? inspected.tNs : Math.floor(playhead),
    pod: stats.pod,
    steps: 1,
  });
});
scrub.addEventListener('input', () => {
  if (!view) return;
  playing = false;
  inspected = undefined;
  playhead = Math.min(view.tNs, (Number(scrub.value) / 1000) * view.endNs);
});

function speedNsPerMs(): number {
  if (!view) return 0;
  const v = speedSel.value;
  return v === 'fit' ? view.endNs / (FIT_S * 1000) : Number(v) * 1e6;
}

// ---------------------------------------------------------------- drawing

const STATE_COLOR = { Pending: '#adb5bd', Starting: '#f4a261', Ready: '#2a9d8f', Terminating: '#e76f51' } as const;
const M_COLOR = ['#ced4da', '#2a9d8f', '#e63946', '#457b9d', '#9d4edd'];
const P_STATUS = ['idle', 'running', 'syscall'];

function ctx2d(id: string): { c: CanvasRenderingContext2D; w: number; h: number } {
  const cv = $<HTMLCanvasElement>(id);
  const c = cv.getContext('2d')!;
  c.clearRect(0, 0, cv.width, cv.height);
  c.font = '11px system-ui, sans-serif';
  c.textBaseline = 'middle';
  return { c, w: cv.width, h: cv.height };
}

/** Index of the last frame at or before t (0 before the first; -1 when there is none). */
function frameIndexAt(list: { tNs: number }[], t: number): number {
  let lo = 0,
    hi = list.length - 1,
    best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.tNs <= t) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 ? best : list.length > 0 ? 0 : -1;
}

function frameAt<T extends { tNs: number }>(list: T[], t: number): T | undefined {
  let lo = 0,
    hi = list.length - 1,
    best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.tNs <= t) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 ? list[best] : list[0];
}

function gBox(c: CanvasRenderingContext2D, x: number, y: number, goid: number, fill: string, dashed = false): void {
  c.fillStyle = fill;
  c.fillRect(x, y, 30, 18);
  if (dashed) {
    c.setLineDash([3, 2]);
    c.strokeStyle = '#333';
    c.strokeRect(x + 0.5, y + 0.5, 29, 17);
    c.setLineDash([]);
  }
  c.fillStyle = fill === G_COLOR.netpoll ? '#1d3557' : '#fff';
  c.fillText(`G${goid}`, x + 3, y + 9, 26);
}

const G_COLOR = {
  running: '#2a9d8f',
  assisting: '#f77f00',
  runnext: '#8d99ae',
  local: '#457b9d',
  global: '#1d3557',
  syscall: '#e63946',
  netpoll: '#a8dadc',
  parked: '#6c757d',
} as const;

/** The areas off the Ps, one row each under the lanes, in SchedFrame.areas order. */
const AREAS = [
  ['global', 'global runq'],
  ['syscall', 'in syscall'],
  ['netpoll', 'netpoll (IO wait)'],
  ['parked', 'parked'],
] as const;
const AREA_ROW = 22;

/** Where each G of a frame is drawn: its box's corner, colour and whether it is runnext. */
interface Slot {
  x: number;
  y: number;
  fill: string;
  dashed: boolean;
}

interface Layout {
  laneH: number;
  areasY: number;
}

function layout(nP: number, h: number): Layout {
  const laneH = Math.max(16, Math.min(26, (h - 110 - AREAS.length * AREA_ROW) / Math.max(1, nP)));
  return { laneH, areasY: 10 + nP * laneH };
}

/** Slots of a frame's Gs (computed once per frame and canvas size). */
const slotCache = new WeakMap<SchedFrame, { key: string; slots: Map<number, Slot> }>();

function slotsOf(f: SchedFrame, w: number, h: number): Map<number, Slot> {
  const key = `${w}x${h}`;
  const hit = slotCache.get(f);
  if (hit && hit.key === key) return hit.slots;
  const { laneH, areasY } = layout(f.ps.length, h);
  const slots = new Map<number, Slot>();
  const put = (g: number, x: number, y: number, fill: string, dashed = false) => {
    if (g >= 0 && !slots.has(g)) slots.set(g, { x, y, fill, dashed });
  };
  f.ps.forEach((p, i) => {
    const by = 6 + i * laneH + (laneH - 2 - 18) / 2;
    put(p.g, 92, by, p.assisting ? G_COLOR.assisting : G_COLOR.running);
    put(p.next, 128, by, G_COLOR.runnext, true);
    let x = 166;
    for (const g of p.q) {
      if (x > w - 70) break;
      put(g, x, by, G_COLOR.local);
      x += 32;
    }
  });
  AREAS.forEach(([k], r) => {
    const y = areasY + r * AREA_ROW + 2;
    f.areas[k].forEach((g, i) => {
      const x = 100 + i * 32;
      if (x <= w - 34) put(g, x, y, G_COLOR[k]);
    });
  });
  slotCache.set(f, { key, slots });
  return slots;
}

/** Ease in and out, so a G leaves and arrives gently. */
const ease = (u: number) => (u < 0.5 ? 2 * u * u : 1 - 2 * (1 - u) * (1 - u));

/**
 * The Gs, each moving from its slot in frame f to its slot in the next frame as the playhead goes from
 * one to the other (u in [0, 1]); a G that appears fades in at its new slot, one that leaves the view
 * (exits, or beyond the rows' capacity) fades out. Returns how many were drawn part-way.
 */
function drawGs(
  c: CanvasRenderingContext2D,
  f: SchedFrame,
  next: SchedFrame | undefined,
  u: number,
  w: number,
  h: number,
): number {
  const a = slotsOf(f, w, h);
  const e = ease(Math.min(1, Math.max(0, u)));
  if (!next || e === 0) {
    for (const [g, s] of a) gBox(c, s.x, s.y, g, s.fill, s.dashed);
    return 0;
  }
  const b = slotsOf(next, w, h);
  let moving = 0;
  for (const [g, s] of a) {
    const t = b.get(g);
    if (t) {
      const x = s.x + (t.x - s.x) * e;
      const y = s.y + (t.y - s.y) * e;
      if (x !== s.x || y !== s.y) moving += e < 1 ? 1 : 0;
      gBox(c, x, y, g, e < 0.5 ? s.fill : t.fill, e < 0.5 ? s.dashed : t.dashed);
    } else {
      c.globalAlpha = 1 - e;
      gBox(c, s.x, s.y, g, s.fill, s.dashed);
      c.globalAlpha = 1;
    }
  }
  for (const [g, t] of b) {
    if (a.has(g)) continue;
    c.globalAlpha = e;
    gBox(c, t.x, t.y, g, t.fill, t.dashed);
    c.globalAlpha = 1;
  }
  return moving;
}

function drawPod(f: SchedFrame | undefined, next?: SchedFrame, u = 0): number {
  const { c, w, h } = ctx2d('pod');
  if (!f) {
    c.fillStyle = '#666';
    c.fillText(
      view?.scenario.runtime.scheduler === 'ideal-fifo'
        ? 'ideal-fifo: one queue, no Ps to draw'
        : view && view.frames.length > 0
          ? `pod-${stats.pod} has no running Go runtime at this time`
          : `waiting for the first frame of pod-${stats.pod}…`,
      10,
      20,
    );
    return 0;
  }
  const nP = f.ps.length;
  const { laneH, areasY } = layout(nP, h);
  f.ps.forEach((p, i) => {
    const y = 6 + i * laneH;
    c.fillStyle = p.status === 1 ? '#e9f5f3' : p.status === 2 ? '#fde8e9' : '#f1f3f5';
    c.fillRect(0, y, w, laneH - 2);
    c.fillStyle = '#222';
    c.fillText(`P${i} ${P_STATUS[p.status] ?? p.status}${p.m >= 0 ? ` M${p.m}` : ''}`, 4, y + laneH / 2 - 1);
    if (p.qLen > p.q.length) {
      c.fillStyle = '#222';
      c.fillText(`${p.qLen} queued`, w - 66, y + laneH / 2 - 1);
    }
  });
  // The areas off the Ps: a row each, with its count (the boxes show the first FRAME_AREA_GS).
  const counts = {
    global: f.globalRunq,
    syscall: f.gs.syscall,
    netpoll: f.gs.netpoll,
    parked: f.gs.sleep + f.gs.assistWait + f.gs.otherWait,
  };
  AREAS.forEach(([k, label], r) => {
    const y = areasY + r * AREA_ROW;
    c.fillStyle = r % 2 ? '#f8f9fa' : '#f1f3f5';
    c.fillRect(0, y, w, AREA_ROW - 1);
    c.fillStyle = '#222';
    c.fillText(`${label} ${counts[k]}`, 4, y + AREA_ROW / 2);
  });
  const moving = drawGs(c, f, next, u, w, h);
  // What happened on each lane since the previous frame, and the steals as arrows victim -> thief.
  f.pFlags.forEach((bits, i) => {
    if (!bits) return;
    const names = [bits & P_PREEMPT && 'preempted', bits & P_HANDOFF && 'handoff', bits & P_SYSCALL && 'syscall'];
    c.fillStyle = '#9d0208';
    c.fillText(names.filter(Boolean).join(' '), w - 120, 6 + i * laneH + laneH / 2 - 1);
  });
  f.steals.forEach((st, k) => {
    const x = 80 - k * 5;
    const y0 = 6 + st.victim * laneH + laneH / 2;
    const y1 = 6 + st.thief * laneH + laneH / 2;
    c.strokeStyle = '#d62828';
    c.fillStyle = '#d62828';
    c.lineWidth = 2;
    c.beginPath();
    c.moveTo(x, y0);
    c.bezierCurveTo(x - 14, y0, x - 14, y1, x, y1);
    c.stroke();
    c.beginPath();
    c.moveTo(x, y1);
    c.lineTo(x - 6, y1 + (y1 > y0 ? -5 : 5));
    c.lineTo(x - 7, y1);
    c.fill();
    c.lineWidth = 1;
    c.fillText(`${st.n}`, x - 22, (y0 + y1) / 2);
  });
  let y = areasY + AREAS.length * AREA_ROW + 4;
  // The Ms: colour by status, a ring when spinning.
  c.fillStyle = '#222';
  c.fillText(`Ms: ${f.ms.length}`, 4, y + 6);
  f.ms.slice(0, 60).forEach((m, i) => {
    const x = 60 + (i % 30) * 19;
    const yy = y + Math.floor(i / 30) * 16;
    c.beginPath();
    c.arc(x, yy + 6, 6, 0, Math.PI * 2);
    c.fillStyle = m.spinning ? '#ffb703' : (M_COLOR[m.status] ?? '#000');
    c.fill();
  });
  y += 36;
  const gs = f.gs;
  const parts: [string, number, string][] = [
    ['running', gs.running, '#2a9d8f'],
    ['runnable', gs.runnable, '#457b9d'],
    ['syscall', gs.syscall, '#e63946'],
    ['netpoll', gs.netpoll, '#a8dadc'],
    ['sleep', gs.sleep, '#ced4da'],
    ['assist wait', gs.assistWait, '#f77f00'],
    ['other wait', gs.otherWait, '#6c757d'],
  ];
  const total = parts.reduce((a, p) => a + p[1], 0) || 1;
  let x = 4;
  for (const [, n, col] of parts) {
    const ww = ((w - 8) * n) / total;
    c.fillStyle = col;
    c.fillRect(x, y, ww, 10);
    x += ww;
  }
  c.fillStyle = '#222';
  c.fillText(
    `${parts
      .filter((p) => p[1] > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(' · ')}  (Gs)`,
    4,
    y + 20,
  );
  const ev = f.events;
  const flash = [
    ev.steal && `steal×${ev.steal}`,
    ev.preempt && `preempt×${ev.preempt}`,
    ev.handoff && `handoff×${ev.handoff}`,
    ev.syscall && `syscall×${ev.syscall}`,
    ev.newm && `new M×${ev.newm}`,
  ]
    .filter(Boolean)
    .join('  ');
  c.fillStyle = '#9d0208';
  c.fillText(
    `${f.gcPhase > 0 ? `GC ${['off', 'sweep term (STW)', 'mark', 'mark term (STW)'][f.gcPhase]}  ` : ''}${flash}`,
    4,
    y + 34,
  );
  // Legend: the Ms' colours, then the G boxes.
  let lx = 4;
  const key: [string, string][] = [
    ['running', M_COLOR[1]!],
    ['spinning', '#ffb703'],
    ['syscall', M_COLOR[2]!],
    ['netpoll', M_COLOR[3]!],
    ['parked', M_COLOR[0]!],
  ];
  c.fillStyle = '#666';
  c.fillText('M:', lx, h - 8);
  lx += 16;
  for (const [k, color] of key) {
    c.beginPath();
    c.arc(lx + 4, h - 8, 4, 0, Math.PI * 2);
    c.fillStyle = color;
    c.fill();
    c.fillStyle = '#666';
    c.fillText(k, lx + 11, h - 8);
    lx += 18 + c.measureText(k).width;
  }
  c.fillText('G: running (orange: assisting GC) · runnext (dashed) · local runq', lx + 8, h - 8);
  return moving;
}

/** The pods drawn in the cluster view, in order (a click on a square shows that pod). */
let shownPods: number[] = [];
$('cluster').addEventListener('click', (e) => {
  const r = (e.target as HTMLCanvasElement).getBoundingClientRect();
  const col = Math.floor((e.clientX - r.left - 6) / 28);
  const row = Math.floor((e.clientY - r.top - 26) / 28);
  const k = shownPods[row * 10 + col];
  if (col >= 0 && col < 10 && row >= 0 && k !== undefined) choosePod(k);
});

function drawCluster(cf: ClusterFrame | undefined, t: number): void {
  const { c, w } = ctx2d('cluster');
  if (!cf || !view) return;
  c.fillStyle = '#222';
  c.fillText(`replicas desired ${cf.replicas}, ready ${cf.ready}`, 6, 12);
  cf.pods.forEach((s, i) => {
    const x = 6 + (i % 10) * 28;
    const y = 26 + Math.floor(i / 10) * 28;
    c.fillStyle = STATE_COLOR[s];
    c.fillRect(x, y, 24, 24);
    if (cf.podIndex[i] === stats.pod) {
      c.strokeStyle = '#000';
      c.lineWidth = 2;
      c.strokeRect(x + 1, y + 1, 22, 22);
      c.lineWidth = 1;
    }
  });
  shownPods = cf.podIndex;
  let y = 26 + Math.ceil(Math.max(1, cf.pods.length) / 10) * 28 + 8;
  let lx = 6;
  for (const [k, col] of Object.entries(STATE_COLOR)) {
    c.fillStyle = col;
    c.fillRect(lx, y, 10, 10);
    c.fillStyle = '#222';
    c.fillText(k, lx + 13, y + 5);
    lx += 70;
  }
  y += 24;
  const hpa = view.scenario.hpa;
  if (hpa) {
    const tS = t / 1e9;
    const m = hpa.metrics.find((x) => x.type === 'Resource' && x.resource.target.type === 'Utilization');
    const i = lastIndexLE(view.podUtilT, tS);
    if (m && m.type === 'Resource' && i >= 0) {
      const target = m.resource.target.averageUtilization!;
      const cur = view.podUtilPct[i]!;
      c.fillText(`CPU of request ${cur.toFixed(0)} % vs target ${target} %`, 6, y);
      const bw = w - 12;
      c.fillStyle = '#e9ecef';
      c.fillRect(6, y + 8, bw, 10);
      c.fillStyle = cur > target ? '#e76f51' : '#2a9d8f';
      c.fillRect(6, y + 8, Math.min(bw, (bw * cur) / 200), 10);
      c.fillStyle = '#000';
      c.fillRect(6 + (bw * target) / 200, y + 5, 2, 16);
      y += 32;
    }
    const d = view.hpa.filter((x) => x.tS <= tS).at(-1);
    c.fillStyle = '#222';
    if (d) {
      c.fillText(`HPA @${d.tS.toFixed(0)} s: ${d.currentReplicas} → ${d.desiredReplicas}`, 6, y);
      c.fillText(d.reason.slice(0, 48), 6, y + 14);
    }
  } else c.fillText('no autoscaler in this lesson', 6, y);
}

function lastIndexLE(xs: number[], x: number): number {
  let lo = 0,
    hi = xs.length - 1,
    best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

interface Line {
  label: string;
  color: string;
  xs: number[];
  ys: number[];
}

/** Each chart's lines, drawn once per new data into an offscreen canvas; a frame only blits it and the cursor. */
const chartCache = new Map<string, { key: string; canvas: HTMLCanvasElement }>();

function drawChart(
  id: string,
  title: string,
  lines: () => Line[],
  cursorS: number,
  opts: { ref?: { y: number; label: string } } = {},
): void {
  const cv = $<HTMLCanvasElement>(id);
  const w = cv.width,
    h = cv.height;
  const endS = view ? view.endNs / 1e9 : 1;
  const L = 44,
    R = 8,
    T = 18,
    B = 18;
  const X = (x: number) => L + ((w - L - R) * x) / endS;
  const key = view ? `${view.id}:${view.rows.length}:${view.podUtilT.length}:${endS}` : '';
  let cached = chartCache.get(id);
  if (!cached || cached.key !== key) {
    const off = cached?.canvas ?? document.createElement('canvas');
    off.width = w;
    off.height = h;
    drawLines(off, title, lines(), endS, opts);
    cached = { key, canvas: off };
    chartCache.set(id, cached);
  }
  const c = cv.getContext('2d')!;
  c.clearRect(0, 0, w, h);
  c.drawImage(cached.canvas, 0, 0);
  c.strokeStyle = '#c1121f';
  c.beginPath();
  c.moveTo(X(cursorS), T);
  c.lineTo(X(cursorS), h - B);
  c.stroke();
}

function drawLines(
  cv: HTMLCanvasElement,
  title: string,
  lines: Line[],
  endS: number,
  opts: { ref?: { y: number; label: string } },
): void {
  const c = cv.getContext('2d')!;
  const w = cv.width,
    h = cv.height;
  c.font = '11px system-ui, sans-serif';
  c.textBaseline = 'middle';
  const L = 44,
    R = 8,
    T = 18,
    B = 18;
  let ymax = opts.ref ? opts.ref.y * 1.2 : 0;
  for (const l of lines) for (const y of l.ys) if (Number.isFinite(y) && y > ymax) ymax = y;
  if (!(ymax > 0)) ymax = 1;
  const X = (x: number) => L + ((w - L - R) * x) / endS;
  const Y = (y: number) => h - B - ((h - T - B) * y) / ymax;
  c.strokeStyle = '#dee2e6';
  c.beginPath();
  c.moveTo(L, T);
  c.lineTo(L, h - B);
  c.lineTo(w - R, h - B);
  c.stroke();
  c.fillStyle = '#222';
  c.fillText(title, L, 8);
  c.fillStyle = '#666';
  c.fillText(fmt(ymax), 2, T);
  c.fillText('0', 2, h - B);
  c.fillText(`${endS.toFixed(0)} s`, w - R - 30, h - 6);
  let lx = L + c.measureText(title).width + 12;
  for (const l of lines) {
    c.strokeStyle = l.color;
    c.lineWidth = 1.5;
    c.beginPath();
    let started = false;
    for (let i = 0; i < l.xs.length; i++) {
      const y = l.ys[i]!;
      if (!Number.isFinite(y)) {
        started = false;
        continue;
      }
      if (started) c.lineTo(X(l.xs[i]!), Y(y));
      else c.moveTo(X(l.xs[i]!), Y(y));
      started = true;
    }
    c.stroke();
    c.fillStyle = l.color;
    c.fillText(l.label, lx, 8);
    lx += c.measureText(l.label).width + 10;
  }
  c.lineWidth = 1;
  if (opts.ref) {
    c.setLineDash([4, 3]);
    c.strokeStyle = '#000';
    c.beginPath();
    c.moveTo(L, Y(opts.ref.y));
    c.lineTo(w - R, Y(opts.ref.y));
    c.stroke();
    c.setLineDash([]);
    c.fillStyle = '#000';
    c.fillText(opts.ref.label, w - R - 34, Y(opts.ref.y) - 7);
  }
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

function col(name: string): { xs: number[]; ys: number[] } | undefined {
  if (!view) return undefined;
  const i = view.columns.indexOf(name);
  if (i < 0) return undefined;
  return { xs: view.rows.map((r) => r[0]!), ys: view.rows.map((r) => r[i]!) };
}

function series(name: string, label: string, color: string, scale = 1): Line[] {
  const c = col(name);
  return c ? [{ label, color, xs: c.xs, ys: scale === 1 ? c.ys : c.ys.map((y) => y * scale) }] : [];
}

function drawCharts(cursorS: number): void {
  drawChart(
    'chart-latency',
    'latency, ms',
    () => [...series('latency_p50_ms', 'p50', '#2a9d8f'), ...series('latency_p99_ms', 'p99', '#e63946')],
    cursorS,
  );
  const hpaTarget = view?.scenario.hpa?.metrics.find(
    (m) => m.type === 'Resource' && m.resource.target.type === 'Utilization',
  );
  const util = (): Line[] => {
    const out = [...series('utilization', 'Ps busy %', '#457b9d', 100)];
    if (view && hpaTarget)
      out.push({ label: 'CPU of request % (pods)', color: '#f4a261', xs: view.podUtilT, ys: view.podUtilPct });
    return out;
  };
  drawChart(
    'chart-util',
    'utilisation',
    util,
    cursorS,
    hpaTarget && hpaTarget.type === 'Resource'
      ? { ref: { y: hpaTarget.resource.target.averageUtilization!, label: 'target' } }
      : {},
  );
  drawChart(
    'chart-goroutines',
    'goroutines',
    () => [
      ...series('goroutines', 'goroutines', '#6a4c93'),
      ...series('runnable', 'runnable', '#457b9d'),
      ...series('in_flight', 'in flight', '#adb5bd'),
    ],
    cursorS,
  );
  drawChart(
    'chart-heap',
    'heap, MB',
    () => [
      ...series('heap_live_mb', 'live', '#2a9d8f'),
      ...series('heap_goal_mb', 'goal', '#e9c46a'),
      ...series('rss_mb', 'RSS', '#adb5bd'),
    ],
    cursorS,
  );
  drawChart(
    'chart-replicas',
    'replicas',
    () => [
      ...series('replicas_desired', 'desired', '#1d3557'),
      ...series('replicas_ready', 'ready', '#2a9d8f'),
      ...series('pods_pending', 'pending', '#adb5bd'),
    ],
    cursorS,
  );
  drawChart(
    'chart-runq',
    'run queues and threads',
    () => [
      ...series('global_runq', 'global', '#1d3557'),
      ...series('local_runq', 'local', '#457b9d'),
      ...series('threads', 'threads', '#e63946'),
      ...series('spinning_threads', 'spinning', '#ffb703'),
    ],
    cursorS,
  );
}

// ---------------------------------------------------------------- the animation loop

let lastWall = performance.now();
let fpsCount = 0;
let fpsSince = performance.now();

function tick(now: number): void {
  const workStart = performance.now();
  const dt = Math.min(100, now - lastWall);
  lastWall = now;
  if (view) {
    const known = view.tNs;
    if (playing) {
      playhead = Math.min(playhead + dt * speedNsPerMs(), known);
      if (stats.state === 'done' && playhead >= view.endNs) playing = false;
    }
    const useInspected = inspected !== undefined && !playing;
    // Slow playback: the run's frames are far apart in wall time; play the worker's close frames.
    const gapMs = view.frames.length > 1 ? view.endNs / view.frames.length / Math.max(1e-9, speedNsPerMs()) : 0;
    const slow = playing && !useInspected && gapMs > DETAIL_GAP_MS && stats.state === 'done';
    if (
      slow &&
      !detailPending &&
      (!detail || playhead < detail.tNs || playhead > detail.endNs - (detail.endNs - detail.tNs) / 3)
    ) {
      const from = detail && playhead >= detail.tNs && playhead <= detail.endNs ? detail.endNs : Math.floor(playhead);
      const spanNs = Math.max(DETAIL_FPS, Math.round(speedNsPerMs() * DETAIL_WALL_MS));
      detailPending = true;
      post({
        type: 'detail',
        id: view.id,
        text: lastGood!.text,
        file,
        ...seedOpt(),
        pod: stats.pod,
        tNs: from,
        spanNs,
        frames: Math.round((DETAIL_FPS * DETAIL_WALL_MS) / 1000),
      });
    }
    const frames = slow && detail && playhead >= detail.tNs && playhead <= detail.endNs ? detail.frames : view.frames;
    const i = useInspected ? -1 : frameIndexAt(frames, playhead);
    const f = useInspected ? inspected!.frame : frames[i];
    const cf = useInspected ? inspected!.cluster : frameAt(view.cluster, playhead);
    // Between two frames the Gs move from where they were to where they are next.
    const next = !useInspected && i >= 0 ? frames[i + 1] : undefined;
    const u = f && next && playhead > f.tNs ? (playhead - f.tNs) / (next.tNs - f.tNs) : 0;
    if (drawPod(f, next, u) > 0) stats.tweenFrames++;
    drawCluster(cf, playhead);
    drawCharts(playhead / 1e9);
    $('log').textContent = (useInspected ? inspected!.log.slice(-8) : (f?.recent ?? [])).join('\n');
    $('clock').textContent = `${(playhead / 1e9).toFixed(playhead < 1e9 ? 6 : 3)} s`;
    scrub.value = String(Math.round((playhead / view.endNs) * 1000));
    playBtn.textContent = playing ? '❚❚' : '▶';
  }
  if (stats.state === 'running' && stats.frameWorkMsWhileSimulating.length < 100_000)
    stats.frameWorkMsWhileSimulating.push(performance.now() - workStart);
  else if (stats.state === 'done' && playing && stats.frameWorkMsWhilePlaying.length < 100_000)
    stats.frameWorkMsWhilePlaying.push(performance.now() - workStart);
  fpsCount++;
  if (now - fpsSince >= 1000) {
    const fps = (fpsCount * 1000) / (now - fpsSince);
    if (stats.state === 'running') stats.fpsWhileSimulating.push(fps);
    else if (stats.state === 'done' && playing && stats.fpsWhilePlaying.length < 10_000)
      stats.fpsWhilePlaying.push(fps);
    $('fps').textContent = `${fps.toFixed(0)} fps`;
    fpsCount = 0;
    fpsSince = now;
  }
  requestAnimationFrame(tick);
}

stats.loadedAtMs = performance.now();
const start = `/scenarios/${decodeURIComponent(location.hash.slice(1)) || 'work-stealing-burst'}.yaml`;
lessonSel.value = lessons.includes(start) ? start : lessons[0]!;
loadLesson(lessonSel.value);
requestAnimationFrame(tick);

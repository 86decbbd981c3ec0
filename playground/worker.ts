/**
 * The playground's Web Worker: runs lessons with the CLI's model code (playground/core.ts) off the
 * page's thread, posting what each slice produced. Two runs at most: the one being played (`run`),
 * and an inspector that re-simulates to a time and steps one event at a time (`inspect`), so the page
 * can pause, step and rewind exactly (the model is deterministic: re-running to t gives the state at t).
 */
import { checkScenario, frameTimes, PlaygroundRun, type ProblemView } from './core.js';

export type WorkerRequest =
  | { type: 'run'; id: number; text: string; file: string; seed?: number; pod: number; frames: number }
  | { type: 'inspect'; id: number; text: string; file: string; seed?: number; pod: number; tNs: number; steps: number }
  | {
      type: 'detail';
      id: number;
      text: string;
      file: string;
      seed?: number;
      pod: number;
      tNs: number;
      spanNs: number;
      frames: number;
    }
  | { type: 'cancel' };

export type WorkerReply =
  | { type: 'invalid'; id: number; problems: ProblemView[] }
  | { type: 'chunk'; id: number; chunk: ReturnType<PlaygroundRun['chunk']> }
  | { type: 'done'; id: number; summaryJson: string; wallMs: number }
  | {
      type: 'inspected';
      id: number;
      tNs: number;
      frame: ReturnType<PlaygroundRun['schedFrame']>;
      cluster: ReturnType<PlaygroundRun['clusterFrame']>;
      steps: { tNs: number; kind: string; log: string[] }[];
    }
  | { type: 'detail'; id: number; tNs: number; spanNs: number; frames: ReturnType<PlaygroundRun['chunk']>['frames'] }
  | { type: 'failed'; id: number; message: string };

interface WorkerScope {
  postMessage(m: WorkerReply): void;
  onmessage: ((e: { data: WorkerRequest }) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

let current = 0;
let inspector: { key: string; run: PlaygroundRun } | undefined;

/** Post at most this often while a run goes (ms of wall time): the page redraws per chunk. */
const POST_EVERY_MS = 50;

function invalid(id: number, problems: ProblemView[]): void {
  scope.postMessage({ type: 'invalid', id, problems });
}

async function run(req: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  const id = req.id;
  current = id;
  const checked = checkScenario(req.text, req.file);
  if ('problems' in checked) return invalid(id, checked.problems);
  const started = performance.now();
  const r = new PlaygroundRun(checked.scenario, req.seed ?? checked.scenario.seed, req.pod);
  let lastPost = -Infinity;
  for (const t of frameTimes(r.endNs, req.frames)) {
    if (current !== id) return; // superseded by a newer run
    r.advanceTo(t);
    const now = performance.now();
    if (now - lastPost >= POST_EVERY_MS || r.done) {
      scope.postMessage({ type: 'chunk', id, chunk: r.chunk() });
      lastPost = now;
      // Let the page's messages (a newer run, a cancel) in between slices.
      await new Promise((res) => setTimeout(res, 0));
    }
    if (r.done) break;
  }
  if (current !== id) return;
  const { summaryJson } = r.finish();
  scope.postMessage({ type: 'chunk', id, chunk: r.chunk() });
  scope.postMessage({ type: 'done', id, summaryJson, wallMs: performance.now() - started });
}

/** The inspector's run at or before tNs (kept between requests: stepping and detail go forward). */
function inspectorAt(req: {
  id: number;
  text: string;
  file: string;
  seed?: number;
  pod: number;
  tNs: number;
}): PlaygroundRun | undefined {
  const checked = checkScenario(req.text, req.file);
  if ('problems' in checked) {
    invalid(req.id, checked.problems);
    return undefined;
  }
  const seed = req.seed ?? checked.scenario.seed;
  const key = `${seed}\n${req.pod}\n${req.file}\n${req.text}`;
  if (!inspector || inspector.key !== key || inspector.run.nowNs > req.tNs) {
    inspector = { key, run: new PlaygroundRun(checked.scenario, seed, req.pod) };
  }
  return inspector.run;
}

/**
 * Frames close together from tNs on (`frames` of them over spanNs), for slow playback: the run's own
 * frames are too far apart for a G to be seen moving (a request's G lives for microseconds to
 * milliseconds), so the page asks for the stretch it is about to play.
 */
function detail(req: Extract<WorkerRequest, { type: 'detail' }>): void {
  const r = inspectorAt(req);
  if (!r) return;
  if (r.nowNs < req.tNs) r.exp.advanceTo(req.tNs);
  r.chunk(); // drop what was recorded on the way
  const step = Math.max(1, Math.floor(req.spanNs / req.frames));
  for (let i = 0; i <= req.frames && !r.done; i++) r.advanceTo(req.tNs + i * step);
  scope.postMessage({ type: 'detail', id: req.id, tNs: req.tNs, spanNs: req.spanNs, frames: r.chunk().frames });
}

function inspect(req: Extract<WorkerRequest, { type: 'inspect' }>): void {
  const r = inspectorAt(req);
  if (!r) return;
  if (r.nowNs < req.tNs) r.exp.advanceTo(req.tNs);
  const steps: { tNs: number; kind: string; log: string[] }[] = [];
  for (let i = 0; i < req.steps; i++) {
    const s = r.stepEvent();
    if (!s) break;
    steps.push(s);
  }
  r.chunk(); // drop what the inspector recorded: the page shows only the frame below
  scope.postMessage({
    type: 'inspected',
    id: req.id,
    tNs: r.nowNs,
    frame: r.schedFrame(),
    cluster: r.clusterFrame(),
    steps,
  });
}

scope.onmessage = (e) => {
  const req = e.data;
  try {
    switch (req.type) {
      case 'run':
        run(req).catch((err: unknown) =>
          scope.postMessage({
            type: 'failed',
            id: req.id,
            message: String(err instanceof Error ? (err.stack ?? err.message) : err),
          }),
        );
        return;
      case 'inspect':
        inspect(req);
        return;
      case 'detail':
        detail(req);
        return;
      case 'cancel':
        current = -1;
        return;
      default: {
        const never: never = req;
        throw new Error(`unknown request ${JSON.stringify(never)}`);
      }
    }
  } catch (err) {
    scope.postMessage({
      type: 'failed',
      id: 'id' in req ? req.id : -1,
      message: String(err instanceof Error ? (err.stack ?? err.message) : err),
    });
  }
};

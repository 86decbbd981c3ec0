import { closest, distance as levenshtein } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { Scenario, ScenarioSchema } from './schema.js';
import { type Step, visitStep } from './steps.js';

/**
 * The checks a scenario passes as a whole, after each field's own (ScenarioSchema's superRefine calls
 * them): channels and dependencies named by steps are declared, programs fit, and the work a run asks for
 * stays within LIMITS.
 */

/** Ops one program may hold once `repeat` steps are unrolled (12 bytes each in the compiled program). */
export const MAX_PROGRAM_OPS = 2_000_000;

/**
 * Checks that need the whole program: every channel a step names is declared, and each program (the
 * request's and each spawned child's) fits in MAX_PROGRAM_OPS once its `repeat` steps are unrolled.
 * Returns the op count of the steps (for the caller's total).
 */
export function checkPrograms(
  steps: readonly Step[],
  path: (string | number)[],
  names: { chans: string[]; deps: string[] },
  ctx: z.RefinementCtx,
  inRepeat = false,
): number {
  let ops = 0;
  const { chans, deps } = names;
  steps.forEach((step, i) => {
    const at = [...path, i];
    const chanOp = (kind: 'send' | 'recv' | 'select' | 'close', name: string): number => {
      if (!chans.includes(name)) {
        const known =
          chans.length > 0
            ? `one of ${chans.map((c) => `"${c}"`).join(', ')}`
            : 'a channel declared in runtime.channels (none are)';
        ctx.addIssue({
          code: 'custom',
          path: [...at, kind, 'chan'],
          message: `expected ${known}, found "${name}"${nearMiss(name, chans)}`,
        });
      }
      return 1;
    };
    const callOp = (name: string): number => {
      if (!deps.includes(name)) {
        const known =
          deps.length > 0
            ? `one of ${deps.map((c) => `"${c}"`).join(', ')}`
            : 'a dependency declared in dependencies (none are)';
        ctx.addIssue({
          code: 'custom',
          path: [...at, 'call', 'dependency'],
          message: `expected ${known}, found "${name}"${nearMiss(name, deps)}`,
        });
      }
      return 1;
    };
    // Ops each kind compiles to (runtime/gmp/program.ts): the size limit counts what the compiler emits.
    ops += visitStep<number>(step, {
      cpu: () => 1,
      syscall: () => 1,
      netpoll: () => 1,
      sleep: () => 1,
      alloc: () => 1,
      gosched: () => 1,
      spawn: (b) => {
        checkPrograms(b.steps, [...at, 'spawn', 'steps'], names, ctx);
        return 2;
      },
      locked: () => 3,
      deep: () => 3,
      send: (b) => chanOp('send', b.chan),
      recv: (b) => chanOp('recv', b.chan),
      repeat: (b) => b.count * checkPrograms(b.steps, [...at, 'repeat', 'steps'], names, ctx, true),
      call: (b) => callOp(b.dependency),
      // Select, the ready branch, then (if any) a jump over the timeout branch and the branch itself.
      select: (b) => {
        chanOp('select', b.chan);
        const ready = checkPrograms(b.ready, [...at, 'select', 'ready'], names, ctx, true);
        const late = checkPrograms(b.timedOut, [...at, 'select', 'timedOut'], names, ctx, true);
        return 1 + ready + (late > 0 ? 1 + late : 0);
      },
      close: (b) => chanOp('close', b.chan),
      rwlocked: () => 3,
    });
  });
  if (!inRepeat && ops > MAX_PROGRAM_OPS) {
    ctx.addIssue({
      code: 'custom',
      path,
      message:
        `expected at most ${MAX_PROGRAM_OPS.toLocaleString('en-US')} steps once repeats are unrolled, ` +
        `found ${ops.toLocaleString('en-US')}`,
    });
  }
  return ops;
}

/** Some step (a spawned child's included) allocates: the pod has a garbage collector. */
export function stepsAllocate(steps: readonly Step[]): boolean {
  return steps.some((st) =>
    visitStep<boolean>(st, {
      cpu: () => false,
      syscall: () => false,
      netpoll: () => false,
      sleep: () => false,
      gosched: () => false,
      locked: () => false,
      deep: () => false,
      send: () => false,
      recv: () => false,
      alloc: () => true,
      call: () => false,
      spawn: (b) => stepsAllocate(b.steps),
      repeat: (b) => stepsAllocate(b.steps),
      select: (b) => stepsAllocate(b.ready) || stepsAllocate(b.timedOut),
      close: () => false,
      rwlocked: () => false,
    }),
  );
}

/**
 * Panics a scenario's programs would surely hit (chan.go: "close of closed channel", "send on closed
 * channel"), found at load: channels are one set per pod, so a channel closed more than once per request
 * (a loop, several children) or by a request's program when more than one request arrives is closed
 * twice; and within one goroutine's program a send or close after its close. A send from another
 * goroutine after the close depends on timing: the run stops with Go's panic (the pod dies).
 */
export function checkCloses(
  steps: readonly Step[],
  path: (string | number)[],
  oneRequest: boolean,
  ctx: z.RefinementCtx,
): void {
  const closesPerRequest = new Map<string, { n: number; at: (string | number)[] }>();
  const walk = (body: readonly Step[], at: (string | number)[], times: number, closed: Set<string>) => {
    body.forEach((step, i) => {
      const here = [...at, i];
      const afterClose = (chan: string, what: string, where: (string | number)[]) => {
        if (closed.has(chan))
          ctx.addIssue({
            code: 'custom',
            path: where,
            message:
              `expected no ${what} on channel "${chan}" after this goroutine closed it, found one ` +
              `(Go panics: ${what === 'close' ? 'close of closed channel' : 'send on closed channel'})`,
          });
      };
      visitStep<void>(step, {
        cpu: () => {},
        syscall: () => {},
        netpoll: () => {},
        sleep: () => {},
        alloc: () => {},
        gosched: () => {},
        locked: () => {},
        deep: () => {},
        recv: () => {},
        call: () => {},
        rwlocked: () => {},
        send: (b) => afterClose(b.chan, 'send', [...here, 'send', 'chan']),
        close: (b) => {
          afterClose(b.chan, 'close', [...here, 'close', 'chan']);
          closed.add(b.chan);
          const c = closesPerRequest.get(b.chan) ?? { n: 0, at: [...here, 'close', 'chan'] };
          c.n += times;
          closesPerRequest.set(b.chan, c);
        },
        select: (b) => {
          if (b.op === 'send') afterClose(b.chan, 'send', [...here, 'select', 'chan']);
          walk(b.ready, [...here, 'select', 'ready'], times, new Set(closed));
          walk(b.timedOut, [...here, 'select', 'timedOut'], times, new Set(closed));
        },
        spawn: (b) => walk(b.steps, [...here, 'spawn', 'steps'], times * b.count, new Set()),
        repeat: (b) => walk(b.steps, [...here, 'repeat', 'steps'], times * b.count, closed),
      });
    });
  };
  walk(steps, path, 1, new Set());
  for (const [chan, { n, at }] of closesPerRequest) {
    if (n > 1)
      ctx.addIssue({
        code: 'custom',
        path: at,
        message:
          `expected channel "${chan}" closed at most once per request, found ${n} closes ` +
          '(channels are per pod; the second close panics: close of closed channel)',
      });
    else if (!oneRequest)
      ctx.addIssue({
        code: 'custom',
        path: at,
        message:
          "expected a single request (arrival: timestamps with one time) for a request's program that closes " +
          `channel "${chan}", found an arrival process with more ` +
          "(channels are per pod: the second request's close panics)",
      });
  }
}

/** " (did you mean "x"?)" when a name is one edit or two from a declared one, else "". */
export function nearMiss(name: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const best = closest(name, known as string[]);
  const d = levenshtein(name.toLowerCase(), best.toLowerCase());
  return d <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/** Caps on the work one run may ask for (each error names the setting to lower). */
export const LIMITS = {
  /** Time-series rows: durationS / metrics.sampleIntervalMs. */
  samples: 1_000_000,
  /** Firings of one periodic controller (scrape, HPA sync, KEDA poll, density decision): durationS / period. */
  periodicFirings: 10_000_000,
  /** MMPP state changes expected in a run: durationS / the shortest meanDurationS. */
  stateChanges: 100_000_000,
  /** Requests expected in a run: the peak arrival rate × durationS. */
  requests: 100_000_000,
  /** Steps one request runs, counting every spawned goroutine's program (fan-out × unrolled size, nested). */
  requestSteps: 10_000_000,
} as const;

/** The arrival process's peak rate, per s, and the field that sets it (for the error's path). */
function peakRate(a: Scenario['workload']['arrival']): { rate: number; path: (string | number)[] } {
  const at = ['workload', 'arrival'];
  switch (a.process) {
    case 'poisson':
    case 'constant':
      return { rate: a.ratePerS, path: [...at, 'ratePerS'] };
    case 'diurnal':
      return { rate: a.meanPerS + a.amplitudePerS, path: [...at, 'meanPerS'] };
    case 'steps':
      return { rate: Math.max(...a.steps.map((x) => x.ratePerS)), path: [...at, 'steps'] };
    case 'mmpp':
      return { rate: Math.max(...a.states.map((x) => x.ratePerS)), path: [...at, 'states'] };
    case 'ramping-arrival-rate':
      return { rate: Math.max(a.startRatePerS, ...a.stages.map((x) => x.targetPerS)), path: [...at, 'stages'] };
    case 'timestamps':
    case 'trace':
      return { rate: 0, path: at }; // bounded by the file's size
    case 'constant-vus':
    case 'ramping-vus':
      return { rate: 0, path: at }; // closed-loop: bounded by what the service completes
    default: {
      const never: never = a;
      return never;
    }
  }
}

/**
 * Bounded work: every period is floored in its field; here the products that no single field shows —
 * how many samples, firings, requests and goroutine steps a run would take — are capped, so no input
 * exhausts memory or time without an error naming the setting to lower.
 */
export function checkBounds(s: z.infer<typeof ScenarioSchema>, ctx: z.RefinementCtx): void {
  const fmt = (n: number) => (n >= 1e15 ? n.toExponential(2) : Math.ceil(n).toLocaleString('en-US'));
  const cap = (n: number, max: number, path: (string | number)[], what: string, fix: string) => {
    if (n > max)
      ctx.addIssue({ code: 'custom', path, message: `expected at most ${fmt(max)} ${what}, found ${fmt(n)}; ${fix}` });
  };
  const d = s.durationS;
  if (!(d > 0)) return;
  // A value below its field's floor has its own error already; caps apply to values that pass it.
  if (s.metrics.sampleIntervalMs >= 0.001)
    cap(
      (d * 1000) / s.metrics.sampleIntervalMs,
      LIMITS.samples,
      ['metrics', 'sampleIntervalMs'],
      'samples (durationS / sampleIntervalMs)',
      'raise metrics.sampleIntervalMs or lower durationS',
    );
  const periodic: [number | undefined, (string | number)[]][] = [
    [s.metricsPipeline.scrapeIntervalS, ['metricsPipeline', 'scrapeIntervalS']],
    [s.hpa?.controller.syncPeriodS, ['hpa', 'controller', 'syncPeriodS']],
    [s.keda?.pollingIntervalS, ['keda', 'pollingIntervalS']],
    [s.keda?.hpaSyncPeriodS, ['keda', 'hpaSyncPeriodS']],
    [s.densityController?.periodS, ['densityController', 'periodS']],
    // The CFS quota refills once a period, per pod (an event each), when there is a CPU limit.
    [s.runtime.cpuLimitCores !== undefined ? s.runtime.cfsPeriodMs / 1000 : undefined, ['runtime', 'cfsPeriodMs']],
  ];
  for (const [period, path] of periodic) {
    if (period !== undefined && period >= 0.001)
      cap(
        d / period,
        LIMITS.periodicFirings,
        path,
        `firings (durationS / ${String(path.at(-1))})`,
        `raise ${path.join('.')} or lower durationS`,
      );
  }
  const a = s.workload.arrival;
  if (a.process === 'mmpp') {
    const shortest = Math.min(...a.states.map((x) => x.meanDurationS));
    if (shortest >= 1e-6)
      cap(
        d / shortest,
        LIMITS.stateChanges,
        ['workload', 'arrival', 'states'],
        'state changes (durationS / meanDurationS)',
        "raise the states' meanDurationS or lower durationS",
      );
  }
  const peak = peakRate(a);
  cap(
    peak.rate * d,
    LIMITS.requests,
    peak.path,
    'requests in a run (peak rate × durationS)',
    'lower the rate or durationS',
  );
  cap(
    requestSteps(s.workload.request.steps),
    LIMITS.requestSteps,
    ['workload', 'request', 'steps'],
    'steps per request counting every spawned goroutine (spawn count × its program, nested)',
    'lower spawn.count or repeat.count',
  );
}

/** Steps one request runs: repeats unrolled, each spawn's program times its count (what the runtime will execute). */
function requestSteps(steps: readonly Step[]): number {
  let n = 0;
  for (const st of steps) {
    if ('repeat' in st) n += st.repeat.count * requestSteps(st.repeat.steps);
    else if ('spawn' in st) n += 2 + st.spawn.count * requestSteps(st.spawn.steps);
    else n += 1;
    if (n > 1e300) return Infinity;
  }
  return n;
}

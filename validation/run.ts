import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { median as d3median, quantile as d3quantile } from 'd3-array';
import { writeFileAtomic } from '../src/report/atomic-dir.js';
import { toStableJson } from '../src/report/format.js';
import { parseScenario } from '../src/scenario/load.js';
import { CostsSchema } from '../src/scenario/schema.js';
import { runScenario } from '../src/sim/experiment.js';
import type { RunSummary } from '../src/sim/summary.js';
import { binPath, build, CALIBRATION, go, goRun, goVersion } from './go-programs.js';
import {
  describeOnsets,
  HORIZON_S,
  loadavg,
  type ModelRun,
  measureSysmonWakeCpuUs,
  measureUsleepLateUs,
  modelRuns,
  ONSET_RATES,
  onsetDoc,
  RUNS,
  realRuns,
  SEEDS,
  trapStats,
  withBurstStretch,
  withSysmonWakeCpu,
  withUsleepLate,
} from './onset.js';
import { networkRoundTrip, runServiceCases } from './service.js';

/**
 * `npm run validate`: each case runs a small real Go program (validation/go/, built with the machine's
 * Go — Debian's golang-go is 1.19) and the equivalent gmpsim scenario twice: with the model's documented
 * defaults and with the recorded calibration (calibrations/go1.19-this-machine.json, from
 * `npm run calibrate`). A figure passes when |simulated − measured| ≤ max(relTol × measured, absTol).
 * Every figure stays in the table, pass or miss; none is tuned to its number. Figures the calibration
 * was derived from are marked "fit": they are not independent evidence. Writes
 * results/validation/report.md and report.json.
 */
// No options: --help says what runs (every case, real Go and the model, ~5 minutes) and where the parts are.
new Command()
  .description(
    'Every validation case: real Go (validation/go/) against the model with its defaults and with the ' +
      `${CALIBRATION} calibration; writes results/validation/report.md and .json (~5 minutes of real runs). ` +
      "Issue 26's onset case alone, with every run's onset and model-only runs: npm run validate:onset -- --help.",
  )
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2)) // bad input: exit 2, as the CLI
  .parse();

interface Row {
  case: string;
  figure: string;
  measured: number;
  simulated: number;
  calibrated: number;
  relError: number;
  relErrorCalibrated: number;
  tolerance: string;
  pass: boolean;
  passCalibrated: boolean;
  note: string;
}

/** Run a scenario document with the defaults and with the calibration; `figure` reads each summary. */
function sim(doc: object, figure: (s: RunSummary) => number): [number, number] {
  const run = (d: object) => figure(runScenario(parseScenario(JSON.stringify(d), 'validation/case.json'), 1).summary);
  return [run(doc), run({ ...doc, calibration: CALIBRATION })];
}

// d3-array's median and R-7 quantile (the project's statistics library).
const median = (xs: number[]) => d3median(xs)!;
const quantile = (xs: number[], p: number) => d3quantile(xs, p)!;
const cpu = (ms: number) => ({ cpu: { dist: 'constant', valueMs: ms } });
/** A scenario of one request at t = 0 running `steps` (a program's main, timed by its latency). */
const oneRequest = (durationS: number, steps: object[], runtime: object) => ({
  durationS,
  workload: { arrival: { process: 'timestamps', atS: [0] }, request: { steps } },
  runtime,
});
/** Steps run by a grandchild: started at once, not waited for by the request (a background goroutine). */
const background = (count: number, steps: object[]) => ({
  spawn: { count: 1, wait: false, steps: [{ spawn: { count, wait: false, steps } }] },
});

const rows: Row[] = [];
/** A figure passes within max(relTol × measured, absTol); or, with `factor`, within that factor either way. */
function compare(
  c: string,
  figure: string,
  measured: number,
  [simulated, calibrated]: [number, number],
  relTol: number,
  absTol: number,
  note = '',
  factor = 0,
): void {
  const within = (x: number) =>
    factor > 0
      ? x <= measured * factor && x >= measured / factor
      : Math.abs(x - measured) <= Math.max(relTol * Math.abs(measured), absTol);
  const rel = (x: number) => (measured !== 0 ? (x - measured) / measured : NaN);
  rows.push({
    case: c,
    figure,
    measured,
    simulated,
    calibrated,
    relError: rel(simulated),
    relErrorCalibrated: rel(calibrated),
    tolerance: factor > 0 ? `×/÷ ${factor}` : `±max(${Math.round(relTol * 100)}%, ${absTol})`,
    pass: within(simulated),
    passCalibrated: within(calibrated),
    note,
  });
}

const version = goVersion();
build(
  'cpubound',
  'timers',
  'burst',
  'syscalls',
  'gcpace',
  'chans',
  'assist',
  'udpsyscalls',
  'httpsyscalls',
  'httpserve',
  'syncsteps',
  'timerslack',
  'calibrate',
);

// 1. CPU-bound goroutines: 4 × 50 ms started together; total completion time, and fairness: the first
// goroutine's finish over the last's (1 = all finish together; preemption every 10 ms interleaves them).
for (const procs of [1, 2]) {
  const real = [1, 2, 3].map(() => go<{ totalMs: number; doneMs: number[] }>('cpubound', procs, [4, 50]));
  const doc = {
    durationS: 2,
    workload: { arrival: { process: 'timestamps', atS: [0, 0, 0, 0] }, request: { steps: [cpu(50)] } },
    runtime: { gomaxprocs: procs },
  };
  const c = `cpu-bound 4 × 50 ms, GOMAXPROCS ${procs}`;
  compare(
    c,
    'completion ms (median of 3)',
    median(real.map((r) => r.totalMs)),
    sim(doc, (s) => s.latencyMs.max),
    0.15,
    5,
  );
  compare(
    c,
    'fairness: first ÷ last finish',
    median(real.map((r) => Math.min(...r.doneMs) / Math.max(...r.doneMs))),
    sim(doc, (s) => s.latencyMs.min / s.latencyMs.max),
    0,
    0.1,
  );
}

// 2. Timer wake-up lateness behind CPU hogs: a goroutine sleeps 1 ms 40 times.
for (const [procs, hogs] of [
  [1, 0],
  [1, 1],
  [1, 2],
  [2, 0],
  [2, 2],
  [2, 4],
] as const) {
  const real = go<{ lateMs: number[] }>('timers', procs, [hogs, 40]).lateMs;
  const steps: object[] = [];
  if (hogs > 0) steps.push({ spawn: { count: hogs, wait: false, steps: [cpu(60_000)] } });
  steps.push({ repeat: { count: 40, steps: [{ sleep: { dist: 'constant', valueMs: 1 } }] } });
  const doc = {
    durationS: 3,
    workload: { arrival: { process: 'constant', ratePerS: 0.2 }, request: { steps } },
    runtime: { gomaxprocs: procs },
  };
  const c = `timer behind ${hogs} hog(s), GOMAXPROCS ${procs}`;
  compare(
    c,
    'lateness p50 ms',
    median(real),
    sim(doc, (s) => s.gmp!.timerDelayMs.p50!),
    0.2,
    0.5,
  );
  compare(
    c,
    'lateness p99 ms',
    quantile(real, 0.99),
    sim(doc, (s) => s.gmp!.timerDelayMs.p99!),
    0.2,
    1,
    hogs > 0 ? '' : 'OS timer slack dominates with no hog',
  );
}

// 3. A burst of 64 goroutines × 100 µs spawned from one goroutine, GOMAXPROCS 2: completion time, and
// stealing as schedtrace shows it: in samples taken mid-burst (≥ 4 Gs queued), the smaller local run
// queue over the larger (≈ 1 when the idle P steals half; 0 if the creator's P kept them all).
{
  const balance = (trace: string) => {
    const shares = [...trace.matchAll(/runqueue=\d+ \[(\d+) (\d+)\]/g)]
      .map((m) => [Number(m[1]), Number(m[2])] as const)
      .filter(([a, b]) => a + b >= 4)
      .map(([a, b]) => Math.min(a, b) / Math.max(a, b));
    return shares.length > 0 ? shares.reduce((x, y) => x + y, 0) / shares.length : NaN;
  };
  const real = go<{ burstMs: number[] }>('burst', 2, [64, 100, 20]).burstMs;
  const doc = {
    durationS: 2,
    workload: {
      arrival: { process: 'constant', ratePerS: 20 },
      request: { steps: [{ spawn: { count: 64, wait: true, steps: [cpu(0.1)] } }] },
    },
    runtime: { gomaxprocs: 2 },
  };
  const c = 'burst of 64 × 100 µs, GOMAXPROCS 2';
  compare(
    c,
    'completion ms (median)',
    median(real),
    sim(doc, (s) => s.latencyMs.p50),
    0.25,
    0.5,
  );
  const traced = goRun('burst', 2, [64, 100, 200], { GODEBUG: 'schedtrace=1' }).stderr;
  const simBalance = (d: object) => {
    let text = '';
    runScenario(parseScenario(JSON.stringify(d), 'validation/case.json'), 1, {
      schedtraceMs: 1,
      onTrace: (t) => (text += `${t}\n`),
    });
    return balance(text);
  };
  compare(
    c,
    'run queues mid-burst: smaller ÷ larger',
    balance(traced),
    [simBalance(doc), simBalance({ ...doc, calibration: CALIBRATION })],
    0,
    0.15,
    'Go has no steal counter. Real samples catch steals in progress ([3 27]); the model samples at fixed phases ' +
      'of each burst, with Ps in lockstep',
  );
}

// 4. Blocking syscalls: 20 goroutines looping a 10 ms raw nanosleep, GOMAXPROCS 2. Threads after 500 ms;
// and 2 goroutines × 200 × 1 ms of CPU work beside them: how many cores' worth of CPU work gets done.
{
  const syscallers = (n: number) =>
    background(20, [{ repeat: { count: n, steps: [{ syscall: { dist: 'constant', valueMs: 10 } }] } }]);
  const threads = go<{ threads: number }>('syscalls', 2, [20, 10, 500]).threads;
  const doc = oneRequest(0.5, [syscallers(60)], { gomaxprocs: 2 });
  const c = '20 goroutines in 10 ms syscalls, GOMAXPROCS 2';
  compare(
    c,
    'OS threads',
    threads,
    sim(doc, (s) => s.gmp!.threads),
    0.25,
    2,
    'real Go also counts sysmon and the template thread',
  );
  const real = [1, 2, 3].map(() => go<{ cpuMs: number }>('syscalls', 2, [20, 10, 0, 2, 200]).cpuMs);
  const work = oneRequest(
    3,
    [syscallers(300), { spawn: { count: 2, wait: true, steps: [{ repeat: { count: 200, steps: [cpu(1)] } }] } }],
    { gomaxprocs: 2 },
  );
  compare(
    c,
    'CPU work done beside them, cores (of 2)',
    400 / median(real),
    sim(work, (s) => 400 / s.latencyMs.max),
    0.2,
    0.1,
    'each syscall strands its P until sysmon retakes it',
  );
}

// 5. GC pacing: a 64 MiB live heap of []byte blocks (nothing to scan) while 4 GiB more are allocated in
// 64 KiB blocks that replace the oldest; GC cycles per GiB allocated at GOGC 50/100/200 and GOMEMLIMIT.
for (const [gogc, limitMB] of [[50], [100], [200], [100, 100]] as const) {
  const env: Record<string, string> = { GOGC: String(gogc), ...(limitMB ? { GOMEMLIMIT: `${limitMB}MiB` } : {}) };
  const real = go<{ cycles: number; allocatedBytes: number }>('gcpace', 2, [64, 4096], env);
  const doc = {
    durationS: 4096 / 625, // 4 GiB at 10,000 × 64 KiB per second
    workload: {
      arrival: { process: 'constant', ratePerS: 10_000 },
      request: { steps: [{ alloc: { dist: 'constant', valueKB: 64, objectBytes: 65536 } }, cpu(0.01)] },
    },
    runtime: {
      gomaxprocs: 2,
      gc: { gogc, baseLiveHeapMB: 64, scanFraction: 0, ...(limitMB ? { memoryLimitMB: limitMB } : {}) },
    },
  };
  compare(
    `GC, 64 MiB live, GOGC ${gogc}${limitMB ? `, GOMEMLIMIT ${limitMB} MiB` : ''}`,
    'GC cycles per GiB allocated',
    real.cycles / (real.allocatedBytes / 2 ** 30),
    sim(doc, (s) => s.gmp!.gc!.cycles / 4),
    0.2,
    1,
    limitMB
      ? 'real Go counts all mapped memory (fragmentation, metadata) against the limit; the model only heap + ' +
          'stacks + runtimeOverheadMB'
      : '',
  );
}

// 6. Mark assist: 2,000 requests/s, each allocating 64 KiB of pointer-bearing 64-byte nodes and running
// 200 µs of CPU, beside a 64 MiB live heap of the same nodes, GOMAXPROCS 2, for 5 s. The handler's own
// time (start to end), GOGC 100, and its p99 over the same run with GOGC off.
{
  const run = (gogc: string) =>
    [1, 2, 3].map(() => go<{ p50Ms: number; p99Ms: number }>('assist', 2, [64, 2000, 64, 200, 5], { GOGC: gogc }));
  const on = run('100'),
    off = run('off');
  const doc = (gogc: number | 'off') => ({
    durationS: 5,
    workload: {
      arrival: { process: 'constant', ratePerS: 2000 },
      request: { steps: [{ alloc: { dist: 'constant', valueKB: 64, objectBytes: 64 } }, cpu(0.2)] },
    },
    runtime: { gomaxprocs: 2, gc: { gogc, baseLiveHeapMB: 64 } },
  });
  const c = 'allocating requests beside 64 MiB live, GOMAXPROCS 2';
  compare(
    c,
    'handler time p50 ms, GOGC 100',
    median(on.map((r) => r.p50Ms)),
    sim(doc(100), (s) => s.serviceMs.p50),
    0.2,
    0.03,
    '',
  );
  const [offD, offC] = sim(doc('off'), (s) => s.serviceMs.p99);
  const [onD, onC] = sim(doc(100), (s) => s.serviceMs.p99);
  compare(
    c,
    'handler p99: GOGC 100 ÷ GOGC off',
    median(on.map((r) => r.p99Ms)) / median(off.map((r) => r.p99Ms)),
    [onD / offD, onC / offC],
    0.3,
    0.3,
    'defaults: the slow default scan rate makes requests assist; real Go with GOGC off is slower (fresh memory, ' +
      'page faults), which the model does not charge',
  );
}

// 7. Channels: ping-pong over unbuffered channels (±30%: on this VM the same binary's round trip drifts
// between ~200 and ~320 ns from one minute to the next), and a producer → worker → consumer pipeline with
// 50 µs of CPU per item per stage (buffered 16 and unbuffered), GOMAXPROCS 1 and 2.
for (const procs of [1, 2]) {
  // Real runs are long enough (~0.25 s) to average out the VM; the deterministic model needs fewer.
  const n = 1_000_000,
    simN = 200_000;
  const real = [1, 2, 3].map(() => go<{ elapsedMs: number }>('chans', procs, ['pingpong', n]).elapsedMs);
  const doc = oneRequest(
    10,
    [
      {
        spawn: {
          count: 1,
          wait: false,
          steps: [{ repeat: { count: simN, steps: [{ recv: { chan: 'ping' } }, { send: { chan: 'pong' } }] } }],
        },
      },
      { repeat: { count: simN, steps: [{ send: { chan: 'ping' } }, { recv: { chan: 'pong' } }] } },
    ],
    { gomaxprocs: procs, channels: { ping: {}, pong: {} } },
  );
  compare(
    `channel ping-pong, GOMAXPROCS ${procs}`,
    'ns per round trip',
    (median(real) * 1e6) / n,
    sim(doc, (s) => (s.latencyMs.max * 1e6) / simN),
    0.3,
    20,
    procs === 1 ? 'fit: the calibration derives ctxSwitchNs from this' : '',
  );
}
for (const procs of [1, 2]) {
  for (const capacity of [16, 0]) {
    const n = 5000;
    const real = [1, 2, 3].map(() => go<{ perS: number }>('chans', procs, ['pipeline', n, 50, capacity]).perS);
    const doc = oneRequest(
      10,
      [
        {
          spawn: {
            count: 1,
            wait: false,
            steps: [{ repeat: { count: n, steps: [cpu(0.05), { send: { chan: 'a' } }] } }],
          },
        },
        {
          spawn: {
            count: 1,
            wait: false,
            steps: [{ repeat: { count: n, steps: [{ recv: { chan: 'a' } }, cpu(0.05), { send: { chan: 'b' } }] } }],
          },
        },
        { repeat: { count: n, steps: [{ recv: { chan: 'b' } }, cpu(0.05)] } },
      ],
      { gomaxprocs: procs, channels: { a: { capacity }, b: { capacity } } },
    );
    compare(
      `3-stage pipeline, ${capacity ? `buffered ${capacity}` : 'unbuffered'}, GOMAXPROCS ${procs}`,
      'items per second',
      median(real),
      sim(doc, (s) => n / (s.latencyMs.max / 1000)),
      0.15,
      0,
      procs > 1 && capacity === 0
        ? 'every hand-off parks one M and wakes another (futex sleeps and wake-ups); the model charges the ' +
            'waker nothing and wakes in threadWakeUs'
        : '',
    );
  }
}

// 8. Requests over the network beside 30 ms blocking syscalls, GOMAXPROCS 2: 500 requests/s for 2 s, each
// 200 µs of CPU, a 30 ms raw nanosleep, 100 µs of CPU, handled inline by a goroutine parked on its socket
// (256 sockets, round-robin). Each syscall strands its P; once sysmon has backed off to 10 ms loops while
// a P idled, other Ms' exitsyscalls take each P every few ms (a new syscalltick), so no loop sees the
// same tick twice and retake never fires: a backlog builds. Real Go falls into it in some runs and not
// others; the figures are how many of 8 runs (seeds) do, and the median p50.
{
  const RUNS = 8;
  // real Go falls in less on a busier machine (likely as it wakes sysmon later: the timer-slack runs below)
  const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
  const realLoad = loadavg();
  const real = Array.from({ length: RUNS }, (_, i) =>
    go<{ p50Ms: number; p99Ms: number }>('udpsyscalls', 2, [i + 1, 500, 2000, 200, 30, 100, 256]),
  );
  const doc = {
    durationS: 2,
    workload: {
      arrival: { process: 'poisson', ratePerS: 500 },
      request: { steps: [cpu(0.2), { syscall: { dist: 'constant', valueMs: 30 } }, cpu(0.1)] },
    },
    runtime: { gomaxprocs: 2 },
  };
  const seeds = (d: object) =>
    Array.from(
      { length: RUNS },
      (_, i) => runScenario(parseScenario(JSON.stringify(d), 'validation/case.json'), i + 1).summary,
    );
  const runs = [seeds(doc), seeds({ ...doc, calibration: CALIBRATION })] as const;
  const backlog = (p99s: number[]) => p99s.filter((x) => x > 100).length;
  const both = (f: (ss: RunSummary[]) => number): [number, number] => [f(runs[0]), f(runs[1])];
  const c = 'network requests beside 30 ms syscalls, GOMAXPROCS 2';
  compare(
    c,
    `runs of ${RUNS} with p99 > 100 ms (backlog)`,
    backlog(real.map((r) => r.p99Ms)),
    both((ss) => backlog(ss.map((s) => s.latencyMs.p99))),
    0,
    2,
    `sysmon backed off to 10 ms never sees a syscalltick twice (see README); real runs at load average ${realLoad}`,
  );
  compare(
    c,
    'latency p50 ms (median of runs)',
    median(real.map((r) => r.p50Ms)),
    both((ss) => median(ss.map((s) => s.latencyMs.p50))),
    0.15,
    2,
    'runs differ widely on both sides (real p50 30.5–142 ms over runs): the median moves with how many runs ' +
      'fall into the backlog',
  );
  // The same runs with the program's timer slack set (validation/go/timerslack: prctl before execve, which
  // sysmon's thread inherits), so sysmon's usleep(20) returns late by that slack plus the machine's wake-up:
  // whether real Go falls in turns on the length of sysmon's loop as the model's does (issue 26: real Go
  // falls in less on a busier machine, likely as it wakes sysmon later). The model gets the same slack;
  // calibrated, plus the wake-up the calibration measured beyond the kernel's default slack.
  const defaultSlackUs = CostsSchema.shape.timerSlackUs.parse(undefined);
  const calibration = JSON.parse(readFileSync(`calibrations/${CALIBRATION}.json`, 'utf8')) as {
    runtime: { costs: { timerSlackUs?: number } };
  };
  const vmWakeUs = (calibration.runtime.costs.timerSlackUs ?? defaultSlackUs) - defaultSlackUs;
  for (const slackUs of [1, 150]) {
    const load = loadavg();
    const slacked = Array.from({ length: RUNS }, (_, i) =>
      go<{ p50Ms: number; p99Ms: number }>('udpsyscalls', 2, [i + 1, 500, 2000, 200, 30, 100, 256], {}, [
        binPath('timerslack'),
        String(slackUs * 1000),
      ]),
    );
    const withSlack = (d: typeof doc, us: number) => ({
      ...d,
      runtime: { ...d.runtime, costs: { timerSlackUs: us } },
    });
    compare(
      `network requests beside 30 ms syscalls, GOMAXPROCS 2, timer slack ${slackUs} µs`,
      `runs of ${RUNS} with p99 > 100 ms (backlog)`,
      backlog(slacked.map((r) => r.p99Ms)),
      [
        backlog(seeds(withSlack(doc, slackUs)).map((s) => s.latencyMs.p99)),
        backlog(seeds({ ...withSlack(doc, slackUs + vmWakeUs), calibration: CALIBRATION }).map((s) => s.latencyMs.p99)),
      ],
      0,
      2,
      `the program started with prctl(PR_SET_TIMERSLACK), which sysmon inherits; load average ${load}`,
    );
  }
}

// 9. When the syscall backlog starts (issue 26; validation/onset.ts, which `npm run validate:onset` runs alone
// with every run's onset): the share of runs that fall into the backlog within the horizon, the median second
// it starts (within 2×) and, at 150 req/s, the p99. Real runs are few and short (about 260 s in all); the
// model runs 20 seeds. The note gives every real run's onset and its median's distribution-free interval
// (one run's onset is spread over seconds), the machine's load average and the handler's CPU stretch (wall
// time of its bursts over the time asked for: other processes on CPU 0), since a busy machine makes real Go
// fall in sooner. The scenario is the server as written: `server: net/http` (its read of each request is a
// syscall that wakes a deep-sleeping sysmon; its own CPU per request). The network's round trip (the empty
// request's, measured for the service cases) is outside the server — the client's send and the loopback,
// mostly before the request reaches it — so it is added to the model's latencies rather than run as a step.
{
  const { rttMs } = networkRoundTrip();
  for (const rate of ONSET_RATES) {
    const horizon = HORIZON_S[rate];
    const load = loadavg();
    const lateUs = measureUsleepLateUs();
    const wakeUs = measureSysmonWakeCpuUs();
    const real = realRuns(rate, RUNS[rate], horizon);
    const doc = onsetDoc(rate, horizon);
    const runs = [modelRuns(doc), modelRuns({ ...doc, calibration: CALIBRATION })] as const;
    const both = (f: (rs: ModelRun[]) => number): [number, number] => [f(runs[0]), f(runs[1])];
    const traps = (rs: { trapS: number }[]) =>
      trapStats(
        rs.map((r) => r.trapS),
        horizon,
      );
    const measured = traps(real);
    const onsets = (rs: { trapS: number }[]) =>
      describeOnsets(
        rs.map((r) => r.trapS),
        horizon,
      );
    const c = `net/http, 1 ms CPU + 5 ms syscall, ${rate} req/s, GOMAXPROCS 1`;
    const stretch = median(real.map((r) => r.cpuStretch)).toFixed(2);
    const note =
      `real: ${RUNS[rate]} runs × ${horizon} s at load average ${load}, CPU stretch ${stretch}; ` +
      `gmpsim: ${SEEDS} seeds`;
    compare(
      c,
      `share of runs in the backlog within ${horizon} s`,
      measured.share,
      both((rs) => traps(rs).share),
      0,
      0.2,
      note,
    );
    compare(
      c,
      `s until the backlog starts (median; ${horizon + 1} = never)`,
      measured.medianS,
      both((rs) => traps(rs).medianS),
      0,
      0,
      `real runs ${onsets(real)}; gmpsim defaults ${onsets(runs[0])}, calibrated ${onsets(runs[1])}, ` +
        `with usleep(20) ${lateUs.toFixed(1)} µs late as measured before the real runs ` +
        `${onsets(modelRuns(withUsleepLate(doc, lateUs)))}, with its bursts also × their CPU stretch ` +
        `${stretch} ${onsets(modelRuns(withBurstStretch(withUsleepLate(doc, lateUs), Number(stretch))))}, and ` +
        `instead with sysmon's wakes costing the handler ${wakeUs.toFixed(1)} µs as measured beside them ` +
        `${onsets(modelRuns(withSysmonWakeCpu(withUsleepLate(doc, lateUs), wakeUs)))}`,
      2,
    );
    if (rate === 150)
      compare(
        c,
        'latency p99 ms (median of runs)',
        median(real.map((r) => r.p99Ms)),
        both((rs) => median(rs.map((r) => r.p99Ms + rttMs))),
        0.25,
        1,
        `real ${real.map((r) => r.p99Ms.toFixed(1)).join(', ')}; gmpsim adds the ${rttMs.toFixed(3)} ms round trip`,
      );
  }
}

// 10. Steps issue 23 added, each against the Go it follows (validation/go/syncsteps). Figures are ones the
// machine's load does not move much: sleep-paced times, counts, and ratios of spin-paced times.
{
  const c = (ms: number) => ({ dist: 'constant', valueMs: ms });
  const one = (steps: object[], runtime: object = {}) =>
    oneRequest(2, steps, { gomaxprocs: 2, channels: { c: { capacity: 64 } }, ...runtime });
  // select with a timeout: a producer sends every 10 ms, the consumer runs 30 selects with a 4 ms
  // time.After: two timeouts then a value, ~100 ms (stale timers of won selects must not wake anyone).
  const sel = [1, 2, 3].map(() => go<{ elapsedMs: number; timeouts: number }>('syncsteps', 2, ['select', 30, 10, 4]));
  compare(
    'select with a 4 ms timeout, a value every 10 ms, GOMAXPROCS 2',
    'ms for 30 selects (median of 3)',
    median(sel.map((r) => r.elapsedMs)),
    sim(
      one([
        {
          spawn: {
            count: 1,
            wait: false,
            steps: [{ repeat: { count: 30, steps: [{ sleep: c(10) }, { send: { chan: 'c' } }] } }],
          },
        },
        { repeat: { count: 30, steps: [{ select: { chan: 'c', timeout: c(4) } }] } },
      ]),
      (s) => s.latencyMs.max,
    ),
    0.1,
    2,
    `real: ${median(sel.map((r) => r.timeouts))} timeouts of 30`,
  );
  // close: 4 receivers parked; closed after 5 ms; all return (with the zero value).
  const closed = [1, 2, 3].map(() => go<{ elapsedMs: number; zeros: number }>('syncsteps', 2, ['close', 4, 5]));
  compare(
    'close wakes 4 parked receivers, GOMAXPROCS 2',
    'ms until all returned (median of 3)',
    median(closed.map((r) => r.elapsedMs)),
    sim(
      one([
        { spawn: { count: 4, wait: false, steps: [{ recv: { chan: 'c' } }] } },
        { sleep: c(5) },
        { close: { chan: 'c' } },
        { spawn: { count: 1, wait: true, steps: [{ cpu: c(0.001) }] } }, // wait for every child
      ]),
      (s) => s.latencyMs.max,
    ),
    0.15,
    0.5,
    `real: ${median(closed.map((r) => r.zeros))} of 4 got the zero value`,
  );
  // sync.RWMutex, writer preference: R1 reads 40 ms; W arrives at 10 ms (writes 20 ms); R2 at 30 ms
  // (reads 10 ms) waits behind W: finishes at 40, 60 and 70 (R2 at 40 without writer preference). The
  // holders spin, so the machine's load stretches every time alike: ratios to R1's finish, and how many
  // runs had R2 finish after W (the order, which load does not change).
  const rw = [1, 2, 3].map(() => go<{ r1Ms: number; wMs: number; r2Ms: number }>('syncsteps', 2, ['rwmutex']));
  const rwStep = (write: boolean, ms: number) => ({ rwlocked: { rwmutex: 'rw', write, cpu: c(ms) } });
  const actors = {
    r1: [rwStep(false, 40)],
    w: [{ sleep: c(10) }, rwStep(true, 20)],
    r2: [{ sleep: c(30) }, rwStep(false, 10)],
  };
  // The request's own goroutine plays `who`; the other two run beside it.
  const finish = (who: keyof typeof actors) =>
    one([
      ...Object.entries(actors)
        .filter(([k]) => k !== who)
        .map(([, steps]) => ({ spawn: { count: 1, wait: false, steps } })),
      ...actors[who],
    ]);
  const [r1D, r1C] = sim(finish('r1'), (s) => s.latencyMs.max);
  const [wD, wC] = sim(finish('w'), (s) => s.latencyMs.max);
  const [r2D, r2C] = sim(finish('r2'), (s) => s.latencyMs.max);
  const rwCase = 'sync.RWMutex: reader, writer, reader (writer preference), GOMAXPROCS 2';
  compare(
    rwCase,
    'runs of 3 where the second reader finished after the writer',
    rw.filter((r) => r.r2Ms > r.wMs).length,
    [r2D > wD ? 3 : 0, r2C > wC ? 3 : 0],
    0,
    0,
  );
  compare(
    rwCase,
    "writer's finish ÷ first reader's",
    median(rw.map((r) => r.wMs / r.r1Ms)),
    [wD / r1D, wC / r1C],
    0.15,
    0,
  );
  compare(
    rwCase,
    "second reader's finish ÷ first reader's",
    median(rw.map((r) => r.r2Ms / r.r1Ms)),
    [r2D / r1D, r2C / r1C],
    0.15,
    0,
    'without writer preference it would be 1.0',
  );
  // sync.Mutex starvation mode: G1 locks, spins 0.5 ms, unlocks, 40 times back to back; G2 locks once
  // after 0.2 ms. Normal mode lets G1 win every race; after 1 ms G2 starves and gets the hand-off.
  const starve = [1, 2, 3].map(() => go<{ waitMs: number; holdMs: number }>('syncsteps', 2, ['starve', 40, 500]));
  const starveDoc = (syncMutex: string) =>
    one(
      [
        { spawn: { count: 1, wait: false, steps: [{ repeat: { count: 40, steps: [{ locked: { cpu: c(0.5) } }] } }] } },
        { sleep: c(0.2) },
        { locked: { cpu: c(0) } },
      ],
      { syncMutex },
    );
  const [fifoWait] = sim(starveDoc('fifo'), (s) => s.latencyMs.max - 0.2);
  const starveCase = 'sync.Mutex starvation mode (runtime.syncMutex: go), GOMAXPROCS 2';
  const waitMs = sim(starveDoc('go'), (s) => s.latencyMs.max - 0.2);
  compare(
    starveCase,
    "G2's wait for the lock, in G1's holds (median of 3)",
    median(starve.map((r) => r.waitMs / r.holdMs)),
    [waitMs[0] / 0.5, waitMs[1] / 0.5],
    0.3,
    1,
    "G1's holds are spins: a loaded machine stretches them; this counts in holds " +
      `(real hold ${median(starve.map((r) => r.holdMs)).toFixed(2)} ms). ` +
      `syncMutex fifo gives ${(fifoWait / 0.5).toFixed(1)}; without starvation mode G2 would wait all 40`,
  );
  compare(
    starveCase,
    "G2's wait for the lock, ms (median of 3)",
    median(starve.map((r) => r.waitMs)),
    waitMs,
    0.3,
    1,
    `syncMutex fifo gives ${fifoWait.toFixed(2)} ms`,
  );
}

// 11. Service level (issue 23): a real net/http server under open-loop load, under a CPU quota and with GC,
// against the scenario its owner would write (validation/service.ts, validation/scenarios/http-service.yaml).
runServiceCases(compare, CALIBRATION);

const passed = rows.filter((r) => r.pass).length;
const passedCal = rows.filter((r) => r.passCalibrated).length;
const fmt = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2)) : '-');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');
const mark = (ok: boolean) => (ok ? 'pass' : '**miss**');
const md = [
  `# gmpsim against real Go`,
  '',
  `${version}. Within tolerance: ${passed} of ${rows.length} figures with the model's documented ` +
    `defaults, ${passedCal} of ${rows.length} with the \`${CALIBRATION}\` calibration.`,
  '',
  `| case | figure | real Go | gmpsim defaults | error | gmpsim calibrated | error | tolerance | defaults | ` +
    `calibrated | note |`,
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.case} | ${r.figure} | ${fmt(r.measured)} | ${fmt(r.simulated)} | ${pct(r.relError)} ` +
      `| ${fmt(r.calibrated)} | ${pct(r.relErrorCalibrated)} | ${r.tolerance} | ${mark(r.pass)} ` +
      `| ${mark(r.passCalibrated)} | ${r.note} |`,
  ),
  '',
].join('\n');
writeFileAtomic('results/validation/report.md', md);
writeFileAtomic(
  'results/validation/report.json',
  toStableJson({
    go: version,
    calibration: CALIBRATION,
    passed,
    passedCalibrated: passedCal,
    total: rows.length,
    rows,
  }),
);
process.stdout.write(`${md}\n`);
if (!existsSync('results/validation/report.md')) process.exitCode = 1;

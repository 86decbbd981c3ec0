import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { RandomStreams } from '../src/engine/random.js';
import { Simulation } from '../src/engine/simulation.js';
import { mmcMeanWait } from '../src/theory/mmc.js';

/**
 * The peer baseline (issue 9): the same M/M/c queue — Poisson arrivals, exponential service, c
 * servers, FIFO, 10^6 customers — written on gmpsim's engine and in SimPy 2 (bench/simpy_mmc.py,
 * Debian's python3-simpy), run side by side. Both must agree on the mean wait (with each other and
 * with Erlang C); the figure is the ratio of their wall times. Writes results/bench/mmc.json.
 */
const LAMBDA = 3.2;
const MU = 1;
const C = 4;
const N = 1_000_000;
const PYTHON = '/usr/bin/python3'; // Debian's, which sees python3-simpy (a pyenv python does not)

/** M/M/c on the engine: two event kinds, a ring buffer of waiting arrival times, a busy-server count. */
function gmpsimMmc(seed: number): { customers: number; meanWaitS: number; wallS: number } {
  const t0 = process.hrtime.bigint();
  const sim = new Simulation();
  const rng = new RandomStreams(seed);
  const arrivals = rng.stream('arrivals');
  const service = rng.stream('service');
  const meanGap = 1e9 / LAMBDA;
  const meanService = 1e9 / MU;
  let queue = new Float64Array(1024);
  let head = 0;
  let len = 0;
  let busy = 0;
  let made = 0;
  let served = 0;
  let waitSum = 0;
  const kDepart = sim.registerKind('mmc.depart', () => {
    if (len > 0) {
      const arrived = queue[head]!;
      head = (head + 1) & (queue.length - 1);
      len--;
      waitSum += sim.now - arrived;
      served++;
      sim.schedule(Math.round(service.exponential(meanService)), kDepart);
    } else busy--;
  });
  const kArrive = sim.registerKind('mmc.arrive', () => {
    if (busy < C) {
      busy++;
      served++;
      sim.schedule(Math.round(service.exponential(meanService)), kDepart);
    } else {
      if (len === queue.length) {
        const q = new Float64Array(queue.length * 2);
        for (let i = 0; i < len; i++) q[i] = queue[(head + i) & (queue.length - 1)]!;
        queue = q;
        head = 0;
      }
      queue[(head + len) & (queue.length - 1)] = sim.now;
      len++;
    }
    if (++made < N) sim.schedule(Math.round(arrivals.exponential(meanGap)), kArrive);
  });
  sim.schedule(0, kArrive);
  sim.run();
  return { customers: served, meanWaitS: waitSum / served / 1e9, wallS: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const runs = [1, 2, 3].map((seed) => gmpsimMmc(seed));
const g = runs.reduce((a, b) => (b.wallS < a.wallS ? b : a));
let simpy: { customers: number; meanWaitS: number; wallS: number } | undefined;
if (existsSync(PYTHON)) {
  try {
    simpy = JSON.parse(
      execFileSync(PYTHON, ['bench/simpy_mmc.py', String(LAMBDA), String(MU), String(C), String(N), '1'], {
        encoding: 'utf8',
      }),
    ) as typeof simpy;
  } catch (e) {
    process.stderr.write(
      `SimPy baseline unavailable (apt-get install -y python3-simpy): ${(e as Error).message.split('\n')[0]}\n`,
    );
  }
}
const erlangC = mmcMeanWait(LAMBDA, MU, C);
const report = {
  date: new Date().toISOString(),
  node: process.version,
  model: { lambdaPerS: LAMBDA, muPerS: MU, servers: C, customers: N, utilization: LAMBDA / (C * MU) },
  erlangCMeanWaitS: erlangC,
  gmpsim: { ...g, meanWaitS: runs.map((r) => r.meanWaitS), note: 'best wall time of 3 seeds; mean waits of all 3' },
  simpy: simpy ?? null,
  speedup: simpy ? simpy.wallS / g.wallS : null,
  agreement: simpy
    ? {
        gmpsimVsErlangC: runs[0]!.meanWaitS / erlangC - 1,
        simpyVsErlangC: simpy.meanWaitS / erlangC - 1,
        withinFivePercent: Math.abs(simpy.meanWaitS / runs[0]!.meanWaitS - 1) < 0.05,
      }
    : null,
  target: { speedup: 50, met: simpy ? simpy.wallS / g.wallS >= 50 : null },
};
mkdirSync('results/bench', { recursive: true });
writeFileSync('results/bench/.mmc.json.tmp', `${JSON.stringify(report, null, 2)}\n`);
renameSync('results/bench/.mmc.json.tmp', 'results/bench/mmc.json');
process.stderr.write(`${JSON.stringify(report, null, 2)}\n`);

import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { frameRecord } from '../../src/sweep/journal.js';
import { runSeed } from '../../src/sweep/points.js';

/**
 * The bad-input corpus: every input a hostile or careless user could give that issue 25 found
 * mishandled, as a table. Each case runs the real CLI in its own directory and asserts the exit code,
 * the first line of stderr, that no JavaScript stack reached the user, that nothing that was there
 * before is lost or changed (nothing lost) and, for a refusal, that nothing new was written (nothing
 * partial). Add a case with every new field or option.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/gmpsim.js');

const tiny = 'durationS: 2\nworkload: { arrival: { process: poisson, ratePerS: 100 } }\nruntime: { gomaxprocs: 1 }\n';
const tinySweep = `name: tiny-sweep\n${tiny}sweep:\n  grid:\n    runtime.gomaxprocs: [1, 2]\n  replications: 2\n`;

interface Case {
  name: string;
  /** Make the case's files in `dir` (the working directory); return the CLI arguments. */
  setup: (dir: string) => string[];
  code: number;
  /** The first line of stderr. */
  first: RegExp;
  /** For exit 0: files that must exist afterwards. */
  writes?: string[];
  /** Run once before the case (making earlier results) — its files are part of "before". */
  before?: (dir: string) => void;
}

function gmpsim(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under dir (relative path → content), for before/after comparison. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) {
        out.set(`${relative(dir, p)}/`, '');
        walk(p);
      } else if (st.isFile()) out.set(relative(dir, p), st.size > 1e6 ? `size ${st.size}` : readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

const write = (dir: string, name: string, text: string) => {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  writeFileSync(join(dir, name), text);
  return name;
};
const scenario = (dir: string, text: string, name = 's.yaml') => write(dir, name, text);

/** A finished tiny sweep in dir/sd (its journal and results), for the journal cases. */
function sweepDir(dir: string, out = 'sd', extra: string[] = []): void {
  scenario(dir, tinySweep, 'sw.yaml');
  const r = gmpsim(['sweep', 'sw.yaml', '--out', out, '--workers', '1', '--quiet', ...extra], dir);
  if (r.code !== 0) throw new Error(r.stderr);
}

const period = (name: string, yaml: string, path: string): Case => ({
  name: `a period that rounds to 0 ns: ${name}`,
  setup: (d) => ['validate', scenario(d, yaml)],
  code: 2,
  first: new RegExp(`^error: s\\.yaml:\\d+:\\d+: ${path.replace(/[.[\]]/g, '\\$&')}: expected a number ≥`),
});

/** A tiny scenario whose request runs `steps` (a YAML flow list), with `deps` as its dependencies block. */
const svc = (steps: string, deps: string) =>
  `durationS: 2\nworkload: { arrival: { process: poisson, ratePerS: 100 }, request: { steps: ${steps} } }\n` +
  `runtime: { gomaxprocs: 1 }\n${deps ? `dependencies: { ${deps} }\n` : ''}`;

const hpa =
  'hpa: { maxReplicas: 3, metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, ' +
  'averageUtilization: 50 } } }]';

const CASES: Case[] = [
  // 0. The service's world (issue 18): an undeclared dependency, pool sizes, limiter bounds.
  {
    name: 'a call to an undeclared dependency: its path and a suggestion',
    setup: (d) => ['run', scenario(d, svc('[{ call: { dependency: dbb } }]', 'db: {}'))],
    code: 2,
    first: new RegExp(
      /^error: s\.yaml:\d+:\d+: workload\.request\.steps\[0\]\.call\.dependency: expected one of "db",/.source +
        / found "dbb" \(did you mean "db"\?\)/.source,
    ),
  },
  {
    name: 'a call with no dependencies declared',
    setup: (d) => ['validate', scenario(d, svc('[{ call: { dependency: db } }]', ''))],
    code: 2,
    first: new RegExp(
      /^error: s\.yaml:\d+:\d+: workload\.request\.steps\[0\]\.call\.dependency: expected a dependency/.source +
        / declared in dependencies \(none are\), found "db"/.source,
    ),
  },
  {
    name: 'a negative pool size',
    setup: (d) => [
      'run',
      scenario(d, svc('[{ call: { dependency: db } }]', 'db: { pool: { style: net/http, maxConnsPerHost: -2 } }')),
    ],
    code: 2,
    first: /^error: s\.yaml:\d+:\d+: dependencies\.db\.pool\.maxConnsPerHost: expected a number ≥ 0, found -2/,
  },
  {
    name: 'a fractional pool size',
    setup: (d) => [
      'run',
      scenario(d, svc('[{ call: { dependency: db } }]', 'db: { pool: { style: database/sql, maxIdleConns: 1.5 } }')),
    ],
    code: 2,
    first: /^error: s\.yaml:\d+:\d+: dependencies\.db\.pool\.maxIdleConns: expected an integer, found 1\.5/,
  },
  {
    name: 'an error rate above 1',
    setup: (d) => ['run', scenario(d, svc('[{ call: { dependency: db } }]', 'db: { errorRate: 2 }'))],
    code: 2,
    first: /^error: s\.yaml:\d+:\d+: dependencies\.db\.errorRate: expected a number ≤ 1, found 2/,
  },
  {
    name: 'a limiter on the ideal-fifo scheduler',
    setup: (d) => [
      'validate',
      scenario(
        d,
        `${tiny.replace('gomaxprocs: 1', 'gomaxprocs: 1, scheduler: ideal-fifo')}service: { limiter: { type: ` +
          `fixed, limit: 4 } }\n`,
      ),
    ],
    code: 2,
    first: /^error: s\.yaml:\d+:\d+: service\.limiter: expected runtime\.scheduler: gmp/,
  },
  {
    name: 'an AIMD limiter with minLimit above maxLimit',
    setup: (d) => ['run', scenario(d, `${tiny}service: { limiter: { type: aimd, minLimit: 50, maxLimit: 10 } }\n`)],
    code: 2,
    first: /^error: s\.yaml:\d+:\d+: service\.limiter\.maxLimit: expected minLimit ≤ maxLimit/,
  },
  // 1. Output directories.
  {
    name: 'run --out FILE: refused, the file kept',
    setup: (d) => ['run', scenario(d, tiny), '--out', write(d, 'notes.txt', 'mine\n')],
    code: 2,
    first: /^error: --out notes\.txt: is a file, not a results directory/,
  },
  {
    name: 'run --out DIR holding other files: refused, nothing deleted',
    setup: (d) => {
      write(d, 'mine/a.txt', 'a');
      return ['run', scenario(d, tiny), '--out', 'mine'];
    },
    code: 2,
    first: /^error: --out mine: holds other files \(e\.g\. a\.txt\)/,
  },
  {
    name: 'compare --out DIR holding other files: refused',
    setup: (d) => {
      write(d, 'mine/a.txt', 'a');
      return ['compare', scenario(d, `${tiny}variants: [{ name: a }]\n`), '--out', 'mine'];
    },
    code: 2,
    first: /^error: --out mine: holds other files/,
  },
  {
    name: 'run --out .: refused',
    setup: (d) => ['run', scenario(d, tiny), '--out', '.'],
    code: 2,
    first: /^error: --out \.: refusing to write results into the working directory/,
  },
  {
    name: 'run --out a parent of other results: refused',
    before: (d) => void gmpsim(['run', scenario(d, tiny), '--out', 'results/r1', '--quiet'], d),
    setup: () => ['run', 's.yaml', '--out', 'results'],
    code: 2,
    first: /^error: --out results: is a parent of other results/,
  },
  {
    name: 'run --out an earlier compare directory: refused (another kind)',
    before: (d) =>
      void gmpsim(['compare', scenario(d, `${tiny}variants: [{ name: a }]\n`, 'c.yaml'), '--out', 'cmp', '--quiet'], d),
    setup: (d) => ['run', scenario(d, tiny), '--out', 'cmp'],
    code: 2,
    first: /^error: --out cmp: holds gmpsim compare results, not run results/,
  },
  {
    name: 'run --out below a file: refused',
    setup: (d) => ['run', scenario(d, tiny), '--out', `${write(d, 'f', 'x')}/run`],
    code: 2,
    first: /^error: --out f\/run: .*f is a file, not a directory/,
  },
  {
    name: 'run --out an earlier run directory: replaced (exit 0)',
    before: (d) => void gmpsim(['run', scenario(d, tiny), '--out', 'r', '--quiet'], d),
    setup: () => ['run', 's.yaml', '--out', 'r', '--quiet'],
    code: 0,
    first: /^$/,
    writes: ['r/summary.json', 'r/.gmpsim-results'],
  },
  {
    name: 'run --trace onto a directory: refused',
    setup: (d) => {
      mkdirSync(join(d, 'tdir'));
      return ['run', scenario(d, tiny), '--trace', 'tdir', '--out', 'r'];
    },
    code: 2,
    first: /^error: --trace tdir: not a regular file/,
  },
  {
    name: 'sweep --out FILE: refused',
    setup: (d) => ['sweep', scenario(d, tinySweep), '--out', write(d, 'x.csv', '1\n')],
    code: 2,
    first: /^error: --out x\.csv: is a file/,
  },
  {
    name: 'tune --out DIR holding other files: refused',
    setup: (d) => {
      write(d, 'o/keep', 'k');
      return ['tune', scenario(d, tinySweep), '--out', 'o'];
    },
    code: 2,
    first: /^error: --out o: holds other files/,
  },
  {
    name: 'merge --out DIR holding other files: refused',
    before: (d) => sweepDir(d),
    setup: (d) => {
      write(d, 'o/keep', 'k');
      return ['merge', 'sd', '--out', 'o'];
    },
    code: 2,
    first: /^error: --out o: holds other files/,
  },
  {
    name: 'merge --out one of its shards: refused',
    before: (d) => sweepDir(d),
    setup: () => ['merge', 'sd', '--out', 'sd'],
    code: 2,
    first: /^error: --out sd: is one of the shards being merged/,
  },
  {
    name: 'report on a directory that is not results: refused',
    setup: (d) => {
      write(d, 'docs/notes.md', '# mine');
      write(d, 'docs/summary.json', '{}');
      return ['report', 'docs'];
    },
    code: 2,
    first: /^error: docs: not a gmpsim run, compare, sweep or tune results directory/,
  },

  // 2. The journal.
  {
    name: '--resume after editing the grid: refused, naming it',
    before: (d) => sweepDir(d),
    setup: (d) => ['sweep', scenario(d, tinySweep.replace('[1, 2]', '[1, 3]')), '--out', 'sd', '--resume'],
    code: 2,
    first: /^error: --resume: sd holds a different sweep \(differs in: sweep\.grid\)/,
  },
  {
    name: '--resume after editing the base scenario: refused, naming the block',
    before: (d) => sweepDir(d),
    setup: (d) => [
      'sweep',
      scenario(d, tinySweep.replace('ratePerS: 100', 'ratePerS: 150')),
      '--out',
      'sd',
      '--resume',
    ],
    code: 2,
    first: /^error: --resume: sd holds a different sweep \(differs in: scenario block workload\)/,
  },
  {
    name: '--resume with another seed: refused',
    before: (d) => sweepDir(d),
    setup: () => ['sweep', 'sw.yaml', '--out', 'sd', '--resume', '--seed', '9'],
    code: 2,
    first: /differs in: master seed 1 vs 9/,
  },
  {
    name: 'merge of shards of different sweeps: refused',
    before: (d) => {
      sweepDir(d, 's1', ['--shard', '1/2']);
      scenario(d, tinySweep.replace('[1, 2]', '[1, 4]'), 'sw2.yaml');
      gmpsim(['sweep', 'sw2.yaml', '--shard', '2/2', '--out', 's2', '--quiet'], d);
    },
    setup: () => ['merge', 's1', 's2', '--out', 'm'],
    code: 2,
    first: /^error: s2: a different sweep than s1 \(differs in: sweep\.grid\)/,
  },
  {
    name: 'merge: a {} record is refused with its line',
    before: (d) => sweepDir(d),
    setup: (d) => {
      appendFileSync(join(d, 'sd/runs.jsonl'), frameRecord({} as never));
      return ['merge', 'sd', '--out', 'm'];
    },
    code: 2,
    first: /^error: sd\/runs\.jsonl:5: expected a point from 0 to 1, found undefined/,
  },
  {
    name: 'merge: a record for a point the sweep lacks is refused',
    before: (d) => sweepDir(d),
    setup: (d) => {
      appendFileSync(
        join(d, 'sd/runs.jsonl'),
        frameRecord({ point: 7, rep: 0, seed: runSeed(1, 0), params: [], metrics: [] }),
      );
      return ['merge', 'sd', '--out', 'm'];
    },
    code: 2,
    first: /^error: sd\/runs\.jsonl:5: expected a point from 0 to 1, found 7/,
  },
  {
    name: 'merge: a duplicate record is refused',
    before: (d) => sweepDir(d),
    setup: (d) => {
      appendFileSync(join(d, 'sd/runs.jsonl'), `${readFileSync(join(d, 'sd/runs.jsonl'), 'utf8').split('\n')[0]!}\n`);
      return ['merge', 'sd', '--out', 'm'];
    },
    code: 2,
    first: /^error: sd\/runs\.jsonl:5: point \d replication \d is recorded twice/,
  },
  {
    name: 'sweep --resume over a duplicate record: refused, results not rewritten',
    before: (d) => sweepDir(d),
    setup: (d) => {
      appendFileSync(join(d, 'sd/runs.jsonl'), `${readFileSync(join(d, 'sd/runs.jsonl'), 'utf8').split('\n')[0]!}\n`);
      return ['sweep', 'sw.yaml', '--out', 'sd', '--resume'];
    },
    code: 2,
    first: /recorded twice/,
  },
  {
    name: 'a corrupt record before the last: refused with its line',
    before: (d) => sweepDir(d),
    setup: (d) => {
      const f = join(d, 'sd/runs.jsonl');
      const l = readFileSync(f, 'utf8').split('\n');
      l[1] = l[1]!.replace('"rep"', '"rEp"');
      writeFileSync(f, l.join('\n'));
      return ['sweep', 'sw.yaml', '--out', 'sd', '--resume'];
    },
    code: 2,
    first: /^error: sd\/runs\.jsonl:2: expected a framed, checksummed run record, found a corrupt line/,
  },
  {
    name: 'a second writer on a directory a live process holds: refused',
    before: (d) => sweepDir(d),
    setup: (d) => {
      writeFileSync(join(d, 'sd/journal.lock'), `${process.pid}\n`);
      return ['sweep', 'sw.yaml', '--out', 'sd'];
    },
    code: 2,
    first: new RegExp(`^error: sd: another gmpsim \\(pid ${process.pid}\\) is writing this sweep`),
  },
  {
    name: 'merge of a shard still being written: refused',
    before: (d) => sweepDir(d),
    setup: (d) => {
      writeFileSync(join(d, 'sd/journal.lock'), `${process.pid}\n`);
      return ['merge', 'sd', '--out', 'm'];
    },
    code: 2,
    first: /^error: sd: still being written by gmpsim pid/,
  },

  // 3. Bounded work: floors on every period, caps on products.
  period('metrics.sampleIntervalMs', 'metrics: { sampleIntervalMs: 1e-9 }\n', 'metrics.sampleIntervalMs'),
  period('hpa.controller.syncPeriodS', `${hpa}, controller: { syncPeriodS: 1e-12 } }\n`, 'hpa.controller.syncPeriodS'),
  period(
    'metricsPipeline.scrapeIntervalS',
    'metricsPipeline: { scrapeIntervalS: 1e-12 }\n',
    'metricsPipeline.scrapeIntervalS',
  ),
  period('metricsPipeline.cpuWindowS', 'metricsPipeline: { cpuWindowS: 1e-12 }\n', 'metricsPipeline.cpuWindowS'),
  period('metricsPipeline.rateWindowS', 'metricsPipeline: { rateWindowS: 1e-12 }\n', 'metricsPipeline.rateWindowS'),
  period('keda.pollingIntervalS', 'keda: { pollingIntervalS: 1e-12 }\n', 'keda.pollingIntervalS'),
  period('keda.hpaSyncPeriodS', 'keda: { hpaSyncPeriodS: 1e-12 }\n', 'keda.hpaSyncPeriodS'),
  period('densityController.periodS', 'densityController: { periodS: 1e-12 }\n', 'densityController.periodS'),
  period('runtime.cfsPeriodMs', 'runtime: { cpuLimitCores: 1, cfsPeriodMs: 1e-9 }\n', 'runtime.cfsPeriodMs'),
  period(
    'workload.arrival.states[].meanDurationS',
    'workload: { arrival: { process: mmpp, states: [{ ratePerS: 1, meanDurationS: 1e-12 }, { ratePerS: 2, ' +
      'meanDurationS: 1 }] } }\n',
    'workload.arrival.states[0].meanDurationS',
  ),
  period(
    'workload.arrival.periodS (diurnal)',
    'workload: { arrival: { process: diurnal, periodS: 1e-12 } }\n',
    'workload.arrival.periodS',
  ),
  {
    name: '--schedtrace 1e-9: refused',
    setup: (d) => ['run', scenario(d, tiny), '--schedtrace', '1e-9', '--out', 'r'],
    code: 2,
    first: /^error: option '--schedtrace <ms>' argument '1e-9' is invalid\. expected a number of milliseconds ≥ 0\.001/,
  },
  {
    name: '--schedtrace with too many lines: refused before simulating',
    setup: (d) => ['run', scenario(d, 'durationS: 100000\n'), '--schedtrace', '0.001', '--out', 'r'],
    code: 2,
    first: /^error: --schedtrace 0\.001: expected at most 1,000,000 trace lines/,
  },
  {
    name: 'sampling 10^9 times in a run: refused, naming the setting',
    setup: (d) => ['validate', scenario(d, 'durationS: 1000\nmetrics: { sampleIntervalMs: 0.001 }\n')],
    code: 2,
    first: new RegExp(
      /metrics\.sampleIntervalMs: expected at most 1,000,000 samples .*raise metrics\.sampleIntervalMs/.source +
        / or lower durationS/.source,
    ),
  },
  {
    name: 'HPA syncs every 1 ms for 10^6 s: refused (periodic firings)',
    setup: (d) => ['validate', scenario(d, `durationS: 1000000\n${hpa}, controller: { syncPeriodS: 0.001 } }\n`)],
    code: 2,
    first: new RegExp(
      /hpa\.controller\.syncPeriodS: expected at most 10,000,000 firings \(durationS \/ syncPeriodS\),/.source +
        / found 1,000,000,000; raise hpa\.controller\.syncPeriodS or lower durationS/.source,
    ),
  },
  {
    name: 'CFS periods of 1 ms for 10^6 s: refused (periodic firings)',
    setup: (d) => [
      'validate',
      scenario(
        d,
        'durationS: 1000000\nworkload: { arrival: { process: poisson, ratePerS: 1 } }\nruntime: { ' +
          'cpuLimitCores: 1, cfsPeriodMs: 1 }\n',
      ),
    ],
    code: 2,
    first: /runtime\.cfsPeriodMs: expected at most 10,000,000 firings/,
  },
  {
    name: 'ratePerS: 1e9: refused (rate × duration)',
    setup: (d) => ['validate', scenario(d, 'workload: { arrival: { process: poisson, ratePerS: 1e9 } }\n')],
    code: 2,
    first: /workload\.arrival\.ratePerS: expected at most 100,000,000 requests in a run/,
  },
  {
    name: 'a 10^6 × 10^6 nested spawn: refused (program size × fan-out)',
    setup: (d) => [
      'validate',
      scenario(
        d,
        'workload: { request: { steps: [{ spawn: { count: 1000000, steps: [{ spawn: { count: 1000000, steps: [{ ' +
          'cpu: { dist: constant, valueMs: 1 } }] } }] } }] } }\n',
      ),
    ],
    code: 2,
    first: /workload\.request\.steps: expected at most 10,000,000 steps per request counting every spawned goroutine/,
  },
  {
    name: 'a sweep of 10^10 points: refused before expanding',
    setup: (d) => [
      'sweep',
      scenario(
        d,
        `${tiny}sweep:\n  grid:` +
          `\n${Array.from({ length: 10 }, (_, i) => `    faults[${i}].atS: [0,1,2,3,4,5,6,7,8,9]\n`).join('')}`,
      ),
      '--out',
      'o',
    ],
    code: 2,
    first: /sweep\.grid: expected at most 100,000 points .*found 10,000,000,000/,
  },
  {
    name: '--workers 1000 on a 4-run sweep: capped, runs (exit 0)',
    setup: (d) => ['sweep', scenario(d, tinySweep), '--workers', '1000', '--out', 'o', '--quiet'],
    code: 0,
    first: /^$/,
    writes: ['o/points.csv'],
  },
  {
    name: 'run --threads 0: refused before running',
    setup: (d) => ['run', scenario(d, tiny), '--threads', '0', '--out', 'o'],
    code: 2,
    first: /^error: option '--threads <n>' argument '0' is invalid\. expected a number of threads from 1 to 1024/,
  },
  {
    name: 'validate /dev/zero: refused at once (not a regular file)',
    setup: () => ['validate', '/dev/zero'],
    code: 2,
    first: /^error: \/dev\/zero: expected a regular file, found a device/,
  },
  {
    name: 'a scenario file larger than the cap: refused unread',
    setup: (d) => {
      writeFileSync(join(d, 'big.yaml'), '');
      truncateSync(join(d, 'big.yaml'), 65 * 1024 * 1024);
      return ['validate', 'big.yaml'];
    },
    code: 2,
    first: /^error: big\.yaml: expected a file of at most 64 MiB, found 65\.0 MiB/,
  },
  // Issue 18: fault targets that match nothing, k6 executors, the steady-state hypothesis.
  {
    name: 'a fault on a pod index that does not exist: refused at its line',
    setup: (d) => [
      'validate',
      scenario(
        d,
        'cluster: { replicas: 3 }\nfaults:\n  - { type: network-latency, atS: 1, target: { kind: pod, index: 5 } }\n',
      ),
    ],
    code: 2,
    first: new RegExp(
      /^error: s\.yaml:3:\d+: faults\[0\]\.target\.index: expected a pod index below cluster\.replicas/.source +
        / \(3\): the target matches no pod, found 5/.source,
    ),
  },
  {
    name: 'a fault on a node with unlimited nodes: refused',
    setup: (d) => [
      'validate',
      scenario(d, 'faults:\n  - { type: noisy-neighbour, atS: 1, target: { kind: node, index: 0 } }\n'),
    ],
    code: 2,
    first: /faults\[0\]\.target\.index: expected a node index that exists \(unlimited nodes/,
  },
  {
    name: 'a dependency fault on an undeclared dependency: refused at its line, with did-you-mean',
    setup: (d) => [
      'validate',
      scenario(
        d,
        'workload: { request: { steps: [ { call: { dependency: db } } ] } }\n' +
          'dependencies: { db: { latency: { dist: constant, valueMs: 1 } } }\n' +
          'faults:\n  - { type: dependency-outage, atS: 1, target: { kind: dependency, name: dbb } }\n',
      ),
    ],
    code: 2,
    first: new RegExp(
      /^error: s\.yaml:4:\d+: faults\[0\]\.target\.name: expected one of "db": /.source +
        /the target matches no dependency, found "dbb" \(did you mean "db"\?\)/.source,
    ),
  },
  {
    name: 'a dependency fault without a target: refused (it has no default)',
    setup: (d) => [
      'validate',
      scenario(
        d,
        'workload: { request: { steps: [ { call: { dependency: db } } ] } }\n' +
          'dependencies: { db: { latency: { dist: constant, valueMs: 1 } } }\n' +
          'faults:\n  - { type: dependency-slowdown, atS: 1, latencyFactor: 3 }\n',
      ),
    ],
    code: 2,
    first: /faults\[0\]\.type: expected a target \{kind: dependency, name\} for dependency-slowdown/,
  },
  {
    name: 'a target kind the fault cannot hit: refused',
    setup: (d) => [
      'validate',
      scenario(d, 'faults:\n  - { type: hpa-down, atS: 1, target: { kind: pod, index: 0 } }\n'),
    ],
    code: 2,
    first: /faults\[0\]\.target\.kind: expected a target hpa-down can hit \(hpa-controller\), found pod/,
  },
  {
    name: 'an adapter target without an autoscaler: refused (matches nothing)',
    setup: (d) => [
      'validate',
      scenario(d, 'faults:\n  - { type: metrics-down, atS: 1, target: { kind: custom-metrics-adapter } }\n'),
    ],
    code: 2,
    first: /faults\[0\]\.target\.kind: expected an autoscaler .* for a custom-metrics-adapter target/,
  },
  {
    name: 'a fraction target of 0: refused',
    setup: (d) => [
      'validate',
      scenario(d, 'faults:\n  - { type: pod-kill, atS: 1, target: { kind: fraction, fraction: 0 } }\n'),
    ],
    code: 2,
    first: /faults\[0\]\.target\.fraction: expected a number > 0/,
  },
  {
    name: 'packet loss without a client timeout: refused',
    setup: (d) => ['validate', scenario(d, 'faults:\n  - { type: packet-loss, atS: 1 }\n')],
    code: 2,
    first: /faults\[0\]\.type: expected workload\.client\.timeoutMs \(or a k6 executor\) for packet-loss/,
  },
  {
    name: 'forced GC in a pod that never allocates: refused',
    setup: (d) => ['validate', scenario(d, 'faults:\n  - { type: forced-gc, atS: 1 }\n')],
    code: 2,
    first: /faults\[0\]\.type: expected runtime\.scheduler gmp and a request that allocates/,
  },
  {
    name: 'a steady-state hypothesis without faults: refused',
    setup: (d) => ['validate', scenario(d, 'steadyState: { p99Ms: 100 }\n')],
    code: 2,
    first: /steadyState: expected faults to check the hypothesis around, found none/,
  },
  {
    name: 'a steady-state hypothesis with no condition: refused',
    setup: (d) => ['validate', scenario(d, 'faults: [{ type: hpa-down, atS: 1 }]\nsteadyState: { windowS: 10 }\n')],
    code: 2,
    first: /steadyState: expected p99Ms or errorPercent/,
  },
  {
    name: 'constant-vus with 10^6 users: refused',
    setup: (d) => ['validate', scenario(d, 'workload: { arrival: { process: constant-vus, vus: 1000000 } }\n')],
    code: 2,
    first: /workload\.arrival\.vus: expected a number ≤ 100000|workload\.arrival\.vus: expected .*100000/,
  },
  {
    name: 'ramping-arrival-rate with maxVUs below preAllocatedVUs: refused (as k6 does)',
    setup: (d) => [
      'validate',
      scenario(
        d,
        'workload: { arrival: { process: ramping-arrival-rate, stages: [{ durationS: 1, targetPerS: 10 }], ' +
          'preAllocatedVUs: 10, maxVUs: 5 } }\n',
      ),
    ],
    code: 2,
    first: /workload\.arrival\.maxVUs: expected maxVUs ≥ preAllocatedVUs/,
  },
  {
    name: 'ramping-vus without stages: refused',
    setup: (d) => ['validate', scenario(d, 'workload: { arrival: { process: ramping-vus } }\n')],
    code: 2,
    first: /workload\.arrival\.stages: /,
  },
  {
    name: 'in-flight cap below 1: refused',
    setup: (d) => ['validate', scenario(d, 'cluster: { pod: { maxInFlightRequests: 0 } }\n')],
    code: 2,
    first: /cluster\.pod\.maxInFlightRequests: expected a number ≥ 1/,
  },

  // 4. One-line errors.
  {
    name: 'the YAML alias bomb: one line, exit 2',
    setup: (d) => [
      'validate',
      scenario(
        d,
        `a: &a [x,x,x,x,x,x,x,x,x]\n${'bcdefgh'
          .split('')
          .map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)
          .join('\n')}\n`,
      ),
    ],
    code: 2,
    first: /^error: s\.yaml: expected YAML whose aliases \(\*name\) expand to a modest size/,
  },
  {
    name: 'cv: 1e300: rejected by the schema',
    setup: (d) => [
      'validate',
      scenario(d, 'workload: { request: { steps: [{ cpu: { dist: lognormal, meanMs: 1, cv: 1e300 } }] } }\n'),
    ],
    code: 2,
    first: /^error: s\.yaml:1:\d+: workload\.request\.steps\[0\]\.cpu\.cv: expected a number ≤ 1000, found 1e\+300/,
  },
  {
    name: 'a calibration value is blamed on the calibration file',
    setup: (d) => {
      write(d, 'cal.json', JSON.stringify({ runtime: { costs: {}, gc: { scanRateMBPerCpuS: 0 } } }));
      return ['validate', scenario(d, 'calibration: cal.json\n')];
    },
    code: 2,
    first: new RegExp(
      /^error: .*cal\.json: runtime\.gc\.scanRateMBPerCpuS: expected a number > 0, found 0 \(from the /.source +
        /calibration file, named by s\.yaml\)/.source,
    ),
  },
  {
    name: 'report on a corrupt summary.json names the file',
    setup: (d) => {
      write(d, 'r/.gmpsim-results', 'run\n');
      write(d, 'r/summary.json', '{"scenario": "x", ');
      write(d, 'r/timeseries.csv', 't_s\n0\n');
      return ['report', 'r'];
    },
    code: 2,
    first: /^error: r\/summary\.json: expected the JSON gmpsim wrote, found malformed JSON/,
  },
  {
    name: 'report on a summary.json of the wrong shape names the file',
    setup: (d) => {
      write(d, 'r/.gmpsim-results', 'run\n');
      write(d, 'r/summary.json', '[]');
      write(d, 'r/timeseries.csv', 't_s\n0\n');
      return ['report', 'r'];
    },
    code: 2,
    first: /^error: r\/summary\.json: expected the results gmpsim wrote, found something else/,
  },
  {
    name: 'a trace row "0.5," is rejected with its line',
    setup: (d) => {
      write(d, 't.csv', 'time_s\n0.1\n0.5,\n');
      return ['validate', scenario(d, 'workload: { arrival: { process: trace, format: timestamps, file: t.csv } }\n')];
    },
    code: 2,
    first: /t\.csv:3:1: workload\.arrival\.file: expected 1 cell as the header has, found "0\.5,"/,
  },
  {
    name: 'a trace row "0,Infinity" is rejected with its line (even as the first)',
    setup: (d) => {
      write(d, 't.csv', '0,Infinity\n1,5\n');
      return ['validate', scenario(d, 'workload: { arrival: { process: trace, file: t.csv } }\n')];
    },
    code: 2,
    first: /t\.csv:1:1: workload\.arrival\.file: expected "time,value" \(times: [^)]*\), found "0,Infinity"/,
  },
  {
    name: 'a binary scenario file: one short line',
    setup: (d) => {
      writeFileSync(join(d, 'b.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array(5000).fill(0x41)]));
      return ['validate', 'b.yaml'];
    },
    code: 2,
    first: /^error: b\.yaml:1:1: expected a text file, found binary data/,
  },
  {
    name: 'a long junk line in a trace: the excerpt is short',
    setup: (d) => {
      write(d, 't.csv', `0,1\n${'\u0001x'.repeat(4000)}\n`);
      return ['validate', scenario(d, 'workload: { arrival: { process: trace, file: t.csv } }\n')];
    },
    code: 2,
    first: /^error: .*t\.csv:2:1: .*found "(\\u0001x){20}…"$/,
  },
  {
    name: 'an int range with no integer in it: refused',
    setup: (d) => [
      'validate',
      scenario(
        d,
        `${tiny}sweep: { random: { samples: 2, ranges: { runtime.gomaxprocs: { min: 1.2, max: 1.8, int: true } } } }\n`,
      ),
    ],
    code: 2,
    first: new RegExp(
      /sweep\.random\.ranges\.runtime\.gomaxprocs\.max: expected an integer between min and max for an/.source +
        / int range, found none/.source,
    ),
  },
  {
    name: 'an empty scenario file: "file is empty"',
    setup: (d) => ['validate', scenario(d, '')],
    code: 2,
    first: /^error: s\.yaml: file is empty/,
  },
  {
    name: 'a whitespace-only scenario file: "file is empty"',
    setup: (d) => ['run', scenario(d, '  \n\t\n'), '--out', 'r'],
    code: 2,
    first: /^error: s\.yaml: file is empty/,
  },
  { name: '{} stays a valid scenario', setup: (d) => ['validate', scenario(d, '{}\n')], code: 0, first: /^$/ },
  {
    name: 'averageValue: 0 is refused, as Kubernetes does',
    setup: (d) => [
      'validate',
      scenario(
        d,
        'hpa: { maxReplicas: 3, metrics: [{ type: Pods, pods: { metric: { name: go_goroutines }, target: { ' +
          'type: AverageValue, averageValue: 0 } } }] }\n',
      ),
    ],
    code: 2,
    first: /averageValue: expected a positive quantity \(Kubernetes: must be positive\), found 0/,
  },
];

describe('bad-input corpus (issue 25): exit code, first line, no stack, nothing lost, nothing partial', function () {
  this.timeout(300_000);
  for (const c of CASES) {
    it(c.name, () => {
      const dir = mkdtempSync(join(tmpdir(), 'gmpsim-corpus-'));
      c.before?.(dir);
      const args = c.setup(dir);
      const before = snapshot(dir);
      const r = gmpsim(args, dir);
      const first = r.stderr.split('\n')[0]!;
      expect(r.code, r.stderr).to.equal(c.code);
      expect(first, r.stderr).to.match(c.first);
      expect(r.stderr, 'no JavaScript stack').not.to.match(/\n\s+at .*[(:]\d+|internal error/);
      expect(first.length, 'a short first line').to.be.below(400);
      const after = snapshot(dir);
      for (const [f, content] of before) {
        expect(after.has(f), `nothing lost: ${f}`).to.equal(true);
        // A replaced results directory of the same kind may change; anything else must not.
        if (c.code !== 0) expect(after.get(f), `unchanged: ${f}`).to.equal(content);
      }
      if (c.code !== 0) {
        const added = [...after.keys()].filter((f) => !before.has(f));
        expect(added, 'nothing partial').to.deep.equal([]);
      }
      for (const w of c.writes ?? []) expect(existsSync(join(dir, w)), w).to.equal(true);
    });
  }
});

describe('an overloaded pod refuses beyond cluster.pod.maxInFlightRequests (a full accept queue)', () => {
  it(
    'refusals are counted in the summary and in-flight work stays bounded; the default limit is not ' + 'reached',
    async () => {
      const { parseScenario } = await import('../../src/scenario/load.js');
      const { runScenario } = await import('../../src/sim/experiment.js');
      const text = (limit: string) =>
        `durationS: 3\nworkload: { arrival: { process: poisson, ratePerS: 2000 }, request: { steps: [{ cpu: { ` +
        `dist: constant, valueMs: 5 } }] } }\n` +
        `runtime: { gomaxprocs: 1 }\n${limit}`;
      const capped = runScenario(parseScenario(text('cluster: { pod: { maxInFlightRequests: 20 } }\n'), 'o.yaml'), 1);
      const c = capped.summary.cluster as unknown as Record<string, number>;
      expect(c.overloadRefused).to.be.greaterThan(1000);
      expect(c.maxInFlightRequestsPerPod).to.equal(20);
      expect(capped.summary.requests.inFlightAtEnd).to.be.at.most(20);
      const open = runScenario(parseScenario(text(''), 'o.yaml'), 1);
      expect((open.summary.cluster as Record<string, unknown>).overloadRefused).to.equal(undefined);
      expect(open.summary.requests.inFlightAtEnd).to.be.greaterThan(20);
    },
  );
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { stringify } from 'yaml';
import {
  ONE_THREAD_REASONS,
  type OneThreadReason,
  parallelEligibility,
  threadEligibility,
} from '../../src/parallel/eligibility.js';
import { HostOnThisThread } from '../../src/parallel/pod-threads.js';
import { SlotReader, SlotWriter, WorkerTransport } from '../../src/parallel/worker-transport.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { compareScenarios } from '../../src/scenario/variants.js';
import type { ExperimentOptions } from '../../src/sim/experiment.js';
import { benchScenario, FATAL, files, scaledScenario } from './bench-scenario.js';

/** `count` pod hosts on this thread: the window protocol exactly as with worker threads, without them. */
const onThisThread: ExperimentOptions['podHosts'] = (init, count) =>
  Array.from({ length: count }, () => new HostOnThisThread(init));

describe('one run on every core: pods on worker threads (issue 24 item 6, step 3)', function () {
  this.timeout(600_000);

  describe('threadEligibility: which options keep the windows on this thread', () => {
    // [case, options, reasons]
    const cases: [string, Parameters<typeof threadEligibility>[0], OneThreadReason[]][] = [
      ['no debug output', {}, []],
      ['--schedtrace reads pod 0 at instants that are no barriers', { schedtraceMs: 100 }, ['schedtrace']],
      ['--gctrace hears pod 0 GC cycles inside windows', { gctrace: true }, ['gctrace']],
      ['both', { schedtraceMs: 100, gctrace: true }, ['schedtrace', 'gctrace']],
    ];
    for (const [name, options, reasons] of cases) {
      it(name, () => expect(threadEligibility(options)).to.deep.equal(reasons));
    }
    it('every reason has its sentence', () => {
      for (const [r, text] of Object.entries(ONE_THREAD_REASONS)) expect(text.length, r).to.be.greaterThan(20);
    });
    it('a run with --schedtrace and threads runs its windows on this thread, with the same results', () => {
      const s = benchScenario(4, 3);
      const traced = (options: ExperimentOptions) => {
        const lines: string[] = [];
        const f = files(s, { ...options, schedtraceMs: 1000, onTrace: (t) => lines.push(t) });
        return { f, lines };
      };
      const two = traced({ threads: 2, podHosts: onThisThread });
      expect(two.lines.length).to.equal(4);
      expect(two).to.deep.equal(traced({ threads: 1 }));
    });
  });

  describe('the window protocol, with hosts on this thread (2 and 3 hosts give the one-thread files)', () => {
    const cases: [string, Scenario][] = [
      ['bench, 12 pods', benchScenario(12, 10)],
      [
        'a full accept queue refuses at the pod',
        benchScenario(4, 5, { cluster: { replicas: 4, pod: { maxInFlightRequests: 2 } } }),
      ],
      ['a Go fatal error in a pod', benchScenario(3, 10, FATAL)],
      [
        'ideal-fifo pods',
        benchScenario(6, 10, {
          workload: {
            arrival: { process: 'poisson', ratePerS: 1500 },
            request: { steps: [{ cpu: { dist: 'exponential', meanMs: 2 } }] },
          },
          runtime: { scheduler: 'ideal-fifo', gomaxprocs: 4 },
        }),
      ],
      ['warm-up of new pods', loadScenarioFile('scenarios/warmup-flash-crowd.yaml')],
      [
        'kubectl scale up and down (pods made and stopped at barriers, drained or killed) and live GOGC/GOMAXPROCS',
        scaledScenario([{ type: 'runtime', atS: 12, gomaxprocs: 2, gomaxprocsApplies: 'running-containers' }]),
      ],
    ];
    for (const [name, s] of cases) {
      it(name, () => {
        expect(parallelEligibility(s).eligible).to.equal(true);
        const one = files(s, { threads: 1 });
        if (name.startsWith('kubectl')) expect(JSON.parse(one['summary.json']!).cluster.killed).to.be.greaterThan(0);
        for (const n of [2, 3])
          expect(files(s, { threads: n, podHosts: onThisThread }), `${n} hosts`).to.deep.equal(one);
      });
    }
  });

  describe('a pod worker thread', () => {
    it('a host exception comes back as an answer; a thread ended from outside is reported, not awaited', async () => {
      const t = new WorkerTransport({ scenario: {} as Scenario, seed: 1 });
      try {
        t.send({ op: 'flush', commands: [] });
        const r = t.receive();
        expect(r.op).to.equal('error');
        await t.worker.terminate();
        t.send({ op: 'flush', commands: [] });
        expect(t.receive()).to.deep.include({ op: 'error', message: 'the pod worker thread ended without an answer' });
      } finally {
        t.close();
      }
    });

    describe("a slice's arrivals and records travel in two shared slots, not in the message", () => {
      const values = (n: number, from: number) => Float64Array.from({ length: n }, (_, i) => from + i);
      // [case, writes as (slot, count), whether each write sends its slot's buffer]
      const cases: [string, [number, number][], boolean[]][] = [
        [
          'the first write to each slot sends its buffer',
          [
            [1, 5],
            [0, 3],
          ],
          [true, true],
        ],
        [
          'later writes that fit send none',
          [
            [1, 5],
            [0, 3],
            [1, 1000],
            [0, 1024],
            [1, 0],
          ],
          [true, true, false, false, false],
        ],
        [
          'a write that does not fit grows its slot only',
          [
            [0, 10],
            [1, 10],
            [0, 1025],
            [1, 10],
            [0, 900],
          ],
          [true, true, true, false, false],
        ],
      ];
      for (const [name, writes, sent] of cases) {
        it(name, () => {
          const w = new SlotWriter();
          const r = new SlotReader();
          writes.forEach(([slot, n], i) => {
            const ref = w.write(slot, values(n, 100 * i));
            expect(ref.buffer !== undefined, `write ${i}`).to.equal(sent[i]);
            // Memory both threads see: a clone of the message shares it instead of copying it.
            if (ref.buffer) expect(ref.buffer.buffer).to.be.instanceOf(SharedArrayBuffer);
            // What the message carries is cloned as a worker would receive it.
            expect([...r.read(structuredClone(ref))], `write ${i}`).to.deep.equal([...values(n, 100 * i)]);
          });
        });
      }
      it("slice s + 2's write leaves slice s + 1's values as they were", () => {
        const w = new SlotWriter();
        const r = new SlotReader();
        const second = r.read(structuredClone(w.write(1, values(4, 10))));
        r.read(structuredClone(w.write(0, values(4, 20))));
        r.read(structuredClone(w.write(0, values(2000, 30))));
        expect([...second]).to.deep.equal([10, 11, 12, 13]);
      });
    });

    // The first ArrayBuffer detached in an isolate (a postMessage transfer detaches it) invalidates V8's
    // ArrayBufferDetaching protector: every optimised typed-array access then checks for a detached buffer,
    // and the pods' engines (typed arrays throughout) ran 17-20 % slower (bench/host-replay.ts). So the
    // transport copies its typed arrays. V8 names each protector it invalidates with this flag.
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
    const node = (args: string[]) =>
      new Promise<{ status: number | null; output: string }>((done) => {
        const p = spawn(process.execPath, ['--trace-protector-invalidation', ...args], { cwd: root, timeout: 120_000 });
        let output = '';
        p.stdout.on('data', (d) => {
          output += d;
        });
        p.stderr.on('data', (d) => {
          output += d;
        });
        p.on('close', (status) => done({ status, output }));
      });
    it('a transfer would show: V8 traces the protector a detached buffer invalidates', async () => {
      const r = await node(['-e', 'const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] });']);
      expect(r.output).to.include('ArrayBufferDetaching');
    });
    it('gmpsim run --threads 2 detaches no ArrayBuffer on any thread (from the bundle)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gmpsim-detach-'));
      const file = join(dir, 'fleet.yaml');
      writeFileSync(file, stringify(benchScenario(6, 3)));
      const r = await node([join(root, 'bin/gmpsim.js'), 'run', file, '--threads', '2', '--out', join(dir, 'out')]);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.include('on 2 threads, this one and 1 worker thread,');
      expect(r.output).not.to.include('ArrayBufferDetaching');
    });
  });
});

describe('gmpsim run --threads 1, 2, 3 (from the bundle): byte-identical files for every qualifying run', function () {
  this.timeout(900_000);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'gmpsim-threads3-'));
  /** `gmpsim run` as a child process (the three thread counts run side by side: the test's time is the slowest). */
  const run = (file: string, args: string[]) =>
    new Promise<{ status: number | null; stderr: string }>((done) => {
      const p = spawn(process.execPath, [join(root, 'bin/gmpsim.js'), 'run', file, '--quiet', ...args], {
        cwd: root,
        timeout: 300_000,
      });
      let stderr = '';
      p.stderr.on('data', (d) => {
        stderr += d;
      });
      p.on('close', (status) => done({ status, stderr }));
    });
  /** A scenario as a file the CLI runs: the curated file itself, or a variant resolved (every default filled in). */
  const fileOf = (key: string, s: Scenario): string => {
    if (!key.includes('#') && key.endsWith('.yaml') && !key.includes(' ')) return join(root, 'scenarios', key);
    const f = join(dir, `${key.replace(/[^\w.-]+/g, '_')}.yaml`);
    writeFileSync(f, stringify(s));
    return f;
  };
  const curated = readdirSync(join(root, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => {
      const file = join(root, 'scenarios', f);
      const text = readFileSync(file, 'utf8');
      return /^variants:/m.test(text)
        ? compareScenarios(text, file).variants.map((v) => ({ key: `${f}#${v.name}`, scenario: v.scenario }))
        : [{ key: f, scenario: loadScenarioFile(file) }];
    })
    .filter((r) => parallelEligibility(r.scenario).eligible);

  /** Every file of each run directory, by name. */
  const outputs = (out: string) =>
    Object.fromEntries(readdirSync(out).map((n) => [n, readFileSync(join(out, n), 'utf8')]));

  for (const { key, scenario } of [
    ...curated,
    { key: 'bench fleet 100 pods 3 s', scenario: benchScenario(100, 3) },
    { key: 'bench cluster 20 pods 30 s', scenario: benchScenario(20, 30) },
    { key: 'a Go fatal error in a pod', scenario: benchScenario(3, 10, FATAL) },
  ]) {
    it(key, async () => {
      const file = fileOf(key, scenario);
      const [one, ...more] = await Promise.all(
        [1, 2, 3].map(async (n) => {
          const out = join(dir, `${key.replace(/[^\w.-]+/g, '_')}-t${n}`);
          const r = await run(file, ['--threads', String(n), '--out', out]);
          expect(r.status, r.stderr).to.equal(0);
          const workers = n === 2 ? '1 worker thread' : `${n - 1} worker threads`;
          expect(r.stderr).to.include(n === 1 ? 'on this thread' : `on ${n} threads, this one and ${workers},`);
          return outputs(out);
        }),
      );
      for (const [i, o] of more.entries()) expect(o, `--threads ${i + 2}`).to.deep.equal(one);
      if (key.includes('fatal')) expect(JSON.parse(one!['summary.json']!).fatal).to.match(/45-thread limit at 0\.5/);
    });
  }
});

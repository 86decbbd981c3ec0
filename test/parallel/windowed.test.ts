import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { INELIGIBLE_REASONS, type IneligibleReason, parallelEligibility } from '../../src/parallel/eligibility.js';
import { runFiles } from '../../src/report/run-files.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { compareScenarios } from '../../src/scenario/variants.js';
import { Experiment, runScenario } from '../../src/sim/experiment.js';
import { benchScenario, FATAL, files, REQUEST } from './bench-scenario.js';

describe('one run on every core: pods on engines of their own between barriers (issue 24 item 6)', function () {
  this.timeout(300_000);

  describe('parallelEligibility: which scenarios qualify, and every reason one does not', () => {
    const base = benchScenario(4, 10);
    const poisson = { process: 'poisson', ratePerS: 400 };
    // [case, scenario fields over the bench's, the reasons expected]
    const cases: [string, Record<string, unknown>, IneligibleReason[]][] = [
      ['the bench scenario (poisson, round-robin, HPA, metrics pipeline)', {}, []],
      ['random routing', { cluster: { replicas: 4, loadBalancer: 'random' } }, []],
      [
        'least-outstanding routing',
        { cluster: { replicas: 4, loadBalancer: 'least-outstanding' } },
        ['least-outstanding-routing'],
      ],
      ['one pod, no autoscaler', { cluster: { replicas: 1 }, hpa: undefined }, ['single-pod']],
      [
        'client timeout',
        { workload: { arrival: poisson, request: REQUEST, client: { timeoutMs: 100 } } },
        ['client-timeouts-or-retries'],
      ],
      [
        'closed-loop users',
        { workload: { arrival: { process: 'constant-vus', vus: 10 }, request: REQUEST } },
        ['closed-loop-users', 'client-timeouts-or-retries'],
      ],
      ['GOMAXPROCS above the node', { runtime: { gomaxprocs: 8, hostCpus: 4 } }, ['shared-node-cores']],
      ['a node pool', { cluster: { replicas: 4, nodes: { count: 2, allocatableCores: 8 } } }, ['node-pool']],
      [
        'a readiness probe',
        { cluster: { replicas: 4, pod: { readinessProbe: { periodSeconds: 5 } } } },
        ['kubelet-probes'],
      ],
      ['a container memory limit', { runtime: { gomaxprocs: 4, memoryLimitMB: 512 } }, ['container-memory-limit']],
      ['a rollout', { timeline: [{ type: 'rollout', atS: 5 }] }, ['rollout']],
    ];
    for (const [name, fields, reasons] of cases) {
      it(name, () => {
        const s = benchScenario(4, 10, fields);
        const el = parallelEligibility(s);
        if (reasons.length === 0) expect(el).to.deep.equal({ eligible: true });
        else expect(el).to.deep.equal({ eligible: false, reasons });
      });
    }
    it('a trace keeps the run on one engine', () => {
      expect(parallelEligibility(base, { trace: true })).to.deep.equal({ eligible: false, reasons: ['trace'] });
    });
    it('bench/fleet.ts (100 pods) and bench/cluster.ts (20 pods) qualify', () => {
      expect(parallelEligibility(benchScenario(100, 10)).eligible).to.equal(true);
      expect(parallelEligibility(benchScenario(20, 10)).eligible).to.equal(true);
    });
    it('every reason has its sentence', () => {
      for (const [r, text] of Object.entries(INELIGIBLE_REASONS)) expect(text.length, r).to.be.greaterThan(20);
    });
  });

  describe('the windowed run', () => {
    it('summary.parallel (threads asked for) says whether it was windowed, and if not why', () => {
      const yes = runScenario(benchScenario(4, 5), 1, { threads: 2 }).summary.parallel;
      expect(yes).to.deep.equal({ windowed: true, podEngines: 4 });
      const no = runScenario(benchScenario(4, 5, { faults: [] }), 1, {
        threads: 2,
        trace: { startS: 0, endS: 1, maxEvents: 1000 },
      });
      expect(no.summary.parallel?.windowed).to.equal(false);
      expect(no.summary.parallel?.notEligible?.[0]).to.match(/^trace: /);
      expect(runScenario(benchScenario(4, 5), 1).summary.parallel).to.equal(undefined);
    });

    it('gives the single engine its results where no two events tie to the nanosecond (bench scenarios)', () => {
      for (const s of [benchScenario(20, 20), benchScenario(40, 5)]) {
        const single = files(s, { singleEngine: true });
        const windowed = files(s, {});
        expect(Object.keys(windowed)).to.deep.equal(Object.keys(single));
        for (const name of Object.keys(single)) expect(windowed[name], `${s.name} ${name}`).to.equal(single[name]);
      }
    });

    it('gives the same files in any slices of advanceTo (a slice end is no barrier)', () => {
      const s = benchScenario(8, 12);
      const whole = runFiles(s, 1, new Experiment(s, 1).finish());
      const exp = new Experiment(s, 1);
      for (let t = 0; t < 12e9; t += 333_333_337) exp.advanceTo(t);
      expect(runFiles(s, 1, exp.finish())).to.deep.equal(whole);
    });

    it('counts each arrival as one event, as the single engine does', () => {
      const s = benchScenario(6, 5);
      const a = runScenario(s, 1, { singleEngine: true }).summary;
      const b = runScenario(s, 1).summary;
      expect(b.engine.events).to.equal(a.engine.events);
      expect(b.requests).to.deep.equal(a.requests);
    });

    it('refuses at the pod when its accept queue is full (maxInFlightRequests), as the single engine does', () => {
      const s = benchScenario(4, 5, { cluster: { replicas: 4, pod: { maxInFlightRequests: 2 } } });
      const a = runScenario(s, 1, { singleEngine: true }).summary;
      const b = runScenario(s, 1).summary;
      expect((a.cluster as { overloadRefused?: number }).overloadRefused).to.be.greaterThan(0);
      expect(b.cluster).to.deep.equal(a.cluster);
      expect(b.requests).to.deep.equal(a.requests);
    });
  });

  describe('results do not depend on how pods are grouped (1, 2 and 3 groups, byte for byte)', () => {
    const curated = readdirSync('scenarios')
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .flatMap((f) => {
        const file = `scenarios/${f}`;
        const text = readFileSync(file, 'utf8');
        return /^variants:/m.test(text)
          ? compareScenarios(text, file).variants.map((v) => ({ key: `${f}#${v.name}`, scenario: v.scenario }))
          : [{ key: f, scenario: loadScenarioFile(file) }];
      })
      .filter((r) => parallelEligibility(r.scenario).eligible);

    it('a Go fatal error in one pod: the others finish the window, and the first error by (time, pod) ends it', () => {
      const s = benchScenario(3, 10, FATAL);
      const one = files(s, { podGroups: 1 });
      expect(JSON.parse(one['summary.json']!).fatal).to.match(/45-thread limit at 0\.5/);
      for (const groups of [2, 3]) expect(files(s, { podGroups: groups }), `${groups} groups`).to.deep.equal(one);
    });

    it('at least a dozen curated runs qualify', () => {
      expect(curated.length).to.be.at.least(12);
    });
    for (const { key, scenario } of [
      ...curated,
      { key: 'bench/fleet.ts, 100 pods, 3 s', scenario: benchScenario(100, 3) },
      { key: 'bench/cluster.ts, 20 pods, 30 s', scenario: benchScenario(20, 30) },
    ]) {
      it(key, () => {
        const one = files(scenario, { podGroups: 1 });
        for (const groups of [2, 3])
          expect(files(scenario, { podGroups: groups }), `${groups} groups`).to.deep.equal(one);
      });
    }
  });
});

describe('gmpsim run --threads N (from the bundle, as a fresh clone runs it)', function () {
  this.timeout(120_000);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'gmpsim-threads-'));
  const run = (file: string, args: string[]) =>
    spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), 'run', file, '--quiet', ...args], {
      cwd: root,
      encoding: 'utf8',
    });
  const yaml = (text: string) => {
    const f = join(dir, `s${readdirSync(dir).length}.yaml`);
    writeFileSync(f, text);
    return f;
  };
  const fleet =
    'durationS: 20\nworkload: {arrival: {process: poisson, ratePerS: 1000}}\n' +
    'runtime: {gomaxprocs: 2}\ncluster: {replicas: 10}\nhpa: {minReplicas: 10, maxReplicas: 20}\n';

  it('writes byte-identical files with 1, 2 and 3 threads, and says the run was windowed', () => {
    const file = yaml(fleet);
    const outs = [1, 2, 3].map((n) => {
      const out = join(dir, `t${n}`);
      const r = run(file, ['--threads', String(n), '--out', out]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.match(/each pod runs on its own engine between barriers/);
      return out;
    });
    const names = readdirSync(outs[0]!).sort();
    for (const out of outs.slice(1)) {
      expect(readdirSync(out).sort()).to.deep.equal(names);
      for (const n of names)
        expect(readFileSync(join(out, n), 'utf8'), n).to.equal(readFileSync(join(outs[0]!, n), 'utf8'));
    }
    const summary = JSON.parse(readFileSync(join(outs[0]!, 'summary.json'), 'utf8'));
    expect(summary.parallel).to.deep.equal({ windowed: true, podEngines: 10 });
  });

  it('says on stderr and in summary.json why a run cannot be split', () => {
    const file = yaml(fleet.replace('replicas: 10}', 'replicas: 10, loadBalancer: least-outstanding}'));
    const out = join(dir, 'lo');
    const r = run(file, ['--threads', '2', '--out', out]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/cannot be split[\s\S]*least-outstanding-routing: /);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.parallel.windowed).to.equal(false);
    expect(summary.parallel.notEligible[0]).to.match(/^least-outstanding-routing: /);
  });
});

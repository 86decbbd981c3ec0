import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ScenarioError } from '../../src/scenario/load.js';
import { compareScenarios, mergePatch } from '../../src/scenario/variants.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const gmpsim = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const file = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), 'gmpsim-cmp-')), 'cmp.yaml');
  writeFileSync(f, text);
  return f;
};

const base = `durationS: 20
workload: {arrival: {process: poisson, ratePerS: 400}, request: {steps: [{cpu: {dist: exponential, meanMs: 2}}]}}
runtime: {gomaxprocs: 2}
cluster: {replicas: 1}
hpa: {minReplicas: 1, maxReplicas: 4}
`;

describe('gmpsim compare', () => {
  it('mergePatch: mappings merge key by key, lists and values replace', () => {
    expect(mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).to.deep.equal({
      a: { b: 1, c: [3] },
      d: 1,
      e: 2,
    });
  });

  it('mergePatch: null removes a key (JSON Merge Patch, RFC 7386), at any depth; the base is not mutated', () => {
    const b = { hpa: { minReplicas: 1, behavior: { scaleUp: 1 } }, cluster: { replicas: 2 } };
    expect(mergePatch(b, { hpa: null })).to.deep.equal({ cluster: { replicas: 2 } });
    expect(mergePatch(b, { hpa: { behavior: null } })).to.deep.equal({
      hpa: { minReplicas: 1 },
      cluster: { replicas: 2 },
    });
    expect(mergePatch(b, { absent: null, n: { x: null, y: 1 } })).to.deep.equal({ ...b, n: { y: 1 } });
    expect(b.hpa.behavior).to.deep.equal({ scaleUp: 1 });
  });

  it('a variant can swap the autoscaler: hpa: null with a densityController, from one base', () => {
    const { variants } = compareScenarios(
      `${base}variants: [{name: hpa}, {name: density, patch: {hpa: null, densityController: ` +
        `{targetGoroutinesPerPod: 20}}}]\n`,
      'c.yaml',
    );
    expect(variants[0]!.scenario.hpa).to.not.equal(undefined);
    expect(variants[0]!.scenario.densityController).to.equal(undefined);
    expect(variants[1]!.scenario.hpa).to.equal(undefined);
    expect(variants[1]!.scenario.densityController!.targetGoroutinesPerPod).to.equal(20);
    // Without the null the two autoscalers clash, and the error says where.
    expect(() => compareScenarios(`${base}variants: [{name: d, patch: {densityController: {}}}]\n`, 'c.yaml')).to.throw(
      /variants\[0\]\.patch\.densityController: expected one autoscaler, found hpa and densityController/,
    );
  });

  it('each variant is the base with its patch, validated; a bad patch names variants[i].patch.<path>', () => {
    const ok = compareScenarios(`${base}variants: [{name: a}, {name: b, patch: {hpa: {maxReplicas: 2}}}]\n`, 'c.yaml');
    expect(ok.variants.map((v) => [v.name, v.scenario.hpa!.maxReplicas])).to.deep.equal([
      ['a', 4],
      ['b', 2],
    ]);
    expect(() => compareScenarios(`${base}variants: [{name: a, patch: {hpa: {maxReplicas: -1}}}]\n`, 'c.yaml'))
      .to.throw(ScenarioError)
      .with.property('message')
      .that.matches(/c\.yaml: variants\[0\]\.patch\.hpa\.maxReplicas: expected a number ≥ 1, found -1/);
    expect(() => compareScenarios(base, 'c.yaml')).to.throw(/variants: expected a list of variants/);
  });

  it(
    'runs every variant on the same seeds, prints one table and writes compare.csv / compare.json, identical on a ' +
      're-run',
    () => {
      const f = file(`${base}variants: [{name: two-max, patch: {hpa: {maxReplicas: 2}}}, {name: four-max}]\n`);
      const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-cmp-out-')), 'c');
      const r = gmpsim(['compare', f, '--seeds', '2', '--out', out]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/variant\s+p50 ms\s+p95 ms\s+p99 ms/);
      expect(r.stdout).to.match(/^two-max\s/m);
      expect(r.stdout).to.match(/^four-max\s/m);
      // compare.csv: one row per (variant, seed); compare-summary.csv: means, intervals, paired differences.
      const csv = readFileSync(join(out, 'compare.csv'), 'utf8').trim().split('\n');
      expect(csv[0]).to.equal(
        'variant,seed,p50Ms,p95Ms,p99Ms,sloViolationMin,errors,timeouts,podSeconds,replicaChanges,flapping,' +
          'maxGoroutinesPerPod,oomKills,throttledPct,gcCpuPct',
      );
      expect(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).to.deep.equal([
        'two-max,1',
        'two-max,2',
        'four-max,1',
        'four-max,2',
      ]);
      const summary = readFileSync(join(out, 'compare-summary.csv'), 'utf8').trim().split('\n');
      expect(summary[0]).to.match(
        /^variant,seeds,p50Ms,p50Ms_ci95,p50Ms_diff,p50Ms_diff_ci95,p50Ms_diff_excludes_zero,p95Ms,/,
      );
      expect(summary).to.have.length(3);
      for (const v of ['two-max', 'four-max'])
        for (const s of [1, 2]) expect(existsSync(join(out, `timeseries-${v}-seed-${s}.csv`))).to.equal(true);
      expect(r.stdout).to.match(
        /^four-max vs two-max: p99 ([+−±][\d.]+ % \([+−±][\d.]+…[+−±][\d.]+ %|the same on every seed)/m,
      );
      const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
      expect(json.seeds).to.deep.equal([1, 2]);
      // 0.8 cores on one 1-core pod at the default 80% target → it scales to 2; four-max may go further.
      expect(json.variants[0].podSeconds).to.be.at.most(json.variants[1].podSeconds + 1e-9);
      const again = join(dirname(out), 'again');
      expect(gmpsim(['compare', f, '--seeds', '2', '--out', again, '--quiet']).code).to.equal(0);
      expect(readFileSync(join(again, 'compare.csv'), 'utf8')).to.equal(readFileSync(join(out, 'compare.csv'), 'utf8'));
    },
  );

  it("the errors column counts the service's failures (errors, sheds), with the breakdown in compare.json", () => {
    const f = file(
      `durationS: 10
workload: {arrival: {process: poisson, ratePerS: 200}, request: {steps: [{cpu: {dist: constant, valueMs: 0.1}}, ` +
        `{call: {dependency: db}}]}}
runtime: {gomaxprocs: 2}
dependencies: {db: {latency: {dist: constant, valueMs: 5}, errorRate: 0.2}}
variants: [{name: erring}, {name: shedding, patch: {dependencies: {db: {errorRate: 0}}, service: {limiter: {type: ` +
        `fixed, limit: 1}}}}]
`,
    );
    const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-cmp-err-')), 'c');
    expect(gmpsim(['compare', f, '--out', out, '--quiet']).code).to.equal(0);
    const [erring, shedding] = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')).variants;
    // No caller gives up here (no client timeout): before the fix both columns read 0.
    expect(erring.errorsGaveUp).to.equal(0);
    expect(erring.errorsFailed).to.be.greaterThan(200); // ~20 % of ~1,800 measured requests
    expect(erring.callErrors).to.be.at.least(erring.errorsFailed);
    expect(erring.errors).to.equal(erring.errorsGaveUp + erring.errorsFailed + erring.errorsShed);
    expect(shedding.errorsShed).to.be.greaterThan(50);
    expect(shedding.errors).to.equal(shedding.errorsShed + shedding.errorsFailed);
  });

  it(
    'per-seed figures give each variant mean ± 95% CI and a paired difference against the first, in ' + 'compare.json',
    () => {
      const f = file(
        `${base}variants: [{name: one-pod, patch: {hpa: null}}, {name: two-pods, patch: {hpa: null, cluster: ` +
          `{replicas: 2}}}]\n`,
      );
      const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-cmp-ci-')), 'c');
      expect(gmpsim(['compare', f, '--seeds', '3', '--out', out, '--quiet']).code).to.equal(0);
      const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
      expect(json.baseline).to.equal('one-pod');
      const [a, b] = json.runs as { runs: { seed: number; p99Ms: number; podSeconds: number }[] }[];
      expect(a!.runs.map((r) => r.seed)).to.deep.equal([1, 2, 3]);
      const d = b!.runs.map((r, i) => r.p99Ms - a!.runs[i]!.p99Ms);
      const m = d.reduce((x, y) => x + y, 0) / 3;
      const sd = Math.sqrt(d.reduce((x, y) => x + (y - m) ** 2, 0) / 2);
      expect(json.stats[1].diff.p99Ms.mean).to.be.closeTo(m, 1e-6); // the JSON keeps 9 significant digits
      expect(json.stats[1].diff.p99Ms.ci95).to.be.closeTo((4.303 * sd) / Math.sqrt(3), 1e-6);
      expect(json.stats[1].diff.p99Ms.excludesZero).to.equal(Math.abs(m) > (4.303 * sd) / Math.sqrt(3));
      expect(json.stats[0].diff).to.equal(undefined);
      // Two pods cost twice the pod-seconds of one on every seed: +100 %, an interval that excludes zero.
      expect(json.stats[1].diff.podSeconds).to.deep.include({ mean: 20, ci95: 0, excludesZero: true, pct: 100 });
      expect(json.verdicts[0]).to.match(
        /^two-pods vs one-pod: p99 [+−]\d+ % \(.*\), pod-seconds \+100 % \(\+100…\+100 %\)$/,
      );
    },
  );

  it('--precision adds seeds (to every variant) until the intervals are narrow enough, up to --max-seeds', () => {
    const f = file(`${base}variants: [{name: a}, {name: b, patch: {hpa: {maxReplicas: 2}}}]\n`);
    const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-cmp-prec-')), 'c');
    const r = gmpsim(['compare', f, '--precision', '0.001%', '--max-seeds', '4', '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/precision: ±0\.001 % not reached after 4 seeds/);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.seeds).to.deep.equal([1, 2, 3, 4]);
    expect(json.precision).to.deep.include({ pct: 0.001, maxSeeds: 4, reached: false });
    const loose = JSON.parse(
      gmpsim(['compare', f, '--precision', '50', '--out', join(dirname(out), 'loose'), '--json']).stdout,
    );
    expect(loose.seeds).to.deep.equal([1, 2, 3]); // ±50 % holds at the first 3 seeds
  });

  it('bad --seeds, --precision and --max-seeds exit 2 with a clear message', () => {
    const f = file(`${base}variants: [{name: x}]\n`);
    const bad = (args: string[], msg: RegExp) => {
      const r = gmpsim(['compare', f, ...args]);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr).to.match(msg);
      expect(r.stderr).to.not.match(/\bat \w+ \(/); // no stack trace
    };
    bad(['--seeds', '0'], /expected an integer from 1 to 10000, found "0"/);
    bad(['--seeds', 'two'], /expected an integer from 1 to 10000, found "two"/);
    bad(['--precision', '0'], /expected a percentage above 0 and at most 100/);
    bad(['--precision', 'abc'], /expected a percentage above 0 and at most 100/);
    bad(['--precision', '150%'], /expected a percentage above 0 and at most 100/);
    bad(['--precision', '5', '--seeds', '1'], /--precision needs at least 2 seeds/);
    bad(['--precision', '5', '--seeds', '5', '--max-seeds', '3'], /expected --max-seeds ≥ --seeds \(5\), found 3/);
    bad(['--max-seeds', '3'], /--max-seeds needs --precision/);
  });

  it('a file without variants, or with a bad one, exits 2 and writes nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-cmp-bad-')), 'c');
    const r = gmpsim(['compare', file(base), '--out', out]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/variants: expected a list of variants/);
    expect(existsSync(out)).to.equal(false);
    expect(
      gmpsim(['compare', file(`${base}variants: [{name: x, patch: {hpa: {minReplicas: 9}}}]\n`), '--out', out]).code,
    ).to.equal(2);
    expect(gmpsim(['compare', file(`${base}variants: [{name: x}]\n`), '--seeds', '0']).code).to.equal(2);
  });
});

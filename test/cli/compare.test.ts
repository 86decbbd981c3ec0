import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergePatch, compareScenarios } from '../../src/scenario/variants.js';
import { ScenarioError } from '../../src/scenario/load.js';

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
    expect(mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).to.deep.equal({ a: { b: 1, c: [3] }, d: 1, e: 2 });
  });

  it('each variant is the base with its patch, validated; a bad patch names variants[i].patch.<path>', () => {
    const ok = compareScenarios(`${base}variants: [{name: a}, {name: b, patch: {hpa: {maxReplicas: 2}}}]\n`, 'c.yaml');
    expect(ok.variants.map((v) => [v.name, v.scenario.hpa!.maxReplicas])).to.deep.equal([['a', 4], ['b', 2]]);
    expect(() => compareScenarios(`${base}variants: [{name: a, patch: {hpa: {maxReplicas: -1}}}]\n`, 'c.yaml'))
      .to.throw(ScenarioError)
      .with.property('message')
      .that.matches(/c\.yaml: variants\[0\]\.patch\.hpa\.maxReplicas: expected a number ≥ 1, found -1/);
    expect(() => compareScenarios(base, 'c.yaml')).to.throw(/variants: expected a list of variants/);
  });

  it('runs every variant on the same seeds, prints one table and writes compare.csv / compare.json, identical on a re-run', () => {
    const f = file(`${base}variants: [{name: two-max, patch: {hpa: {maxReplicas: 2}}}, {name: four-max}]\n`);
    const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-cmp-out-')), 'c');
    const r = gmpsim(['compare', f, '--seeds', '2', '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/variant\s+p50 ms\s+p95 ms\s+p99 ms/);
    expect(r.stdout).to.match(/^two-max\s/m);
    expect(r.stdout).to.match(/^four-max\s/m);
    const csv = readFileSync(join(out, 'compare.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).to.equal('variant,seeds,p50Ms,p95Ms,p99Ms,sloViolationMin,errors,timeouts,podSeconds,replicaChanges,flapping,maxGoroutinesPerPod,oomKills,throttledPct,gcCpuPct');
    expect(csv).to.have.length(3);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.seeds).to.deep.equal([1, 2]);
    // 0.8 cores on one 1-core pod at the default 80% target → it scales to 2; four-max may go further.
    expect(json.variants[0].podSeconds).to.be.at.most(json.variants[1].podSeconds + 1e-9);
    const again = join(dirname(out), 'again');
    expect(gmpsim(['compare', f, '--seeds', '2', '--out', again, '--quiet']).code).to.equal(0);
    expect(readFileSync(join(again, 'compare.csv'), 'utf8')).to.equal(readFileSync(join(out, 'compare.csv'), 'utf8'));
  });

  it('a file without variants, or with a bad one, exits 2 and writes nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-cmp-bad-')), 'c');
    const r = gmpsim(['compare', file(base), '--out', out]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/variants: expected a list of variants/);
    expect(existsSync(out)).to.equal(false);
    expect(gmpsim(['compare', file(`${base}variants: [{name: x, patch: {hpa: {minReplicas: 9}}}]\n`), '--out', out]).code).to.equal(2);
    expect(gmpsim(['compare', file(`${base}variants: [{name: x}]\n`), '--seeds', '0']).code).to.equal(2);
  });
});

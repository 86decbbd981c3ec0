import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { runFiles } from '../../src/report/run-files.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { MAX_KEPT_ROWS, runScenario } from '../../src/sim/experiment.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/gmpsim.js');

function gmpsim(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scenarioFile(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'gmpsim-stream-')), 'scenario.yaml');
  writeFileSync(f, text);
  return f;
}

const fleet = `name: stream-fleet
durationS: 40
warmupS: 5
workload:
  arrival: { process: poisson, ratePerS: 600 }
  request: { steps: [{ cpu: { dist: exponential, meanMs: 2 } }, { netpoll: { dist: exponential, meanMs: 3 } }] }
runtime: { gomaxprocs: 2 }
cluster: { replicas: 3, pod: { cpuRequestCores: 1, startupS: 2, readinessDelayS: 1 } }
hpa:
  minReplicas: 2
  maxReplicas: 8
  controller: { syncPeriodS: 5 }
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 40 } } }]
`;

describe('cli/run streams its rows (issue 24)', function () {
  this.timeout(300_000);

  it('the streamed files are byte-identical to the in-memory ones, and no temporary directory is left', () => {
    const file = scenarioFile(fleet);
    const parent = mkdtempSync(join(tmpdir(), 'gmpsim-stream-out-'));
    const out = join(parent, 'run');
    const r = gmpsim(['run', file, '--out', out, '--quiet']);
    expect(r.code, r.stderr).to.equal(0);
    const want = runFiles(loadScenarioFile(file), 1, runScenario(loadScenarioFile(file), 1));
    expect(Object.keys(want)).to.include.members(['pods.csv', 'timeseries.csv', 'hpa_decisions.csv']);
    for (const [name, content] of Object.entries(want))
      expect(readFileSync(join(out, name), 'utf8'), name).to.equal(content);
    expect(readdirSync(parent)).to.deep.equal(['run']);
  });

  it('a one-pod run writes no pods.csv (as before)', () => {
    const file = scenarioFile('durationS: 3\nworkload: {arrival: {process: poisson, ratePerS: 200}}\n');
    const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-stream-out-')), 'run');
    expect(gmpsim(['run', file, '--out', out, '--quiet']).code).to.equal(0);
    expect(existsSync(join(out, 'pods.csv'))).to.equal(false);
    expect(existsSync(join(out, 'timeseries.csv'))).to.equal(true);
  });

  it('past MAX_KEPT_ROWS samples: every row in the file, a downsample in memory, and the summary says so', () => {
    const samples = MAX_KEPT_ROWS * 2 + 5;
    const text =
      `durationS: ${samples / 100}\nmetrics: { sampleIntervalMs: 10, exactQuantileSamples: 1000 }\n` +
      'workload: {arrival: {process: poisson, ratePerS: 400}}\ncluster: { replicas: 2 }\n';
    const file = scenarioFile(text);
    const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-stream-out-')), 'run');
    const r = gmpsim(['run', file, '--out', out, '--quiet']);
    expect(r.code, r.stderr).to.equal(0);
    const lines = readFileSync(join(out, 'timeseries.csv'), 'utf8').trimEnd().split('\n');
    expect(lines.length).to.equal(samples + 1);
    expect(readFileSync(join(out, 'pods.csv'), 'utf8').trimEnd().split('\n').length).to.equal(2 * samples + 1);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.bounded).to.deep.equal({
      exactSamples: 1000,
      quantilesExact: false,
      keptRows: MAX_KEPT_ROWS,
      seriesStride: 3,
    });
    const result = runScenario(loadScenarioFile(file), 1);
    expect(result.series.rows.length).to.be.at.most(MAX_KEPT_ROWS);
    expect(result.series.rows.map((row) => row[0])).to.deep.equal(
      Array.from({ length: Math.ceil(samples / 3) }, (_, i) => Number(lines[1 + 3 * i]!.split(',')[0])),
    );
    expect(() => runFiles(loadScenarioFile(file), 1, result)).to.throw(/downsample/);
  });
});

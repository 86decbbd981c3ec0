import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { RandomStreams } from '../../src/engine/random.js';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { compareScenarios } from '../../src/scenario/variants.js';
import { arrivalProcess } from '../../src/workload/arrivals.js';
import { durationSampler } from '../../src/workload/distributions.js';

function times(arrival: object, horizonS: number, seed = 1): number[] {
  const s = parseScenario(JSON.stringify({ durationS: horizonS, workload: { arrival } }), 'a.json');
  const p = arrivalProcess(s.workload.arrival, new RandomStreams(seed).stream('arrivals'), horizonS);
  const out: number[] = [];
  for (let t = p.nextNs(0); t <= horizonS * 1e9; t = p.nextNs(t)) out.push(t / 1e9);
  return out;
}
const countIn = (ts: number[], a: number, b: number) => ts.filter((t) => t >= a && t < b).length;

describe('arrival processes', () => {
  it('steps: a piecewise-constant Poisson rate (counts per segment within 3σ)', () => {
    const ts = times(
      {
        process: 'steps',
        steps: [
          { atS: 0, ratePerS: 100 },
          { atS: 100, ratePerS: 1000 },
          { atS: 200, ratePerS: 0 },
        ],
      },
      300,
    );
    expect(countIn(ts, 0, 100)).to.be.within(10_000 - 300, 10_000 + 300);
    expect(countIn(ts, 100, 200)).to.be.within(100_000 - 950, 100_000 + 950);
    expect(countIn(ts, 200, 300)).to.equal(0);
  });

  it('diurnal: the rate follows mean + amplitude·cos (peak and trough quarter-periods)', () => {
    // mean 200, amplitude 100, period 400 s, peak at 0: the 100 s around a peak hold
    // 200·100 + 100·∫cos = 20,000 + 100·(400/π)·sin(π/4) ≈ 29,003 arrivals, around a trough ≈ 10,997.
    const ts = times({ process: 'diurnal', meanPerS: 200, amplitudePerS: 100, periodS: 400, peakAtS: 0 }, 4000);
    let peak = 0,
      trough = 0;
    for (let c = 0; c < 10; c++) {
      peak += countIn(ts, c * 400 - 50, c * 400 + 50) + (c === 0 ? countIn(ts, 3950, 4000) : 0);
      trough += countIn(ts, c * 400 + 150, c * 400 + 250);
    }
    const q = 100 * (400 / Math.PI) * Math.sin(Math.PI / 4); // excess over the mean in a 100 s quarter
    expect(peak / 10).to.be.within(20_000 + q - 600, 20_000 + q + 600);
    expect(trough / 10).to.be.within(20_000 - q - 600, 20_000 - q + 600);
    expect(ts.length / 4000).to.be.within(195, 205);
  });

  it('mmpp: bursts with the long-run mean Σ rate·duration / Σ duration (within 5%)', () => {
    const spec = {
      process: 'mmpp',
      states: [
        { ratePerS: 100, meanDurationS: 30 },
        { ratePerS: 1000, meanDurationS: 5 },
      ],
    };
    const ts = times(spec, 20_000);
    const mean = (100 * 30 + 1000 * 5) / 35;
    expect(ts.length / 20_000).to.be.within(mean * 0.95, mean * 1.05);
    // Burstier than Poisson: the variance of 1 s counts far exceeds their mean.
    const counts = new Array(20_000).fill(0);
    for (const t of ts) counts[Math.min(19_999, Math.floor(t))]++;
    const m = counts.reduce((a, b) => a + b, 0) / counts.length;
    const v = counts.reduce((a, b) => a + (b - m) ** 2, 0) / counts.length;
    expect(v / m).to.be.greaterThan(10);
  });

  it('an mmpp whose states all have rate 0 is a scenario error', () => {
    expect(() =>
      times(
        {
          process: 'mmpp',
          states: [
            { ratePerS: 0, meanDurationS: 1 },
            { ratePerS: 0, meanDurationS: 1 },
          ],
        },
        10,
      ),
    ).to.throw(/workload\.arrival\.states: expected at least one state with ratePerS > 0/);
  });

  describe('trace replay', () => {
    const write = (csv: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'gmpsim-trace-'));
      writeFileSync(join(dir, 'rates.csv'), csv);
      writeFileSync(join(dir, 's.yaml'), 'durationS: 30\nworkload: {arrival: {process: trace, file: rates.csv}}\n');
      return join(dir, 's.yaml');
    };

    it('a time_s,rate_per_s CSV (relative to the scenario) becomes steps, header allowed', () => {
      const s = loadScenarioFile(write('time_s,rate_per_s\n0,100\n10,0\n20,50\n'));
      expect(s.workload.arrival).to.deep.equal({
        process: 'steps',
        source: 'rates.csv',
        steps: [
          { atS: 0, ratePerS: 100 },
          { atS: 10, ratePerS: 0 },
          { atS: 20, ratePerS: 50 },
        ],
      });
    });

    it('bad rows are scenario errors naming the CSV line; a missing file names the scenario path', () => {
      expect(() => loadScenarioFile(write('0,100\n5,abc\n10,5\n7,10\n')))
        .to.throw(ScenarioError)
        .with.property('message')
        .that.matches(
          new RegExp(
            /rates\.csv:2:1: workload\.arrival\.file: expected "time,value" \(times: .*\), found "5,abc"/.source +
              /\n.*rates\.csv:4:1: .*expected times in increasing order, found 7 after 10/.source,
          ),
        );
      const dir = mkdtempSync(join(tmpdir(), 'gmpsim-trace-'));
      writeFileSync(join(dir, 's.yaml'), 'workload: {arrival: {process: trace, file: nope.csv}}\n');
      expect(() => loadScenarioFile(join(dir, 's.yaml'))).to.throw(
        /workload\.arrival\.file: expected a readable trace file/,
      );
    });
  });

  describe('per-request timestamp traces', () => {
    const write = (
      csv: string,
      yaml = 'durationS: 5\nworkload: {arrival: {process: trace, file: ts.csv, format: timestamps}}\n',
    ) => {
      const dir = mkdtempSync(join(tmpdir(), 'gmpsim-ts-'));
      writeFileSync(join(dir, 'ts.csv'), csv);
      writeFileSync(join(dir, 's.yaml'), yaml);
      return join(dir, 's.yaml');
    };

    it('a time_s CSV becomes timestamps, replayed exactly (equal times allowed), then no more arrivals', () => {
      const s = loadScenarioFile(write('time_s\n0.5\n1.25\n1.25\n3\n'));
      expect(s.workload.arrival).to.deep.equal({ process: 'timestamps', source: 'ts.csv', atS: [0.5, 1.25, 1.25, 3] });
      const p = arrivalProcess(s.workload.arrival, new RandomStreams(1).stream('arrivals'), 5);
      const got: number[] = [];
      for (let t = p.nextNs(0); Number.isFinite(t); t = p.nextNs(t)) got.push(t);
      expect(got).to.deep.equal([0.5e9, 1.25e9, 1.25e9, 3e9]);
    });

    it('compare files read their traces too (every variant)', () => {
      const file = write(
        '0.1\n0.2\n',
        'durationS: 1\nworkload: {arrival: {process: trace, file: ts.csv, format: timestamps}}\nvariants: ' +
          '[{name: a}, {name: b, patch: {runtime: {gomaxprocs: 2}}}]\n',
      );
      const { base, variants } = compareScenarios(readFileSync(file, 'utf8'), file);
      for (const s of [base, ...variants.map((v) => v.scenario)])
        expect(s.workload.arrival.process).to.equal('timestamps');
    });

    it('decreasing times are a scenario error naming the CSV line', () => {
      expect(() => loadScenarioFile(write('1\n2\n1.5\n'))).to.throw(
        /ts\.csv:3:1: workload\.arrival\.file: expected times in non-decreasing order, found 1\.5 after 2/,
      );
    });
  });

  describe('empirical distributions', () => {
    it('draws only observed values, each about equally often; the mean is the sample mean', () => {
      const s = parseScenario(
        JSON.stringify({ workload: { request: { steps: [{ cpu: { dist: 'empirical', samplesMs: [1, 2, 10] } }] } } }),
        'e.json',
      );
      const step = s.workload.request.steps[0] as { cpu: Parameters<typeof durationSampler>[0] };
      const d = durationSampler(step.cpu, new RandomStreams(3).stream('x'));
      expect(d.meanNs).to.equal(Math.round(13e6 / 3)); // ns, whole
      const counts = new Map<number, number>();
      for (let i = 0; i < 30000; i++) {
        const v = d.sampleNs();
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      expect([...counts.keys()].sort((a, b) => a - b)).to.deep.equal([1e6, 2e6, 10e6]);
      for (const c of counts.values()) expect(c).to.be.within(9500, 10500);
    });

    it('a file of durations (one per line, nested in spawn steps too) is read at load time', () => {
      const dir = mkdtempSync(join(tmpdir(), 'gmpsim-emp-'));
      writeFileSync(join(dir, 'lat.csv'), 'duration_ms\n0.5\n1.5\n');
      writeFileSync(
        join(dir, 's.yaml'),
        'workload: {request: {steps: [{spawn: {count: 2, steps: [{netpoll: {dist: empirical, file: lat.csv}}]}}]}}\n',
      );
      const s = loadScenarioFile(join(dir, 's.yaml'));
      expect(s.workload.request.steps).to.deep.equal([
        { spawn: { count: 2, wait: true, steps: [{ netpoll: { dist: 'empirical', samplesMs: [0.5, 1.5] } }] } },
      ]);
      writeFileSync(
        join(dir, 'bad.yaml'),
        'workload: {request: {steps: [{cpu: {dist: empirical, samplesMs: [1], file: lat.csv}}]}}\n',
      );
      expect(() => loadScenarioFile(join(dir, 'bad.yaml'))).to.throw(/expected exactly one of samplesMs or file/);
    });
  });
});

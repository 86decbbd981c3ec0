import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { runFiles } from '../../src/report/run-files.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { compareScenarios } from '../../src/scenario/variants.js';
import { runScenario } from '../../src/sim/experiment.js';

/**
 * Every curated scenario runs end to end (each variant of a compare file), so none rots — and its seeded
 * outputs are pinned: the SHA-256 of summary.json, timeseries.csv, hpa_decisions.csv and pods.csv of every
 * variant at seed 1 must equal test/golden/curated.json. A refactoring (such as splitting the scheduler into
 * Go's files) must leave them byte-identical; a change that is meant to move results regenerates the file
 * with `GMPSIM_UPDATE_GOLDEN=1 npx mocha --no-config --timeout 300000 dist/test/scenarios/all-run.test.js` and says why
 * in its commit.
 */
const GOLDEN = 'test/golden/curated.json';
const PINNED = ['summary.json', 'timeseries.csv', 'hpa_decisions.csv', 'pods.csv'];

describe('every curated scenario runs', function () {
  this.timeout(300_000);
  const files = readdirSync('scenarios')
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const update = process.env.GMPSIM_UPDATE_GOLDEN === '1';
  const golden: Record<string, Record<string, string>> = update ? {} : JSON.parse(readFileSync(GOLDEN, 'utf8'));
  const seen: Record<string, Record<string, string>> = {};

  it('the library holds at least 12 scenarios, each with a comment saying what it shows', () => {
    expect(files.length).to.be.at.least(12);
    for (const f of files) expect(readFileSync(`scenarios/${f}`, 'utf8').startsWith('#'), f).to.equal(true);
  });

  for (const f of files) {
    it(f, () => {
      const file = `scenarios/${f}`;
      const text = readFileSync(file, 'utf8');
      const isCompare = /^variants:/m.test(text);
      const runs = isCompare
        ? compareScenarios(text, file).variants.map((v) => ({ key: `${f}#${v.name}`, scenario: v.scenario }))
        : [{ key: f, scenario: loadScenarioFile(file) }];
      for (const { key, scenario } of runs) {
        const result = runScenario(scenario, 1);
        const r = result.summary;
        expect(r.requests.arrived, key).to.be.greaterThan(0);
        expect(r.fatal === undefined || f.startsWith('syscalls'), `${f}: ${r.fatal}`).to.equal(true);
        const out = runFiles(scenario, 1, result);
        const digests: Record<string, string> = {};
        for (const name of PINNED)
          if (out[name] !== undefined) digests[name] = createHash('sha256').update(out[name]).digest('hex');
        seen[key] = digests;
        if (!update) expect(digests, `${key}: seeded outputs differ from ${GOLDEN}`).to.deep.equal(golden[key]);
      }
    });
  }

  it('no pinned run is missing (a scenario or variant removed or renamed updates the golden file)', () => {
    if (update) {
      writeFileSync(
        GOLDEN,
        `${JSON.stringify(
          seen,
          Object.keys(seen)
            .sort()
            .flatMap((k) => [k, ...PINNED]),
          2,
        )}\n`,
      );
      return;
    }
    expect(Object.keys(seen).sort()).to.deep.equal(Object.keys(golden).sort());
  });
});

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { compareScenarios } from '../../src/scenario/variants.js';
import { runScenario } from '../../src/sim/experiment.js';

/** Every curated scenario runs end to end (each variant of a compare file), so none rots. */
describe('every curated scenario runs', function () {
  this.timeout(300_000);
  const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).sort();

  it('the library holds at least 12 scenarios, each with a comment saying what it shows', () => {
    expect(files.length).to.be.at.least(12);
    for (const f of files) expect(readFileSync(`scenarios/${f}`, 'utf8').startsWith('#'), f).to.equal(true);
  });

  for (const f of files) {
    it(f, () => {
      const file = `scenarios/${f}`;
      const text = readFileSync(file, 'utf8');
      const scenarios = /^variants:/m.test(text) ? compareScenarios(text, file).variants.map((v) => v.scenario) : [loadScenarioFile(file)];
      for (const s of scenarios) {
        const r = runScenario(s, 1).summary;
        expect(r.requests.arrived, `${f} ${s.name}`).to.be.greaterThan(0);
        expect(r.fatal === undefined || f.startsWith('syscalls'), `${f}: ${r.fatal}`).to.equal(true);
      }
    });
  }
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CALIBRATIONS_DIR, calibrationNames } from '../../src/scenario/calibration.js';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { compareScenarios } from '../../src/scenario/variants.js';

const shipped = JSON.parse(readFileSync(join(CALIBRATIONS_DIR, 'go1.19-this-machine.json'), 'utf8'));

describe('calibrations (calibration: NAME)', () => {
  it('ships go1.19-this-machine, measured with Go 1.19, with its raw measurements', () => {
    expect(calibrationNames()).to.include('go1.19-this-machine');
    expect(shipped.go).to.match(/go1\.19/);
    expect(shipped.measurements.pingPongRoundTripNs).to.be.greaterThan(0);
    // The derived context switch is what the ping-pong leaves after its two channel operations.
    expect(shipped.runtime.costs.ctxSwitchNs).to.be.closeTo(
      (shipped.measurements.pingPongRoundTripNs - 2 * shipped.measurements.chanOpNs) / 2,
      0.1,
    );
  });

  it('its values become the defaults of runtime.costs and runtime.gc; values the scenario writes win', () => {
    const s = parseScenario(
      'calibration: go1.19-this-machine\nruntime:\n  costs:\n    stealNs: 777\n  gc:\n    gogc: 50\n',
      'c.yaml',
    );
    expect(s.calibration).to.equal('go1.19-this-machine');
    expect(s.runtime.costs.ctxSwitchNs).to.equal(shipped.runtime.costs.ctxSwitchNs);
    expect(s.runtime.costs.chanOpNs).to.equal(shipped.runtime.costs.chanOpNs);
    expect(s.runtime.gc.scanRateMBPerCpuS).to.equal(shipped.runtime.gc.scanRateMBPerCpuS);
    expect(s.runtime.costs.stealNs).to.equal(777);
    expect(s.runtime.gc.gogc).to.equal(50);
    const own = parseScenario('calibration: go1.19-this-machine\nruntime:\n  costs:\n    ctxSwitchNs: 5\n', 'c.yaml');
    expect(own.runtime.costs.ctxSwitchNs).to.equal(5);
    // Without a calibration, the documented defaults.
    expect(parseScenario('{}', 'd.json').runtime.costs.ctxSwitchNs).to.equal(200);
  });

  it('variants keep the calibration and may override it', () => {
    const { base, variants } = compareScenarios(
      'calibration: go1.19-this-machine\nvariants:\n  - name: same\n  - name: slow\n    patch: {runtime: ' +
        '{costs: {ctxSwitchNs: 1000}}}\n',
      'v.yaml',
    );
    expect(base.runtime.costs.ctxSwitchNs).to.equal(shipped.runtime.costs.ctxSwitchNs);
    expect(variants[0]!.scenario.runtime.costs.ctxSwitchNs).to.equal(shipped.runtime.costs.ctxSwitchNs);
    expect(variants[1]!.scenario.runtime.costs.ctxSwitchNs).to.equal(1000);
  });

  it('a .json path is read relative to the scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-cal-'));
    writeFileSync(
      join(dir, 'mine.json'),
      JSON.stringify({ name: 'mine', runtime: { costs: { ctxSwitchNs: 42 }, gc: {} }, measurements: {} }),
    );
    expect(parseScenario('calibration: mine.json\n', join(dir, 's.yaml')).runtime.costs.ctxSwitchNs).to.equal(42);
  });

  it('an unknown name, a missing file or a bad value is an error at `calibration`', () => {
    const err = (text: string, file = 'c.yaml') => {
      try {
        parseScenario(text, file);
      } catch (e) {
        expect(e).to.be.instanceOf(ScenarioError);
        return (e as ScenarioError).message;
      }
      throw new Error('expected an error');
    };
    expect(err('durationS: 5\ncalibration: go1.19-thismachine\n')).to.match(
      new RegExp(
        /c\.yaml:2:\d+: calibration: expected one of "go1\.19-this-machine"(, "[^"]+")* or a path to a /.source +
          /\.json calibration, found "go1\.19-thismachine"/.source,
      ),
    );
    expect(err('calibration: nowhere.json\n')).to.match(
      /calibration: expected a calibration file, found no file at .*nowhere\.json/,
    );
    // A malformed value the scenario writes reaches the schema as written, calibration or not.
    expect(err('calibration: go1.19-this-machine\nruntime:\n  costs: [1]\n')).to.match(
      /c\.yaml:3:\d+: runtime\.costs: expected a mapping, found a list of 1/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-cal-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ runtime: { costs: { ctxSwitchNz: 42 } } }));
    writeFileSync(join(dir, 'null.json'), 'null');
    expect(err('calibration: null.json\n', join(dir, 's.yaml'))).to.match(
      /calibration: expected a JSON object in .*null\.json, found null/,
    );
    // A calibration may leave a section out: the defaults stand.
    writeFileSync(join(dir, 'bare.json'), JSON.stringify({ name: 'bare' }));
    expect(parseScenario('calibration: bare.json\n', join(dir, 's.yaml')).runtime.costs.ctxSwitchNs).to.equal(200);
    expect(err('calibration: bad.json\n', join(dir, 's.yaml'))).to.match(
      /calibration: expected runtime\.costs to hold non-negative numbers for ctxSwitchNs, .*found ctxSwitchNz: 42/,
    );
  });

  it('npm run calibrate rejects a bad --name or --date before it measures anything (exit 2)', () => {
    for (const [args, message] of [
      [
        ['--name', 'bad name'],
        /--name: expected letters, digits, "\.", "_" and "-", starting with a letter or digit, found "bad name"/,
      ],
      [['--date', '23-11-2026'], /--date: expected YYYY-MM-DD, found "23-11-2026"/],
    ] as const) {
      const r = spawnSync(process.execPath, ['dist/validation/calibrate.js', ...args], { encoding: 'utf8' });
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(message);
    }
  });
});

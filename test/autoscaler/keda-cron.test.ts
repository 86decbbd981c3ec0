import { expect } from 'chai';
import { CronWindow } from '../../src/autoscaler/keda/cron.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { problems } from '../support/problems.js';

const MONDAY = Date.parse('2026-01-05T00:00:00Z');
const H = 3600;

describe('KEDA cron trigger (keda.cron, cron_scaler.go)', () => {
  // Office hours in Berlin (UTC+1 in January): 08:00–18:00 local = 07:00–17:00 UTC, Monday to Friday.
  const office = new CronWindow('0 8 * * 1-5', '0 18 * * 1-5', 'Europe/Berlin', MONDAY, 6);
  const cases: { name: string; atS: number; active: boolean }[] = [
    { name: 'Monday 07:59 Berlin: before the window', atS: 6 * H + 59 * 60, active: false },
    {
      name: 'Monday 08:00 Berlin exactly: the next start is tomorrow, the next end tonight — open',
      atS: 7 * H,
      active: true,
    },
    { name: 'Monday 12:00 Berlin: open', atS: 11 * H, active: true },
    { name: 'Monday 17:59:59 Berlin: still open', atS: 17 * H - 1, active: true },
    {
      name: 'Monday 18:00 Berlin exactly: closed (the next end is tomorrow, after the next start)',
      atS: 17 * H,
      active: false,
    },
    { name: 'Saturday noon: no window on weekends', atS: 5 * 24 * H + 11 * H, active: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(office.isActive(c.atS)).to.equal(c.active);
      expect(office.metric(c.atS)).to.equal(c.active ? 6 : 1);
    });
  }

  it('a window across midnight (22:00–06:00 UTC) is open at 02:00 and closed at 12:00', () => {
    const night = new CronWindow('0 22 * * *', '0 6 * * *', 'UTC', MONDAY, 3);
    expect(night.isActive(2 * H)).to.equal(true);
    expect(night.isActive(12 * H)).to.equal(false);
  });

  it('scales the Deployment to desiredReplicas in the window and scales from zero on it', () => {
    const s = parseScenario(
      [
        'durationS: 400',
        'clockStart: "2026-01-05T07:58:00+01:00"',
        'workload: {arrival: {process: poisson, ratePerS: 5}, request: {steps: [{cpu: {dist: exponential, ' +
          'meanMs: 1}}]}}',
        'cluster: {replicas: 0}',
        'keda:',
        '  minReplicaCount: 0',
        '  pollingIntervalS: 15',
        '  trigger: {threshold: 1000, activationThreshold: 100000}',
        '  cron: [{timezone: Europe/Berlin, start: "0 8 * * *", end: "0 9 * * *", desiredReplicas: 4}]',
        '',
      ].join('\n'),
      'cron.yaml',
    );
    const r = runScenario(s, 1);
    const decisions = r.hpaDecisions!.filter((d) => d.rescale);
    // The window opens at 120 s: KEDA activates (0 → 1), then its HPA asks for 4.
    expect(decisions[0]!.tS).to.be.within(120, 135);
    expect(decisions[0]!.desiredReplicas).to.equal(1);
    expect(decisions.some((d) => d.desiredReplicas === 4 && d.tS <= 180)).to.equal(true);
    expect(decisions.every((d) => d.tS >= 120)).to.equal(true);
  });

  it('bad input: five fields, a real time zone', () => {
    const base =
      'durationS: 10\nkeda:\n  cron: [{timezone: %TZ%, start: "%S%", end: "0 9 * * *", desiredReplicas: 2}]\n';
    const p1 = problems(base.replace('%TZ%', 'Mars/Olympus').replace('%S%', '0 8 * * *')).join('\n');
    expect(p1).to.match(/keda\.cron\[0\]\.timezone.*expected an IANA time zone.*"Mars\/Olympus"/);
    const p2 = problems(base.replace('%TZ%', 'UTC').replace('%S%', '0 0 8 * * *')).join('\n');
    expect(p2).to.match(/keda\.cron\[0\]\.start.*five fields.*found 6/);
    const p3 = problems(base.replace('%TZ%', 'UTC').replace('%S%', '61 8 * * *')).join('\n');
    expect(p3).to.match(/keda\.cron\[0\]\.start.*expected a cron expression/);
    const p4 = problems('durationS: 10\nclockStart: "monday"\n').join('\n');
    expect(p4).to.match(/clockStart/);
  });
});

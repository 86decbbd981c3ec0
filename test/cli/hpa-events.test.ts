import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { csvParse } from 'd3-dsv';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const gmpsim = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), ...args], { cwd: root, encoding: 'utf8' });

describe("the HPA's view: hpa_decisions.csv and run --hpa-events", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'gmpsim-hpa-view-'));
  const file = join(dir, 'crowd.yaml');
  writeFileSync(
    file,
    `name: crowd
durationS: 120
workload:
  arrival: { process: steps, steps: [{ atS: 0, ratePerS: 200 }, { atS: 30, ratePerS: 1200 }] }
  request: { steps: [{ cpu: { dist: exponential, meanMs: 1.5 } }] }
cluster: { replicas: 2, pod: { cpuRequestCores: 1, startupS: 5, readinessDelayS: 5 } }
metricsPipeline: { scrapeIntervalS: 5, cpuWindowS: 5 }
hpa:
  maxReplicas: 10
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 60 } } }]
  controller: { syncPeriodS: 15 }
`,
  );

  it(
    'each sync records status.currentMetrics, the pod groups and the recommendation before and after ' +
      'stabilisation',
    () => {
      const r = gmpsim('run', file, '--out', join(dir, 'run'), '--quiet', '--hpa-events');
      expect(r.status, r.stderr).to.equal(0);
      const rows = csvParse(readFileSync(join(dir, 'run', 'hpa_decisions.csv'), 'utf8'));
      expect(rows.columns.slice(0, 9)).to.deep.equal([
        't_s',
        'current_replicas',
        'desired_replicas',
        'rescale',
        'reason',
        'proposals',
        'able_to_scale',
        'scaling_active',
        'scaling_limited',
      ]);
      expect(rows.columns.slice(9)).to.deep.equal([
        'current_metrics',
        'ready_pods',
        'unready_pods',
        'missing_pods',
        'ignored_pods',
        'recommended_replicas',
        'stabilized_replicas',
      ]);
      // At t = 0 no metrics have been scraped: kubectl shows <unknown>.
      expect(rows[0]!.current_metrics).to.equal('cpu: <unknown>/60%');
      const up = rows.find((x) => x.rescale === '1')!;
      expect(up.current_metrics).to.match(/^cpu: \d+%\/60%$/);
      // above target by more than the tolerance
      expect(Number(/(\d+)%\//.exec(up.current_metrics!)![1])).to.be.greaterThan(66);
      expect(Number(up.ready_pods)).to.equal(Number(up.current_replicas));
      expect(up.recommended_replicas).to.equal(up.proposals);
      expect(Number(up.stabilized_replicas)).to.be.at.least(Number(up.recommended_replicas));
      // After a scale-up the new pods are not running yet: the calculator counts them as unready.
      const after = rows[rows.indexOf(up) + 1]!;
      expect(Number(after.unready_pods) + Number(after.missing_pods)).to.be.greaterThan(0);
      // The describe output: the events with the real reason strings.
      expect(r.stdout).to.match(/^Name: +crowd\nReference: +Deployment\/crowd\n/);
      expect(r.stdout).to.match(
        new RegExp(
          /Warning +FailedGetResourceMetric +\S+ +horizontal-pod-autoscaler +failed to get cpu utilization/.source +
            /: unable to get metrics/.source,
        ),
      );
      expect(r.stdout).to.match(
        new RegExp(
          `Normal +SuccessfulRescale +\\S+ +horizontal-pod-autoscaler +New size: ${up.desired_replicas}; reason: ` +
            `cpu resource utilization \\(percentage of request\\) above target`,
        ),
      );
    },
  );

  it('--hpa-events without an hpa block is a usage error (exit 2)', () => {
    const plain = join(dir, 'plain.yaml');
    writeFileSync(plain, 'durationS: 1\n');
    const r = gmpsim('run', plain, '--out', join(dir, 'plain'), '--hpa-events');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/--hpa-events needs an hpa block/);
  });
});

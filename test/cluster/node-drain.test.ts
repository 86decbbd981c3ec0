import { expect } from 'chai';
import { parseScenario, scenarioFromData } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/**
 * The node-drain fault as `kubectl drain` does it (k8s.io/kubectl/pkg/drain): cordon, evict every pod on the
 * node at once (graceful: requests in flight finish within the grace period or are cut), the ReplicaSet
 * recreates the pods elsewhere (Pending without room), uncordon at the end of the window.
 */
const run = (cluster: Record<string, unknown>, fault: Record<string, unknown> = {}, stepMs = 5) =>
  runScenario(
    scenarioFromData(
      {
        durationS: 60,
        runtime: { gomaxprocs: 1, hostCpus: 1 },
        workload: {
          arrival: { process: 'poisson', ratePerS: 200 },
          request: {
            steps: [{ cpu: { dist: 'constant', valueMs: 0.5 } }, { netpoll: { dist: 'constant', valueMs: stepMs } }],
          },
        },
        cluster: { replicas: 4, pod: { cpuRequestCores: 1, startupS: 5 }, ...cluster },
        faults: [{ type: 'node-drain', atS: 20, durationS: 20, target: { kind: 'node', index: 1 }, ...fault }],
      },
      'drain.yaml',
    ),
    1,
  );
const at = (r: ReturnType<typeof run>, name: string, t: number) =>
  r.series.rows.find((row) => row[0] === t)![r.series.columns.indexOf(name)] as number;
/** Node of each pod index at time t (pods.csv). */
const podsAt = (r: ReturnType<typeof run>, t: number) => r.podSeries.rows.filter((row) => row[0] === t);

describe('node-drain fault (kubectl drain)', () => {
  it('with room elsewhere: the two pods on node 1 are evicted and recreated on node 2; nothing is cut', () => {
    const r = run({ nodes: { count: 3, allocatableCores: 2 } });
    const f = r.summary.chaos!.faults[0]!;
    expect(f.type).to.equal('node-drain');
    expect(f.pods).to.deep.equal([2, 3]); // first-fit: pods 0, 1 on node 0; 2, 3 on node 1
    // Replacements start at once on node 2 (5 s start-up + the default 5 s readiness delay): Ready at 30 s.
    expect(at(r, 'replicas_ready', 21)).to.equal(2);
    expect(at(r, 'replicas_ready', 31)).to.equal(4);
    expect(at(r, 'pods_pending', 21)).to.equal(0);
    // 5.5 ms requests finish well within the grace period: none lost.
    expect(r.summary.cluster.killed).to.equal(0);
    expect(podsAt(r, 30).length).to.equal(4);
  });

  it('without room: the replacements stay Pending until uncordon, then run on the drained node', () => {
    const r = run({ nodes: { count: 2, allocatableCores: 2 } });
    expect(at(r, 'replicas_ready', 30)).to.equal(2);
    expect(at(r, 'pods_pending', 30)).to.equal(2);
    expect(at(r, 'faults_active', 30)).to.equal(1);
    // Uncordoned at 40 s: the Pending pods are placed and Ready 10 s later.
    expect(at(r, 'pods_pending', 41)).to.equal(0);
    expect(at(r, 'replicas_ready', 49)).to.equal(2);
    expect(at(r, 'replicas_ready', 51)).to.equal(4);
  });

  it('with a cluster autoscaler: the Pending replacements get a new node', () => {
    const r = run({
      nodes: {
        count: 2,
        allocatableCores: 2,
        autoscaler: { minNodes: 2, maxNodes: 3, scanIntervalS: 1, provisioningDelayS: 5 },
      },
    });
    expect(r.summary.cluster.nodeAutoscaler!.nodesAdded).to.be.at.least(1);
    expect(at(r, 'pods_pending', 21)).to.equal(2);
    expect(at(r, 'replicas_ready', 40)).to.equal(4); // before the uncordon at 40 s
  });

  it('requests longer than the grace period are cut at its end (terminationGracePeriodS)', () => {
    const long = run(
      {
        nodes: { count: 3, allocatableCores: 2 },
        pod: { cpuRequestCores: 1, startupS: 5, terminationGracePeriodS: 1 },
      },
      {},
      3000,
    );
    expect(long.summary.cluster.killed).to.be.greaterThan(0);
    const short = run(
      {
        nodes: { count: 3, allocatableCores: 2 },
        pod: { cpuRequestCores: 1, startupS: 5, terminationGracePeriodS: 10 },
      },
      {},
      3000,
    );
    expect(short.summary.cluster.killed).to.equal(0);
  });

  it('needs counted nodes: with unlimited nodes it is a scenario error at its line', () => {
    expect(() => parseScenario('faults: [{type: node-drain, atS: 1}]\n', 'd.yaml')).to.throw(
      /d\.yaml:1:\d+: faults\[0\]\.type: expected cluster\.nodes\.count ≥ 1 for a node-drain fault/,
    );
  });
});

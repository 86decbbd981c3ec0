import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { problems } from '../support/problems.js';

describe('scenario input: pod lifecycle fields (issue 17)', () => {
  it('start-up phases: sizes and bandwidths > 0, durations ≥ 0, at file:line:col with the path', () => {
    const text =
      'cluster:\n  pod:\n    startupPhases: {imageSizeMB: 0, schedulingS: -1}\n  nodes:\n    imagePullMBps: 0\n';
    expect(problems(text)).to.deep.equal([
      'case.yaml:3:34: cluster.pod.startupPhases.imageSizeMB: expected a number > 0, found 0',
      'case.yaml:3:50: cluster.pod.startupPhases.schedulingS: expected a number ≥ 0, found -1',
      'case.yaml:5:20: cluster.nodes.imagePullMBps: expected a number > 0, found 0',
    ]);
  });

  it('start-up phases: every duration has a default', () => {
    const s = parseScenario('cluster: {pod: {startupPhases: {}}}\n', 'x.yaml');
    expect(s.cluster.pod.startupPhases).to.deep.equal({
      schedulingS: 1,
      imageSizeMB: 200,
      initContainersS: 0,
      processStartS: 1,
      appInitializationS: 5,
    });
    expect(s.cluster.nodes.imagePullMBps).to.equal(50);
  });

  it('probes: thresholds and period ≥ 1, successThreshold 1 for liveness and startup (ValidateProbe)', () => {
    const text =
      'cluster:\n  pod:\n    readinessProbe: {failureThreshold: 0, periodSeconds: 0}\n    livenessProbe: ' +
      '{successThreshold: 2}\n';
    expect(problems(text)).to.deep.equal([
      'case.yaml:3:40: cluster.pod.readinessProbe.failureThreshold: expected a number ≥ 1, found 0',
      'case.yaml:3:58: cluster.pod.readinessProbe.periodSeconds: expected a number ≥ 1, found 0',
      'case.yaml:4:39: cluster.pod.livenessProbe.successThreshold: expected 1 (must be 1 for livenessProbes), found 2',
    ]);
    expect(problems('cluster: {pod: {startupProbe: {timeoutSeconds: 0.5}}}\n')).to.deep.equal([
      'case.yaml:1:48: cluster.pod.startupProbe.timeoutSeconds: expected an integer, found 0.5',
    ]);
  });

  it("probes: Kubernetes' defaults (SetDefaults_Probe); a probe without startupPhases gets the default phases", () => {
    const s = parseScenario('cluster: {pod: {readinessProbe: {}}}\n', 'x.yaml');
    expect(s.cluster.pod.readinessProbe).to.deep.equal({
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it(
    'rolling update: maxSurge and maxUnavailable not both 0, counts or percentages ≤ 100% ' +
      '(ValidateRollingUpdateDeployment)',
    () => {
      expect(problems('cluster:\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: "0%"}}\n')).to.deep.equal([
        'case.yaml:2:59: cluster.strategy.rollingUpdate.maxUnavailable: expected a value > 0: may not be 0 when ' +
          '`maxSurge` is 0',
      ]);
      expect(
        problems('cluster:\n  strategy: {rollingUpdate: {maxSurge: "abc", maxUnavailable: "150%"}}\n'),
      ).to.deep.equal([
        'case.yaml:2:40: cluster.strategy.rollingUpdate.maxSurge: expected a count or a percentage such as "25%", ' +
          'found the string "abc"',
        'case.yaml:2:63: cluster.strategy.rollingUpdate.maxUnavailable: expected at most 100%, found 150%',
      ]);
      const s = parseScenario('', 'x.yaml');
      expect(s.cluster.strategy).to.deep.equal({ rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
      expect(s.cluster.minReadySeconds).to.equal(0);
      expect(s.timeline).to.deep.equal([]);
    },
  );

  it('timeline: known event types, an hpa edit needs an hpa and keeps minReplicas ≤ maxReplicas in time order', () => {
    expect(problems('timeline:\n  - {type: reboot, atS: 20}\n  - {type: scale, atS: 5, replicas: -1}\n')).to.deep.equal(
      [
        'case.yaml:2:12: timeline[0].type: expected one of "rollout" | "scale" | "hpa" | "runtime", found the ' +
          'string "reboot"',
        'case.yaml:3:37: timeline[1].replicas: expected a number ≥ 0, found -1',
      ],
    );
    expect(problems('timeline:\n  - {type: hpa, atS: 20, minReplicas: 3}\n')).to.deep.equal([
      'case.yaml:2:12: timeline[0].type: expected an hpa block for an hpa timeline event, found none',
    ]);
    const text =
      'hpa: {maxReplicas: 4}\ntimeline:\n  - {type: hpa, atS: 30, minReplicas: 6}\n  - {type: hpa, atS: 10, ' +
      'maxReplicas: 8}\n';
    expect(() => parseScenario(text, 'x.yaml')).to.not.throw(); // 8 from 10 s, then 6 ≤ 8 at 30 s
    expect(problems('hpa: {maxReplicas: 4}\ntimeline:\n  - {type: hpa, atS: 20, minReplicas: 6}\n')).to.deep.equal([
      'case.yaml:3:39: timeline[0].minReplicas: expected minReplicas ≤ maxReplicas (4) from 20 s, found 6',
    ]);
  });

  it('node autoscaler: needs counted nodes, minNodes ≤ maxNodes, a starting count within maxNodes', () => {
    expect(problems('cluster:\n  nodes:\n    count: 0\n    autoscaler: {minNodes: 5, maxNodes: 3}\n')).to.deep.equal([
      'case.yaml:3:12: cluster.nodes.count: expected count ≥ 1 with an autoscaler, found 0 (unlimited)',
      'case.yaml:4:28: cluster.nodes.autoscaler.minNodes: expected minNodes ≤ maxNodes (3), found 5',
    ]);
    expect(
      problems('cluster:\n  nodes:\n    count: 9\n    autoscaler: {maxNodes: 3, provisioningDelayS: -1}\n'),
    ).to.deep.equal([
      'case.yaml:3:12: cluster.nodes.count: expected count ≤ autoscaler.maxNodes (3), found 9',
      'case.yaml:4:51: cluster.nodes.autoscaler.provisioningDelayS: expected a number ≥ 0, found -1',
    ]);
    expect(
      parseScenario('cluster: {nodes: {count: 2, autoscaler: {}}}\n', 'x.yaml').cluster.nodes.autoscaler,
    ).to.deep.equal({
      minNodes: 1,
      maxNodes: 10,
      scanIntervalS: 10,
      provisioningDelayS: 180,
      scaleDownUnneededS: 600,
    });
  });
});

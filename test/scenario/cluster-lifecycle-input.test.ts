import { expect } from 'chai';
import { formatProblem, parseScenario, ScenarioError } from '../../src/scenario/load.js';

/** The formatted problems of an invalid scenario text. */
function problems(text: string, file = 'case.yaml'): string[] {
  try {
    parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario input: pod lifecycle fields (issue 17)', () => {
  it('start-up phases: sizes and bandwidths > 0, durations ≥ 0, at file:line:col with the path', () => {
    const text = 'cluster:\n  pod:\n    startupPhases: {imageSizeMB: 0, schedulingS: -1}\n  nodes:\n    imagePullMBps: 0\n';
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
    const text = 'cluster:\n  pod:\n    readinessProbe: {failureThreshold: 0, periodSeconds: 0}\n    livenessProbe: {successThreshold: 2}\n';
    expect(problems(text)).to.deep.equal([
      'case.yaml:3:40: cluster.pod.readinessProbe.failureThreshold: expected a number ≥ 1, found 0',
      'case.yaml:3:58: cluster.pod.readinessProbe.periodSeconds: expected a number ≥ 1, found 0',
      'case.yaml:4:39: cluster.pod.livenessProbe.successThreshold: expected 1 (must be 1 for livenessProbes), found 2',
    ]);
    expect(problems('cluster: {pod: {startupProbe: {timeoutSeconds: 0.5}}}\n')).to.deep.equal([
      'case.yaml:1:48: cluster.pod.startupProbe.timeoutSeconds: expected an integer, found 0.5',
    ]);
  });

  it('probes: Kubernetes\' defaults (SetDefaults_Probe); a probe without startupPhases gets the default phases', () => {
    const s = parseScenario('cluster: {pod: {readinessProbe: {}}}\n', 'x.yaml');
    expect(s.cluster.pod.readinessProbe).to.deep.equal({
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });
});

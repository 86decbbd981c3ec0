import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { formatProblem, loadScenarioFile, parseScenario, type ScenarioError } from '../../src/scenario/load.js';
import { problems } from '../support/problems.js';

describe('scenario loading', () => {
  it('fills every default into an empty document, naming it after the file', () => {
    const s = parseScenario('', 'scenarios/my-test.yaml');
    expect(s.name).to.equal('my-test');
    expect(s.durationS).to.equal(60);
    expect(s.runtime).to.include({
      scheduler: 'gmp',
      goVersion: '1.19',
      gomaxprocs: 4,
      hostCpus: 4,
      netpoll: 'go',
      maxThreads: 10000,
      server: 'none',
    });
    expect(s.runtime.costs).to.deep.equal({
      ctxSwitchNs: 200,
      stealNs: 300,
      goroutineCreateNs: 300,
      threadCreateUs: 30,
      threadWakeUs: 5,
      syscallOverheadNs: 100,
      chanOpNs: 50,
      preemptSignalUs: 5,
      runnextStealWaitUs: 3,
      stackCopyNsPerKB: 50,
      timerSlackUs: 50,
      sysmonWakeCpuUs: 0,
      mallocNsPerObject: 15,
      mallocLargeUs: 2,
      zeroNsPerKB: 50,
      httpRequestUs: 60,
      procresizeUs: 30,
    });
    expect(s.workload.arrival).to.deep.equal({ process: 'poisson', ratePerS: 100 });
    expect(s.workload.request.steps).to.deep.equal([{ cpu: { dist: 'exponential', meanMs: 1 } }]);
  });

  it('reads JSON as well as YAML', () => {
    expect(parseScenario('{"durationS": 5, "runtime": {"gomaxprocs": 2}}', 'x.json').runtime.gomaxprocs).to.equal(2);
  });

  it('fills defaults inside a block the user wrote partly', () => {
    const s = parseScenario(
      'workload:\n  request:\n    steps: [{cpu: {dist: lognormal}}, {spawn: {steps: [{sleep: {dist: constant}}]}}]\n',
      'x.yaml',
    );
    expect(s.workload.request.steps).to.deep.equal([
      { cpu: { dist: 'lognormal', meanMs: 1, cv: 1 } },
      { spawn: { count: 1, wait: true, steps: [{ sleep: { dist: 'constant', valueMs: 1 } }] } },
    ]);
  });

  it('malformed YAML: names the file, line and column', () => {
    expect(problems('a: [1, 2\nb: 3\n')).to.deep.equal([
      'case.yaml:2:1: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('malformed JSON: names the file, line and column', () => {
    expect(problems('{"durationS": 10,, }', 'case.json')).to.deep.equal([
      'case.json:1:18: malformed JSON: Unexpected , in flow map',
    ]);
  });

  it('wrong types: path, expected and found, one line each', () => {
    expect(problems('durationS: "ten"\nruntime:\n  gomaxprocs: 2.5\n')).to.deep.equal([
      'case.yaml:1:12: durationS: expected a number, found the string "ten"',
      'case.yaml:3:15: runtime.gomaxprocs: expected an integer, found 2.5',
    ]);
  });

  it('negative durations and out-of-range values', () => {
    expect(
      problems('durationS: -5\nworkload:\n  request:\n    steps:\n      - cpu: {dist: exponential, meanMs: 0}\n'),
    ).to.deep.equal([
      'case.yaml:1:12: durationS: expected a number > 0, found -5',
      'case.yaml:5:42: workload.request.steps[0].cpu.meanMs: expected a number > 0, found 0',
    ]);
  });

  it('unknown keys are errors, with a suggestion and the allowed keys', () => {
    expect(problems('durationSec: 10\nworkload:\n  arrival:\n    process: poisson\n    rate: 5\n')).to.deep.equal([
      'case.yaml:1:1: durationSec: unknown key "durationSec" (did you mean "durationS"?) (expected one of: name, ' +
        'description, seed, durationS, warmupS, metrics, workload, calibration, kubernetes, runtime, cluster, ' +
        'metricsPipeline, hpa, keda, densityController, dependencies, service, faults, steadyState, clockStart, ' +
        'timeline, slo, variants, sweep)',
      'case.yaml:5:5: workload.arrival.rate: unknown key "rate" (did you mean "ratePerS"?) (expected one of: ' +
        'process, ratePerS)',
    ]);
  });

  it('an unknown variant lists the known ones', () => {
    expect(problems('workload:\n  request:\n    steps:\n      - cpu:\n          dist: gamma\n')).to.deep.equal([
      'case.yaml:5:17: workload.request.steps[0].cpu.dist: expected one of "constant" | "exponential" | ' +
        '"lognormal" | "uniform" | "empirical", found the string "gamma"',
    ]);
  });

  it('an unknown step kind lists the step kinds; nested step errors keep their full path', () => {
    expect(problems('workload:\n  request:\n    steps:\n      - cpux: {dist: exponential}\n')).to.deep.equal([
      'case.yaml:4:9: workload.request.steps[0]: expected a step with exactly one of the keys cpu | syscall | ' +
        'netpoll | sleep | alloc | gosched | spawn | locked | deep | send | recv | repeat | call | select | close | ' +
        'rwlocked, found key(s) cpux (did you mean "cpu"?)',
    ]);
    expect(
      problems(
        'workload:\n  request:\n    steps:\n      - spawn: {count: 2, steps: [{sleep: {dist: constant, valueMs: ' +
          '-1}}]}\n',
      ),
    ).to.deep.equal([
      'case.yaml:4:69: workload.request.steps[0].spawn.steps[0].sleep.valueMs: expected a number ≥ 0, found -1',
    ]);
  });

  // Every kind the model dispatches on (step, fault, metric source and name, autoscaler) rejects an unknown
  // value at its path, with the known ones and the nearest, instead of falling back to some default.
  const UNKNOWN_KINDS: Array<{ name: string; text: string; want: string }> = [
    {
      name: 'unknown step kind',
      text: 'workload:\n  request:\n    steps:\n      - cpux: {dist: exponential}\n',
      want:
        'case.yaml:4:9: workload.request.steps[0]: expected a step with exactly one of the keys cpu | syscall | ' +
        'netpoll | ' +
        'sleep | alloc | gosched | spawn | locked | deep | send | recv | repeat | call | select | close | ' +
        'rwlocked, found key(s) cpux (did you mean "cpu"?)',
    },
    {
      name: 'unknown fault type',
      text: 'faults:\n  - type: pod-kil\n    atS: 5\n',
      want:
        'case.yaml:2:11: faults[0].type: expected one of "metrics-down" | "hpa-down" | "pod-kill" | "node-loss" | ' +
        '"node-drain" | "network-latency" | "noisy-neighbour" | "packet-loss" | "forced-gc" | "memory-pressure" | ' +
        '"dependency-outage" | "dependency-slowdown", found the string "pod-kil" (did you mean "pod-kill"?)',
    },
    {
      name: 'a field of another fault type (each type takes only its own)',
      text: 'faults:\n  - {type: pod-kill, atS: 5, latencyMs: 3}\n',
      want:
        'case.yaml:2:30: faults[0].latencyMs: unknown key "latencyMs" (expected one of: type, atS, durationS, ' +
        'target)',
    },
    {
      name: 'a call to an undeclared dependency (did you mean)',
      text:
        'dependencies:\n  db: {}\n  cache: {}\nworkload:\n  request:\n    steps:\n      - call: {dependency: ' +
        'dbb}\n',
      want:
        'case.yaml:7:28: workload.request.steps[0].call.dependency: expected one of "db", "cache", found "dbb" ' +
        '(did you mean "db"?)',
    },
    {
      name: 'a call with no dependencies declared',
      text: 'workload:\n  request:\n    steps:\n      - spawn: {steps: [{call: {dependency: db}}]}\n',
      want:
        'case.yaml:4:45: workload.request.steps[0].spawn.steps[0].call.dependency: expected a dependency declared in ' +
        'dependencies (none are), found "db"',
    },
    {
      name: 'a negative pool size',
      text: 'dependencies:\n  db:\n    pool: {style: database/sql, maxOpenConns: -1}\n',
      want: 'case.yaml:3:47: dependencies.db.pool.maxOpenConns: expected a number ≥ 0, found -1',
    },
    {
      name: 'a net/http pool field on a database/sql pool',
      text: 'dependencies:\n  db:\n    pool: {style: database/sql, maxConnsPerHost: 4}\n',
      want: 'case.yaml:3:33: dependencies.db.pool.maxConnsPerHost: unknown key "maxConnsPerHost"',
    },
    {
      name: 'unknown HPA metric source type',
      text: 'hpa:\n  maxReplicas: 3\n  metrics:\n    - type: Extrenal\n',
      want:
        'case.yaml:4:13: hpa.metrics[0].type: expected one of "Resource" | "ContainerResource" | "Object" | ' +
        '"External" | ' +
        '"Pods", found the string "Extrenal" (did you mean "External"?)',
    },
    {
      name: 'unknown External metric name (never read as the ingress rate)',
      text:
        'hpa:\n  maxReplicas: 3\n  metrics:\n    - type: External\n      external:\n' +
        '        metric: {name: ingress_request_per_second}\n        target: {type: AverageValue, averageValue: 10}\n',
      want:
        'case.yaml:6:24: hpa.metrics[0].external.metric.name: expected one of "ingress_requests_per_second" | ' +
        '"ingress_latency_p99_ms", found the string "ingress_request_per_second" (did you mean ' +
        '"ingress_requests_per_second"?)',
    },
    {
      name: 'unknown Object metric name',
      text:
        'hpa:\n  maxReplicas: 3\n  metrics:\n    - type: Object\n      object:\n' +
        '        metric: {name: request_per_second}\n        target: {type: Value, value: 10}\n',
      want:
        'case.yaml:6:24: hpa.metrics[0].object.metric.name: expected one of "requests_per_second", found the string ' +
        '"request_per_second" (did you mean "requests_per_second"?)',
    },
    {
      name: 'unknown Pods metric name',
      text:
        'hpa:\n  maxReplicas: 3\n  metrics:\n    - type: Pods\n      pods:\n' +
        '        metric: {name: go_goroutine}\n        target: {type: AverageValue, averageValue: 10}\n',
      want:
        'case.yaml:6:24: hpa.metrics[0].pods.metric.name: expected one of "go_goroutines" | ' +
        '"http_requests_in_flight" | ' +
        '"http_requests_per_second" | "go_sched_runnable_goroutines" | "go_gc_cpu_fraction" | ' +
        '"go_gc_pause_fraction" | ' +
        '"http_request_duration_p99_ms" | "go_sql_in_use_connections" | "go_sql_idle_connections" | ' +
        '"go_sql_wait_duration_seconds", found the string "go_goroutine" (did you mean "go_goroutines"?)',
    },
    {
      name: 'unknown autoscaler kind',
      text: 'hpaa:\n  maxReplicas: 3\n',
      want:
        'case.yaml:1:1: hpaa: unknown key "hpaa" (did you mean "hpa"?) (expected one of: name, description, seed, ' +
        'durationS, ' +
        'warmupS, metrics, workload, calibration, kubernetes, runtime, cluster, metricsPipeline, hpa, keda, ' +
        'densityController, dependencies, ' +
        'service, faults, steadyState, clockStart, timeline, slo, variants, sweep)',
    },
    {
      name: 'two autoscaler kinds',
      text: 'hpa: {maxReplicas: 3}\nkeda: {}\n',
      want: 'case.yaml:2:7: keda: expected one autoscaler, found hpa and keda',
    },
  ];
  for (const c of UNKNOWN_KINDS) {
    it(`rejects at its path: ${c.name}`, () => {
      expect(problems(c.text)).to.deep.equal([c.want]);
    });
  }

  it('the ideal-fifo reference scheduler accepts cpu steps only', () => {
    expect(
      problems(
        'runtime: {scheduler: ideal-fifo}\nworkload:\n  request:\n    steps:\n      - sleep: {dist: constant}\n',
      ),
    ).to.deep.equal([
      'case.yaml:5:9: workload.request.steps[0]: the ideal-fifo scheduler runs cpu steps only, found "sleep" (use ' +
        'runtime.scheduler: gmp)',
    ]);
  });

  it('default GOMAXPROCS follows the Go version: 1.19 ignores the CPU limit, 1.25 honours it (min 2)', () => {
    const g = (rt: string) => parseScenario(`runtime: ${rt}\n`, 'x.yaml').runtime.gomaxprocs;
    expect(g('{goVersion: "1.19", hostCpus: 16, cpuLimitCores: 2}')).to.equal(16);
    expect(g('{goVersion: "1.25", hostCpus: 16, cpuLimitCores: 2.5}')).to.equal(3);
    expect(g('{goVersion: "1.25", hostCpus: 16, cpuLimitCores: 0.5}')).to.equal(2);
    expect(g('{goVersion: "1.25", hostCpus: 4, cpuLimitCores: 8}')).to.equal(4);
    expect(g('{goVersion: "1.25", hostCpus: 16, cpuLimitCores: 2, gomaxprocs: 6}')).to.equal(6);
  });

  it('cross-field checks: warm-up must end before the run does; uniform bounds ordered', () => {
    expect(problems('durationS: 5\nwarmupS: 10\n')).to.deep.equal([
      'case.yaml:2:10: warmupS: expected warmupS < durationS (5), found 10',
    ]);
    expect(problems('workload: {request: {steps: [{cpu: {dist: uniform, minMs: 3, maxMs: 1}}]}}\n')).to.deep.equal([
      'case.yaml:1:69: workload.request.steps[0].cpu.maxMs: expected maxMs ≥ minMs',
    ]);
  });

  it('duplicate keys and non-mapping documents are rejected', () => {
    expect(problems('durationS: 5\ndurationS: 6\n')).to.deep.equal([
      'case.yaml:2:1: malformed YAML: Map keys must be unique',
    ]);
    expect(problems('- 1\n- 2\n')).to.deep.equal(['case.yaml:1:1: expected a mapping, found a list of 2']);
  });

  it('a missing file is one clear problem', () => {
    try {
      loadScenarioFile('/no/such/scenario.yaml');
      expect.fail('should throw');
    } catch (e) {
      expect((e as ScenarioError).problems.map(formatProblem)).to.deep.equal([
        '/no/such/scenario.yaml: file not found',
      ]);
    }
  });

  it('loads a file from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-'));
    const f = join(dir, 'disk.yaml');
    writeFileSync(f, 'durationS: 2\n');
    expect(loadScenarioFile(f).durationS).to.equal(2);
  });
});

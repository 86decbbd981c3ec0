import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';
import { bestConfigYaml } from '../../src/cli/tune-command.js';
import { loadKubernetesModels } from '../../src/kubernetes/models.js';
import { formatProblem, loadScenarioFile, type Problem, ScenarioError } from '../../src/scenario/load.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = join(root, 'test/fixtures/kubernetes');
const bin = join(root, 'bin/gmpsim.js');

function gmpsim(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A scenario beside copies of the fixtures (edited by `edit`), naming `manifests`. */
function scenarioWith(manifests: Record<string, string>, scenario = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'gmpsim-k8s-'));
  for (const [name, text] of Object.entries(manifests)) writeFileSync(join(dir, name), text);
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, `kubernetes: [${Object.keys(manifests).join(', ')}]\ndurationS: 5\n${scenario}`);
  return file;
}

const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

/** The problems loading a scenario reports (formatted), or [] when it loads. */
function problemsOf(file: string): string[] {
  try {
    loadScenarioFile(file);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.problems.map(formatProblem);
  }
}

describe('Kubernetes manifests in (src/kubernetes)', function () {
  this.timeout(60_000);
  before(() => loadKubernetesModels());

  it('a Deployment and an autoscaling/v2 HPA map onto cluster, runtime and hpa', () => {
    const warnings: Problem[] = [];
    const s = loadScenarioFile(
      scenarioWith({ 'deploy.yaml': fixture('deploy.yaml'), 'hpa.yaml': fixture('hpa.yaml') }),
      warnings,
    );
    expect(s.cluster.replicas).to.equal(3);
    // Requests summed over the containers (the HPA's GetResourceUtilizationRatio sums them): 500m + 100m.
    expect(s.cluster.pod.cpuRequestCores).to.be.closeTo(0.6, 1e-12);
    expect(s.cluster.pod.memoryRequestMB).to.equal(320);
    expect(s.cluster.pod.terminationGracePeriodS).to.equal(20);
    expect(s.runtime.cpuLimitCores).to.equal(2);
    expect(s.runtime.memoryLimitMB).to.equal(1024);
    expect(s.runtime.gc.gogc).to.equal(200);
    expect(s.runtime.gomaxprocs).to.equal(2);
    expect(s.runtime.gc.memoryLimitMB).to.equal(900);
    expect(s.hpa?.minReplicas).to.equal(2);
    expect(s.hpa?.maxReplicas).to.equal(12);
    expect(s.hpa?.metrics.map((m) => m.type)).to.deep.equal(['Resource', 'Pods']);
    expect(s.hpa?.behavior?.scaleDown?.stabilizationWindowSeconds).to.equal(120);
    // Nothing dropped silently: each unread field is named.
    const named = warnings.map((w) => w.path);
    for (const p of [
      'spec.template.spec.containers[0].image',
      'spec.metrics[1].pods.metric.selector',
      'spec.selector',
      'spec.template.spec.containers[0].env[3].value',
    ]) {
      expect(
        named.some((n) => n.endsWith(p)),
        p,
      ).to.equal(true);
    }
    expect(warnings.some((w) => /found v1 Service/.test(w.message))).to.equal(true);
  });

  it("a Deployment's probes and rolling-update strategy map onto the scenario's probes and strategy", () => {
    const warnings: Problem[] = [];
    const s = loadScenarioFile(scenarioWith({ 'deploy.yaml': fixture('deploy-probes.yaml') }), warnings);
    expect(s.cluster.strategy.rollingUpdate).to.deep.equal({ maxSurge: 1, maxUnavailable: '0%' });
    expect(s.cluster.minReadySeconds).to.equal(10);
    // Given fields as written; the rest take SetDefaults_Probe's defaults, as the API server would.
    expect(s.cluster.pod.readinessProbe).to.deep.equal({
      initialDelaySeconds: 0,
      periodSeconds: 5,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 2,
    });
    expect(s.cluster.pod.livenessProbe).to.deep.equal({
      initialDelaySeconds: 15,
      periodSeconds: 10,
      timeoutSeconds: 2,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(s.cluster.pod.startupProbe).to.deep.include({ periodSeconds: 2, failureThreshold: 30 });
    const said = (path: string, re: RegExp) => warnings.some((w) => w.path.endsWith(path) && re.test(w.message));
    expect(said('livenessProbe.tcpSocket', /modelled as an HTTP GET/), 'tcpSocket named').to.equal(true);
    expect(
      said('startupProbe.terminationGracePeriodSeconds', /not modelled/),
      'probe-level grace period named',
    ).to.equal(true);
    expect(
      warnings.some(
        (w) => /readinessProbe|strategy|minReadySeconds/.test(w.path) && !/tcpSocket|terminationGrace/.test(w.path),
      ),
    ).to.equal(false);
    const recreate = scenarioWith({
      'deploy.yaml': fixture('deploy-probes.yaml').replace('type: RollingUpdate', 'type: Recreate'),
    });
    const w2: Problem[] = [];
    const r = loadScenarioFile(recreate, w2);
    expect(
      w2.some((w) => w.path.endsWith('spec.strategy.type') && /only RollingUpdate is modelled/.test(w.message)),
    ).to.equal(true);
    expect(r.cluster.strategy.rollingUpdate).to.deep.equal({ maxSurge: '25%', maxUnavailable: '25%' });
  });

  it('what the scenario writes itself wins over the manifests', () => {
    const file = scenarioWith(
      { 'deploy.yaml': fixture('deploy.yaml') },
      'cluster: { replicas: 7 }\nruntime: { gomaxprocs: 4 }\n',
    );
    const s = loadScenarioFile(file);
    expect(s.cluster.replicas).to.equal(7);
    expect(s.runtime.gomaxprocs).to.equal(4);
    expect(s.runtime.gc.gogc).to.equal(200);
  });

  it('autoscaling/v1: targetCPUUtilizationPercentage is the cpu Utilization metric', () => {
    const s = loadScenarioFile(
      scenarioWith({ 'deploy.yaml': fixture('deploy.yaml'), 'hpa.yaml': fixture('hpa-v1.yaml') }),
    );
    expect(s.hpa?.metrics).to.deep.equal([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
    ]);
    expect(s.hpa?.maxReplicas).to.equal(5);
  });

  it('a KEDA ScaledObject with a prometheus trigger maps onto keda', () => {
    const s = loadScenarioFile(
      scenarioWith({ 'deploy.yaml': fixture('deploy.yaml'), 'so.yaml': fixture('scaledobject.yaml') }),
    );
    expect(s.keda).to.deep.include({
      pollingIntervalS: 15,
      cooldownPeriodS: 120,
      minReplicaCount: 0,
      maxReplicaCount: 20,
    });
    expect(s.keda?.trigger).to.deep.include({ threshold: 150, activationThreshold: 5 });
  });

  it('a KEDA cron trigger beside the prometheus one maps onto keda.cron (cron_scaler.go metadata)', () => {
    const cron = [
      '    - type: cron',
      '      metadata:',
      '        timezone: Europe/Berlin',
      '        start: 0 8 * * 1-5',
      '        end: 0 18 * * 1-5',
      '        desiredReplicas: "6"',
      '',
    ].join('\n');
    const so = `${fixture('scaledobject.yaml').replace('  triggers:\n', `  triggers:\n${cron}`)}`;
    const s = loadScenarioFile(scenarioWith({ 'deploy.yaml': fixture('deploy.yaml'), 'so.yaml': so }));
    expect(s.keda?.cron).to.deep.equal([
      { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 6 },
    ]);
    expect(s.keda?.trigger).to.deep.include({ threshold: 150, activationThreshold: 5 });
  });

  it("tune's printed HPA manifest re-imports to the same hpa block", () => {
    const base = parse(readFileSync(join(root, 'scenarios/sweep-hpa-target.yaml'), 'utf8')) as Record<string, unknown>;
    const point = { params: [['hpa.metrics[0].resource.target.averageUtilization', 55]] } as never;
    const manifest = bestConfigYaml(base, point, 'checkout');
    const s = loadScenarioFile(scenarioWith({ 'deploy.yaml': fixture('deploy.yaml'), 'hpa.yaml': manifest }));
    const written = (parse(manifest) as { spec: Record<string, unknown> }).spec;
    expect(s.hpa?.maxReplicas).to.equal(written.maxReplicas);
    expect(s.hpa?.metrics).to.deep.equal(written.metrics);
  });

  // Each bad manifest is an error naming the file, line, document and path (and the scenario's own list).
  const cases: { name: string; files: Record<string, string>; scenario?: string; expect: RegExp }[] = [
    {
      name: 'a wrong type, caught by the typed model',
      files: { 'hpa.yaml': fixture('hpa.yaml').replace('maxReplicas: 12', 'maxReplicas: twelve') },
      expect:
        /hpa\.yaml:11:\d+: \(document 1, HorizontalPodAutoscaler checkout\) spec\.maxReplicas: expected an integer/,
    },
    {
      name: 'a metric the model does not export, caught by the scenario schema at the manifest line',
      files: { 'hpa.yaml': fixture('hpa.yaml').replace('name: go_goroutines', 'name: http_requests_total') },
      expect: new RegExp(
        /hpa\.yaml:\d+:\d+: \(document 1, HorizontalPodAutoscaler checkout\) spec\.metrics\[1\]\.pods/.source +
          /\.metric\.name: expected one of .*go_goroutines/.source,
      ),
    },
    {
      name: 'scaleTargetRef naming another Deployment',
      files: {
        'deploy.yaml': fixture('deploy.yaml'),
        'hpa.yaml': fixture('hpa.yaml').replace(/name: checkout\n {2}minReplicas/, 'name: cart\n  minReplicas'),
      },
      expect: /hpa\.yaml:\d+:\d+: .* spec\.scaleTargetRef\.name: expected the Deployment given beside it, "checkout"/,
    },
    {
      name: 'GOGC that Go would not read as a number',
      files: { 'deploy.yaml': fixture('deploy.yaml').replace('value: "200"', 'value: "lots"') },
      expect: new RegExp(
        /deploy\.yaml:24:\d+: .* spec\.template\.spec\.containers\[0\]\.env\[0\]\.value: expected GOGC/.source +
          / as an integer or "off"/.source,
      ),
    },
    {
      name: 'two Deployments',
      files: { 'a.yaml': fixture('deploy.yaml'), 'b.yaml': fixture('deploy.yaml') },
      expect: /b\.yaml:2:1: \(document 1, Deployment checkout\): expected one Deployment, found a second/,
    },
    {
      name: 'a KEDA trigger the model has no scaler for',
      files: { 'so.yaml': fixture('scaledobject.yaml').replace('type: prometheus', 'type: cpu') },
      expect: /so\.yaml:\d+:\d+: .* spec\.triggers\[0\]\.type: expected a prometheus trigger/,
    },
    {
      name: 'a manifest file that is not there',
      files: {},
      scenario: 'kubernetes: [missing.yaml]\n',
      expect: /scenario\.yaml:\d+:\d+: kubernetes\[0\]: expected a readable manifest file/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      let file = scenarioWith(c.files);
      if (c.scenario) writeFileSync(file, c.scenario);
      if (Object.keys(c.files).length === 0) file = join(dirname(file), 'scenario.yaml');
      const problems = problemsOf(file);
      expect(problems.join('\n')).to.match(c.expect);
    });
  }

  it('gmpsim import writes a commented scenario that runs; --out never overwrites a file it did not write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-import-'));
    const out = join(dir, 'checkout.yaml');
    const r = gmpsim(['import', join(fixtures, 'deploy.yaml'), join(fixtures, 'hpa.yaml'), '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    const text = readFileSync(out, 'utf8');
    expect(text).to.match(/^# Imported by gmpsim/);
    expect(text).to.match(/#\s+hpa\.metrics\[1\] <- .*hpa\.yaml#1 spec\.metrics\[1\]/);
    expect(text).to.match(/#\s+.*containers\[0\]\.image: not modelled, ignored/);
    expect(r.stderr).to.match(/^warning: /m);
    const v = gmpsim(['validate', out]);
    expect(v.code, v.stderr).to.equal(0);
    // Again onto its own file: allowed. Onto a user's file: refused, the file untouched.
    expect(gmpsim(['import', join(fixtures, 'deploy.yaml'), '--out', out]).code).to.equal(0);
    const mine = join(dir, 'mine.yaml');
    writeFileSync(mine, 'durationS: 9\n');
    const refused = gmpsim(['import', join(fixtures, 'deploy.yaml'), '--out', mine]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/^error: --out .*mine\.yaml: the file exists and was not written by gmpsim import/);
    expect(readFileSync(mine, 'utf8')).to.equal('durationS: 9\n');
  });

  it('gmpsim run reads a scenario naming manifests (models loaded on demand) and prints the warnings', () => {
    const file = scenarioWith(
      { 'deploy.yaml': fixture('deploy.yaml'), 'hpa.yaml': fixture('hpa.yaml') },
      'workload: { arrival: { process: poisson, ratePerS: 200 } }\n',
    );
    const out = join(dirname(file), 'out');
    const r = gmpsim(['run', file, '--out', out, '--quiet']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/warning: .*deploy\.yaml:\d+:\d+: .*containers\[0\]\.image: not modelled, ignored/);
    const resolved = parse(readFileSync(join(out, 'scenario.resolved.yaml'), 'utf8'));
    expect(resolved.kubernetes).to.equal(undefined);
    expect(resolved.hpa.maxReplicas).to.equal(12);
  });
});

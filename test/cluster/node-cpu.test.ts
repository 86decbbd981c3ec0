import { expect } from 'chai';
import { NodeCpus } from '../../src/cluster/node-cpu.js';
import { Simulation } from '../../src/engine/simulation.js';
import type { Cpu } from '../../src/runtime/gmp/cpu.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { problems } from '../support/problems.js';

/** A Cpu as the node sees it: only its share factor. */
const fakeCpu = () => {
  const c = { f: 1, setShareFactor: (f: number) => (c.f = f) };
  return c;
};

describe('node CPU sharing (cluster.nodeCpuSharing)', () => {
  // Weighted water-filling over one 4-core node (equal requests: max-min fair shares of the cores).
  const cases: { name: string; demands: number[]; factors: number[] }[] = [
    { name: 'under the cores: nobody slows', demands: [1, 2, 1], factors: [1, 1, 1] },
    { name: 'one pod, GOMAXPROCS 8 busy on 4 cores: half speed', demands: [8], factors: [2] },
    { name: 'two equal pods over-committing: each gets 2 cores', demands: [3, 3], factors: [1.5, 1.5] },
    { name: 'a pod wanting less than its part keeps it; the rest goes to the other', demands: [1, 6], factors: [1, 2] },
    { name: 'three pods, one small: 1 + 1.5 + 1.5 cores', demands: [1, 3, 4], factors: [1, 2, 8 / 3] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const sim = new Simulation();
      const nodes = new NodeCpus(sim, 4, 1000, () => 0);
      const cpus = c.demands.map(() => fakeCpu());
      for (const [i, d] of c.demands.entries()) nodes.forPod(i).demandChanged(cpus[i] as unknown as Cpu, d);
      sim.run();
      expect(cpus.map((x) => x.f)).to.deep.equal(c.factors);
    });
  }

  it('a pod leaving the CPU gives its cores back; a burst and the next at one instant reshuffle nothing', () => {
    const sim = new Simulation();
    const nodes = new NodeCpus(sim, 4, 1000, () => 0);
    const a = fakeCpu();
    const b = fakeCpu();
    nodes.forPod(0).demandChanged(a as unknown as Cpu, 4);
    nodes.forPod(1).demandChanged(b as unknown as Cpu, 4);
    sim.run();
    expect([a.f, b.f]).to.deep.equal([2, 2]);
    const before = nodes.recomputes;
    nodes.forPod(0).demandChanged(a as unknown as Cpu, 3);
    nodes.forPod(0).demandChanged(a as unknown as Cpu, 4);
    sim.run();
    expect([a.f, b.f]).to.deep.equal([2, 2]);
    expect(nodes.recomputes).to.equal(before + 1); // one look for the instant, same answer
    nodes.forPod(0).demandChanged(a as unknown as Cpu, 0);
    sim.run();
    expect([a.f, b.f]).to.deep.equal([1, 1]);
  });

  const lone = (share: boolean, extra: Record<string, unknown> = {}) =>
    runScenario(
      parseScenario(
        JSON.stringify({
          durationS: 10,
          workload: {
            arrival: { process: 'poisson', ratePerS: 8000 },
            request: { steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }] },
          },
          runtime: { gomaxprocs: 8, hostCpus: 4, ...extra },
          cluster: { nodeCpuSharing: share },
        }),
        'lone.json',
      ),
      1,
    ).summary;

  it('a lone pod: GOMAXPROCS 8 on a 4-CPU host does at most 4 cores of work, with sharing or without', () => {
    // utilization is CPU time over GOMAXPROCS × time: 8 cores offered, 4 to be had.
    for (const share of [false, true])
      expect(lone(share).utilization * 8, `sharing ${share}`).to.be.within(3.9, 4.0001);
    // The same host, big enough for its 8 Ps: all 8 cores of work, and a far shorter tail.
    const roomy = lone(false, { hostCpus: 8 });
    expect(roomy.utilization * 8).to.be.greaterThan(7.5);
    expect(lone(false).latencyMs.p99).to.be.greaterThan(10 * roomy.latencyMs.p99);
  });

  it('the CPU limit still caps a pod on a shared node: 1 core of quota is 1 core', () => {
    const on = lone(true, { cpuLimitCores: 1 });
    expect(on.utilization * 8).to.be.within(0.95, 1.0001);
  });

  it('two pods on one node share its cores; on two nodes they do not', () => {
    const run = (count: number, request: number) =>
      runScenario(
        parseScenario(
          JSON.stringify({
            durationS: 10,
            workload: {
              arrival: { process: 'poisson', ratePerS: 6000 },
              request: { steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }] },
            },
            runtime: { gomaxprocs: 4, hostCpus: 4 },
            cluster: {
              replicas: 2,
              nodeCpuSharing: true,
              pod: { cpuRequestCores: request },
              nodes: { count, allocatableCores: 4 },
            },
          }),
          'pair.json',
        ),
        1,
      ).summary;
    const together = run(1, 2);
    const apart = run(2, 3);
    // 6 cores offered: one 4-core node gives both pods 4 cores in all; two nodes give each its 3.
    expect(together.utilization * 8).to.be.within(3.9, 4.0001);
    expect(apart.utilization * 8).to.be.within(5.8, 6.2);
  });

  it('without sharing, pods on one node do not compete, but none runs more threads than the node has cores', () => {
    const run = (gomaxprocs: number) =>
      runScenario(
        parseScenario(
          JSON.stringify({
            durationS: 10,
            workload: {
              arrival: { process: 'poisson', ratePerS: 12_000 },
              request: { steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }] },
            },
            runtime: { gomaxprocs, hostCpus: 4 },
            cluster: { replicas: 2, pod: { cpuRequestCores: 1 }, nodes: { count: 1, allocatableCores: 4 } },
          }),
          'pair.json',
        ),
        1,
      ).summary;
    // 12 cores offered to two pods on one 4-core node: each pod alone gets up to its node's 4 cores (8 in
    // all: no competition without nodeCpuSharing), GOMAXPROCS 8 no more than GOMAXPROCS 4.
    expect(run(4).utilization * 2 * 4).to.be.within(7.8, 8.0001);
    expect(run(8).utilization * 2 * 8).to.be.within(7.8, 8.0001);
  });

  it('bad input: a node cannot allocate more cores than it has', () => {
    const yaml =
      'durationS: 10\nruntime: {hostCpus: 4}\ncluster:\n  nodeCpuSharing: true\n  nodes: {count: 2, ' +
      'allocatableCores: 6}\n';
    expect(problems(yaml).join('\n')).to.match(
      /cluster\.nodes\.allocatableCores.*expected at most runtime\.hostCpus \(4\).*found 6/,
    );
  });
});

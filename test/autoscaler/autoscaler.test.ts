import { expect } from 'chai';
import { autoscalerSpec } from '../../src/autoscaler/autoscaler.js';
import { AUTOSCALER_KINDS, type AutoscalerKind } from '../../src/scenario/cluster-schema.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Experiment } from '../../src/sim/experiment.js';

/** One scenario per autoscaler kind, each with an `hpa-down` fault from 30 s to 90 s. */
const BLOCKS: Record<AutoscalerKind, object> = {
  hpa: { hpa: { minReplicas: 1, maxReplicas: 5 } },
  keda: { keda: { minReplicaCount: 1, pollingIntervalS: 15 } },
  densityController: { densityController: { periodS: 15 } },
};

function scenario(kind: AutoscalerKind) {
  return parseScenario(
    JSON.stringify({
      durationS: 150,
      workload: {
        arrival: { process: 'poisson', ratePerS: 200 },
        request: { steps: [{ cpu: { dist: 'constant', valueMs: 1 } }] },
      },
      runtime: { gomaxprocs: 1 },
      faults: [{ type: 'hpa-down', atS: 30, durationS: 60 }],
      ...BLOCKS[kind],
    }),
    `${kind}.json`,
  );
}

describe('the Autoscaler interface: the simulation drives every kind the same way', () => {
  for (const kind of AUTOSCALER_KINDS) {
    it(`${kind}: built from its scenario block, recorded per decision, silenced by an hpa-down fault`, () => {
      const s = scenario(kind);
      expect(autoscalerSpec(s)?.kind).to.equal(kind);
      const exp = new Experiment(s, 1);
      expect(exp.fleet.autoscaler?.kind).to.equal(kind);
      const r = exp.finish();
      const d = r.hpaDecisions ?? [];
      expect(
        d.some((x) => x.tS < 30),
        'decisions before the fault',
      ).to.equal(true);
      expect(
        d.some((x) => x.tS >= 30 && x.tS < 90),
        'no decisions while down',
      ).to.equal(false);
      expect(
        d.some((x) => x.tS >= 90),
        'decisions after it',
      ).to.equal(true);
      expect(r.summary.hpa, 'summarised').to.not.equal(undefined);
    });
  }

  it('a scenario without an autoscaler block has none', () => {
    const s = parseScenario('durationS: 1\n', 'none.yaml');
    expect(autoscalerSpec(s)).to.equal(undefined);
    expect(new Experiment(s, 1).fleet.autoscaler).to.equal(undefined);
  });
});

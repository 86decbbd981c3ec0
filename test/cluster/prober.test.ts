import { expect } from 'chai';
import { type ContainerView, type ProbeSpec, type ProbeType, ProbeWorker } from '../../src/cluster/prober.js';

const spec = (o: Partial<ProbeSpec> = {}): ProbeSpec => ({
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
  ...o,
});
/** getTestRunningStatus: container "test_container_id" running, started. */
const running = (o: Partial<ContainerView> = {}): ContainerView => ({
  containerId: 0,
  running: true,
  secondsSinceStart: 3600,
  started: true,
  deleting: false,
  ...o,
});

/** One doProbe with the prober returning `r`: the cached result after it (undefined if the tick skipped). */
function doProbe(w: ProbeWorker, c: ContainerView, r: 'Success' | 'Failure'): string {
  const a = w.tick(c);
  if (a === 'probe') w.record(r);
  return `${a}:${w.result}`;
}

// Cases from kubernetes/kubernetes pkg/kubelet/prober/worker_test.go.
describe('kubelet probe worker (prober/worker.go)', () => {
  it('newWorker: the cached result of a new container is readiness Failure, liveness Success, startup Unknown', () => {
    const initial = (t: ProbeType) => {
      const w = new ProbeWorker(t, spec());
      w.tick(running({ secondsSinceStart: 0, started: t !== 'startup' }));
      return w.result;
    };
    expect([initial('readiness'), initial('liveness'), initial('startup')]).to.deep.equal([
      'Failure',
      'Success',
      'Unknown',
    ]);
  });

  it('TestInitialDelay: no probe while int(seconds since StartedAt) < initialDelaySeconds', () => {
    for (const t of ['readiness', 'liveness', 'startup'] as const) {
      const w = new ProbeWorker(t, spec({ initialDelaySeconds: 10 }));
      const started = t !== 'startup';
      expect(doProbe(w, running({ secondsSinceStart: 9, started }), 'Success')).to.equal(`skip:${w.initialValue}`);
      expect(doProbe(w, running({ secondsSinceStart: 10, started }), 'Success')).to.equal('probe:Success');
    }
  });

  it('TestFailureThreshold: Success, then two failures keep Success, the third sets Failure; repeated', () => {
    const w = new ProbeWorker('readiness', spec({ successThreshold: 1, failureThreshold: 3 }));
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++)
        expect(doProbe(w, running(), 'Success'), `success ${i}.${j}`).to.equal('probe:Success');
      for (let j = 0; j < 3; j++) {
        const want = j < 2 ? 'Success' : 'Failure';
        expect(doProbe(w, running(), 'Failure'), `failure ${i}.${j}`).to.equal(`probe:${want}`);
      }
    }
  });

  it('TestSuccessThreshold: with successThreshold 3 the result turns Success on the third success only', () => {
    const w = new ProbeWorker('readiness', spec({ successThreshold: 3, failureThreshold: 1 }));
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++)
        expect(doProbe(w, running(), 'Success')).to.equal(`probe:${j < 2 ? 'Failure' : 'Success'}`);
      expect(doProbe(w, running(), 'Failure')).to.equal('probe:Failure'); // failureThreshold 1
    }
  });

  it('TestOnHoldOnLivenessOrStartupCheckFailure: on hold after Failure until a new container ID', () => {
    for (const t of ['liveness', 'startup'] as const) {
      const started = t === 'liveness';
      const w = new ProbeWorker(t, spec({ failureThreshold: 1 }));
      expect(doProbe(w, running({ started }), 'Failure')).to.equal('probe:Failure');
      expect(w.onHold).to.equal(true);
      expect(doProbe(w, running({ started }), 'Success'), 'while on hold').to.equal('skip:Failure');
      expect(doProbe(w, running({ started, containerId: 1 }), 'Success'), 'hold lifted').to.equal('probe:Success');
      expect(w.onHold).to.equal(false);
    }
  });

  it('TestResultRunOnLivenessCheckFailure: resultRun counts failures and resets to 0 on the Failure it sets', () => {
    const w = new ProbeWorker('liveness', spec({ successThreshold: 1, failureThreshold: 3 }));
    doProbe(w, running(), 'Success');
    expect(w.resultRun).to.equal(1);
    expect(doProbe(w, running(), 'Failure')).to.equal('probe:Success');
    expect(w.resultRun).to.equal(1);
    expect(doProbe(w, running(), 'Failure')).to.equal('probe:Success');
    expect(w.resultRun).to.equal(2);
    expect(doProbe(w, running(), 'Failure')).to.equal('probe:Failure');
    expect(w.resultRun).to.equal(0);
    // On hold: the next probe is not run, the result stays Failure.
    expect(doProbe(w, running(), 'Success')).to.equal('skip:Failure');
    expect(w.resultRun).to.equal(0);
  });

  it('startup gating: until Started only the startup probe runs; after it, only the others', () => {
    const s = new ProbeWorker('startup', spec());
    const r = new ProbeWorker('readiness', spec());
    expect(s.tick(running({ started: false }))).to.equal('probe');
    expect(r.tick(running({ started: false }))).to.equal('skip');
    expect(s.tick(running({ started: true }))).to.equal('skip');
    expect(r.tick(running({ started: true }))).to.equal('probe');
  });

  it('TestHandleCrash-style gates: no container yet skips; a non-running container reads Failure', () => {
    const w = new ProbeWorker('liveness', spec());
    expect(w.tick(running({ containerId: -1 }))).to.equal('skip');
    expect(w.tick(running({ running: false }))).to.equal('skip');
    expect(w.result).to.equal('Failure');
  });

  it('pod deletion: liveness and startup set Success and stop; readiness keeps probing', () => {
    const l = new ProbeWorker('liveness', spec());
    expect(l.tick(running({ deleting: true }))).to.equal('stop');
    expect(l.result).to.equal('Success');
    expect(new ProbeWorker('readiness', spec()).tick(running({ deleting: true }))).to.equal('probe');
  });
});

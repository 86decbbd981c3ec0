import { expect } from 'chai';
import { CircuitBreaker, StateClosed, StateHalfOpen, StateOpen } from '../../src/service/breaker.js';

/** sony/gobreaker's rules (gobreaker.go), as its own tests drive them (gobreaker_test.go), one case per row. */
const S = 1e9;
const settings = { maxRequests: 3, intervalNs: 30 * S, timeoutNs: 90 * S, consecutiveFailures: 5 };

function fail(cb: CircuitBreaker, now: number): boolean {
  const g = cb.beforeRequest(now);
  if (g < 0) return false;
  cb.afterRequest(now, g, false);
  return true;
}
function succeed(cb: CircuitBreaker, now: number): boolean {
  const g = cb.beforeRequest(now);
  if (g < 0) return false;
  cb.afterRequest(now, g, true);
  return true;
}

describe('service/breaker: gobreaker', () => {
  const cases: { name: string; run: () => void }[] = [
    {
      name: 'closed → open after consecutive failures exceed 5 (defaultReadyToTrip)',
      run: () => {
        const cb = new CircuitBreaker(settings);
        for (let i = 0; i < 5; i++) expect(fail(cb, 0)).to.equal(true);
        expect(cb.state).to.equal(StateClosed);
        expect(fail(cb, 0)).to.equal(true);
        expect(cb.state).to.equal(StateOpen);
        expect(cb.trips).to.equal(1);
      },
    },
    {
      name: 'a success resets the consecutive failures',
      run: () => {
        const cb = new CircuitBreaker(settings);
        for (let i = 0; i < 5; i++) fail(cb, 0);
        succeed(cb, 0);
        for (let i = 0; i < 5; i++) fail(cb, 0);
        expect(cb.state).to.equal(StateClosed);
      },
    },
    {
      name: 'open refuses (ErrOpenState) until Timeout, then half-open',
      run: () => {
        const cb = new CircuitBreaker(settings);
        for (let i = 0; i < 6; i++) fail(cb, 0);
        expect(cb.beforeRequest(89 * S)).to.equal(-1);
        expect(cb.currentState(90 * S + 1)).to.equal(StateHalfOpen);
      },
    },
    {
      name: 'half-open lets MaxRequests through (ErrTooManyRequests after), closes after as many successes',
      run: () => {
        const cb = new CircuitBreaker(settings);
        for (let i = 0; i < 6; i++) fail(cb, 0);
        const t = 91 * S;
        const gens = [cb.beforeRequest(t), cb.beforeRequest(t), cb.beforeRequest(t)];
        expect(gens.every((g) => g >= 0)).to.equal(true);
        expect(cb.beforeRequest(t)).to.equal(-1);
        for (const g of gens) cb.afterRequest(t, g, true);
        expect(cb.state).to.equal(StateClosed);
      },
    },
    {
      name: 'a failure while half-open reopens',
      run: () => {
        const cb = new CircuitBreaker(settings);
        for (let i = 0; i < 6; i++) fail(cb, 0);
        fail(cb, 91 * S);
        expect(cb.state).to.equal(StateOpen);
        expect(cb.trips).to.equal(2);
      },
    },
    {
      name: 'closed counts are cleared every Interval (a new generation)',
      run: () => {
        const cb = new CircuitBreaker(settings);
        for (let i = 0; i < 5; i++) fail(cb, 0);
        expect(fail(cb, 31 * S)).to.equal(true);
        expect(cb.state).to.equal(StateClosed);
        expect(cb.consecutiveFailures).to.equal(1);
      },
    },
    {
      name: 'a result from an older generation is ignored',
      run: () => {
        const cb = new CircuitBreaker(settings);
        const old = cb.beforeRequest(0);
        for (let i = 0; i < 6; i++) fail(cb, 0);
        cb.afterRequest(91 * S, old, true); // half-open now, but this call belongs to the closed generation
        expect(cb.state).to.equal(StateHalfOpen);
        expect(cb.consecutiveSuccesses).to.equal(0);
      },
    },
    {
      name: 'MaxRequests 0 means 1; Timeout 0 means 60 s',
      run: () => {
        const cb = new CircuitBreaker({ maxRequests: 0, intervalNs: 0, timeoutNs: 0, consecutiveFailures: 0 });
        fail(cb, 0);
        expect(cb.state).to.equal(StateOpen);
        expect(cb.currentState(60 * S)).to.equal(StateOpen);
        expect(cb.currentState(60 * S + 1)).to.equal(StateHalfOpen);
        expect(cb.beforeRequest(60 * S + 1)).to.be.at.least(0);
        expect(cb.beforeRequest(60 * S + 1)).to.equal(-1);
      },
    },
  ];
  for (const c of cases) it(c.name, c.run);
});

import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/** The steps of issue 23 through the whole interpreter: one request at t = 0, its latency (ms). */
const c = (ms: number) => ({ dist: 'constant', valueMs: ms });
const doc = (steps: object[], runtime: object = {}) => ({
  durationS: 2,
  workload: { arrival: { process: 'timestamps', atS: [0] }, request: { steps } },
  runtime: { gomaxprocs: 2, channels: { c: { capacity: 0 }, b: { capacity: 64 } }, ...runtime },
});
const latencyMs = (d: object) => runScenario(parseScenario(JSON.stringify(d), 'steps.json'), 1).summary.latencyMs.max;
const loadError = (d: object) => {
  try {
    parseScenario(JSON.stringify(d), 'steps.json');
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};
const producer = (steps: object[]) => ({ spawn: { count: 1, wait: false, steps } });

describe('steps: select with a timeout, close, sync.RWMutex, the mutex starvation mode', () => {
  const cases: { name: string; doc: object; ms: number }[] = [
    {
      name: 'select: nobody sends, 10 selects time out at 5 ms and run their timeout branch (0.1 ms)',
      doc: doc([
        { repeat: { count: 10, steps: [{ select: { chan: 'c', timeout: c(5), timedOut: [{ cpu: c(0.1) }] } }] } },
      ]),
      ms: 51,
    },
    {
      name: 'select: the channel wins at 1 ms; its stale timer (10 ms) wakes nobody during the later sleep',
      doc: doc([
        producer([{ sleep: c(1) }, { send: { chan: 'c' } }]),
        { select: { chan: 'c', timeout: c(10), timedOut: [{ cpu: c(5) }] } },
        { sleep: c(20) },
      ]),
      ms: 21,
    },
    {
      name: 'select: a value every 10 ms, 30 selects with a 4 ms timeout: two timeouts then a value',
      doc: doc([
        producer([{ repeat: { count: 30, steps: [{ sleep: c(10) }, { send: { chan: 'b' } }] } }]),
        { repeat: { count: 30, steps: [{ select: { chan: 'b', timeout: c(4) } }] } },
      ]),
      ms: 100,
    },
    {
      name: 'select send: a receiver arrives at 2 ms, before the 3 ms timeout',
      doc: doc([
        producer([{ sleep: c(2) }, { recv: { chan: 'c' } }]),
        { select: { chan: 'c', op: 'send', timeout: c(3) } },
      ]),
      ms: 2,
    },
    {
      name: 'close: 4 parked receivers all return when the channel is closed at 5 ms',
      doc: doc([
        { spawn: { count: 4, wait: false, steps: [{ recv: { chan: 'c' } }] } },
        { sleep: c(5) },
        { close: { chan: 'c' } },
        { spawn: { count: 1, wait: true, steps: [{ cpu: c(0.001) }] } },
      ]),
      ms: 5,
    },
    {
      name: 'close: a select on a closed channel takes the channel case at once',
      doc: doc([{ close: { chan: 'c' } }, { select: { chan: 'c', timeout: c(10), timedOut: [{ cpu: c(5) }] } }]),
      ms: 0,
    },
    {
      name: 'rwmutex: a reader arriving behind a waiting writer waits for it (20 + 10 + 5 ms)',
      doc: doc([
        producer([{ rwlocked: { rwmutex: 'rw', write: false, cpu: c(20) } }]),
        producer([{ sleep: c(5) }, { rwlocked: { rwmutex: 'rw', write: true, cpu: c(10) } }]),
        { sleep: c(10) },
        { rwlocked: { rwmutex: 'rw', cpu: c(5) } },
      ]),
      ms: 35,
    },
    {
      name: 'rwmutex: readers share it (two 10 ms readers on 2 Ps)',
      doc: doc([producer([{ rwlocked: { rwmutex: 'rw', cpu: c(10) } }]), { rwlocked: { rwmutex: 'rw', cpu: c(10) } }]),
      ms: 10,
    },
  ];
  for (const t of cases) it(t.name, () => expect(latencyMs(t.doc)).to.be.closeTo(t.ms, 0.1));

  // G1 locks for 0.5 ms, 40 times back to back; G2 locks once at 0.2 ms (GOMAXPROCS 2).
  const starve = (syncMutex: string) =>
    latencyMs(
      doc(
        [
          producer([{ repeat: { count: 40, steps: [{ locked: { cpu: c(0.5) } }] } }]),
          { sleep: c(0.2) },
          { locked: { cpu: c(0) } },
        ],
        { syncMutex },
      ),
    );
  it('mutex fifo: Unlock hands off to the waiter at once (0.5 ms)', () =>
    expect(starve('fifo')).to.be.closeTo(0.5, 0.05));
  it('mutex go: G1 wins the races in normal mode until G2 has waited > 1 ms; starvation hands off at 2 ms', () =>
    expect(starve('go')).to.be.closeTo(2, 0.05));

  const errors: [string, object, string][] = [
    [
      'a send after this goroutine closed the channel',
      doc([{ close: { chan: 'c' } }, { send: { chan: 'c' } }]),
      'steps[1].send.chan: expected no send on channel "c" after this goroutine closed it',
    ],
    [
      'a close in a loop (closed twice)',
      doc([{ repeat: { count: 2, steps: [{ close: { chan: 'c' } }] } }]),
      'expected channel "c" closed at most once per request, found 2 closes',
    ],
    [
      "a request's close with more than one request",
      {
        ...doc([{ close: { chan: 'c' } }]),
        workload: { arrival: { process: 'poisson', ratePerS: 5 }, request: { steps: [{ close: { chan: 'c' } }] } },
      },
      'expected a single request',
    ],
    ['select on an undeclared channel', doc([{ select: { chan: 'nope', timeout: c(1) } }]), 'steps[0].select.chan'],
  ];
  for (const [name, d, msg] of errors) it(`load-time error: ${name}`, () => expect(loadError(d)).to.include(msg));

  it('a send on a channel another goroutine closed: the pod dies with Go panic', () => {
    const d = doc([producer([{ sleep: c(1) }, { send: { chan: 'b' } }]), { close: { chan: 'b' } }, { sleep: c(5) }]);
    const r = runScenario(parseScenario(JSON.stringify(d), 'steps.json'), 1);
    expect(JSON.stringify(r.summary)).to.include('panic: send on closed channel');
  });
});

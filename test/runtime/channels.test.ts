import { expect } from 'chai';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { ZERO_COSTS } from '../support/zero-costs.js';

const cpu = (ms: number) => ({ cpu: { dist: 'constant', valueMs: ms } });

/** One request at t = 0 running `steps`; returns its completion time, ms. */
function once(steps: object[], runtime: object): number {
  const s = parseScenario(
    JSON.stringify({
      durationS: 5,
      workload: { arrival: { process: 'timestamps', atS: [0] }, request: { steps } },
      runtime,
    }),
    'chan.json',
  );
  const r = runScenario(s, 1).summary;
  expect(r.requests.completed, 'the request completes').to.equal(1);
  return r.latencyMs.max;
}

/** A producer → worker → consumer pipeline of n items; each stage does `ms` of CPU per item. */
function pipeline(n: number, ms: number, gomaxprocs: number, capacity: number): number {
  return once(
    [
      {
        spawn: { count: 1, wait: false, steps: [{ repeat: { count: n, steps: [cpu(ms), { send: { chan: 'a' } }] } }] },
      },
      {
        spawn: {
          count: 1,
          wait: false,
          steps: [{ repeat: { count: n, steps: [{ recv: { chan: 'a' } }, cpu(ms), { send: { chan: 'b' } }] } }],
        },
      },
      { repeat: { count: n, steps: [{ recv: { chan: 'b' } }, cpu(ms)] } },
    ],
    { gomaxprocs, netpoll: 'always-polling', costs: ZERO_COSTS, channels: { a: { capacity }, b: { capacity } } },
  );
}

describe('channels (chan.go: chansend, chanrecv, goready)', () => {
  it(
    'a three-stage pipeline runs at the pace of one stage per P: GOMAXPROCS 1 serialises, 3 overlaps the ' + 'stages',
    () => {
      const n = 200,
        ms = 0.1;
      // One P runs all 3n work items back to back.
      expect(pipeline(n, ms, 1, 16)).to.be.closeTo(3 * n * ms, 0.01);
      // Three Ps: fill and drain (2 items) plus n items at the bottleneck's pace, whatever the buffer.
      for (const capacity of [0, 1, 16])
        expect(pipeline(n, ms, 3, capacity), `capacity ${capacity}`).to.be.closeTo((n + 2) * ms, 0.05);
    },
  );

  it('unbuffered ping-pong costs two channel operations and two context switches per round trip on one P', () => {
    const n = 1000;
    const costs = { ...ZERO_COSTS, ctxSwitchNs: 200, chanOpNs: 50 };
    const t = once(
      [
        {
          spawn: {
            count: 1,
            wait: false,
            steps: [{ repeat: { count: n, steps: [{ recv: { chan: 'ping' } }, { send: { chan: 'pong' } }] } }],
          },
        },
        { repeat: { count: n, steps: [{ send: { chan: 'ping' } }, { recv: { chan: 'pong' } }] } },
      ],
      { gomaxprocs: 1, netpoll: 'always-polling', costs, channels: { ping: {}, pong: {} } },
    );
    // Per round trip: the pinger's send + the ponger's send complete without blocking (2 × 50 ns); each
    // side parks once in its receive and the other is switched in (2 × 200 ns).
    expect((t * 1e6) / n).to.be.closeTo(500, 5);
  });

  it("a full buffer parks the sender until a receive frees a slot (the parked sender's value fills it)", () => {
    // 5 senders; the receiver starts after 10 ms and takes one value per 1 ms of work. The parent waits
    // for the senders: the last one is released by receive number 5 − capacity. (The receiver is a
    // grandchild so that the parent's wait does not include it.)
    const receiver = [
      { sleep: { dist: 'constant', valueMs: 10 } },
      { repeat: { count: 5, steps: [{ recv: { chan: 'q' } }, cpu(1)] } },
    ];
    const senders = (capacity: number) =>
      once(
        [
          { spawn: { count: 1, wait: false, steps: [{ spawn: { count: 1, wait: false, steps: receiver } }] } },
          { spawn: { count: 5, wait: true, steps: [{ send: { chan: 'q' } }] } },
        ],
        { gomaxprocs: 2, netpoll: 'always-polling', costs: ZERO_COSTS, channels: { q: { capacity } } },
      );
    expect(senders(5)).to.be.closeTo(0, 0.01);
    expect(senders(2)).to.be.closeTo(12, 0.01);
    expect(senders(0)).to.be.closeTo(14, 0.01);
  });

  it('a parent parked on a channel is not woken when its spawned children finish', () => {
    // The child exits at once; its own child sends after 20 ms. The parent, parked in recv with no
    // children left, must wait for the value.
    const t = once(
      [
        {
          spawn: {
            count: 1,
            wait: false,
            steps: [
              {
                spawn: {
                  count: 1,
                  wait: false,
                  steps: [{ sleep: { dist: 'constant', valueMs: 20 } }, { send: { chan: 'done' } }],
                },
              },
            ],
          },
        },
        { recv: { chan: 'done' } },
      ],
      { gomaxprocs: 2, netpoll: 'always-polling', costs: ZERO_COSTS, channels: { done: {} } },
    );
    expect(t).to.be.closeTo(20, 0.1);
  });

  it('an undeclared channel is an error naming the step and the declared channels', () => {
    const bad = () =>
      parseScenario(
        JSON.stringify({
          workload: { request: { steps: [{ spawn: { count: 1, steps: [{ send: { chan: 'jbos' } }] } }] } },
          runtime: { channels: { jobs: {} } },
        }),
        'bad.json',
      );
    expect(bad).to.throw(
      ScenarioError,
      /workload\.request\.steps\[0\]\.spawn\.steps\[0\]\.send\.chan: expected one of "jobs", found "jbos"/,
    );
  });

  it('repeat unrolls into the program, with a limit on its size', () => {
    const big = () =>
      parseScenario(
        JSON.stringify({
          workload: {
            request: { steps: [{ repeat: { count: 2000, steps: [{ repeat: { count: 2000, steps: [cpu(1)] } }] } }] },
          },
        }),
        'big.json',
      );
    expect(big).to.throw(
      ScenarioError,
      /workload\.request\.steps: expected at most 2,000,000 steps once repeats are unrolled, found 4,000,000/,
    );
    expect(once([{ repeat: { count: 7, steps: [cpu(1)] } }], { gomaxprocs: 1, costs: ZERO_COSTS })).to.be.closeTo(
      7,
      0.01,
    );
  });
});

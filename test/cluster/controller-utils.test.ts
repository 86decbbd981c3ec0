import { expect } from 'chai';
import {
  activePodsLess,
  type DeletionCandidate,
  getPodsToDelete,
  logarithmicRankDiff,
  type RankedPod,
} from '../../src/cluster/controller-utils.js';

/**
 * The ReplicaSet's deletion order, as Kubernetes' TestSortingActivePodsWithRanks and TestSortingActivePods
 * (pkg/controller/controller_utils_test.go) state it: pods named as there, each pair "lesser is deleted
 * first", with LogarithmicScaleDown on (its default). Times as in the test: now, 2, 5 and 8 hours ago, a
 * month ago.
 */
const NOW_NS = 40 * 86_400e9; // 40 days into the run, so "a month ago" is a time of the run
const ago = (s: number) => NOW_NS - s * 1e9;
const MONTH = 30 * 86_400;
const HOUR = 3600;

type Named = DeletionCandidate & { name: string };
let uid = 1000;
function pod(name: string, p: Partial<DeletionCandidate> = {}): Named {
  const base = { node: 0, running: true, ready: true, readyNs: ago(0), restarts: 0, createdNs: ago(0) };
  return { name, ...base, uid: uid++, ...p };
}
const r = (p: DeletionCandidate, rank: number): RankedPod => ({ pod: p, rank });

const unscheduled = pod('unscheduled', { node: -1, running: false, ready: false, readyNs: NaN });
const pending = pod('pending', { running: false, ready: false, readyNs: NaN });
const notReady = pod('not-ready', { ready: false, readyNs: NaN });
const readyNow = pod('ready-now');
const readyThen = pod('ready-then', { readyNs: ago(MONTH), createdNs: ago(MONTH) });
const readyHighRestarts = pod('ready-high-restarts', { restarts: 9001 });
const readyNowCreatedThen = pod('ready-now-created-then', { createdNs: ago(MONTH) });
const UNSCHEDULED = { node: -1, running: false, ready: false, readyNs: NaN };
const unscheduled5Hours = pod('unscheduled-5-hours', { ...UNSCHEDULED, createdNs: ago(5 * HOUR) });
const unscheduled8Hours = pod('unscheduled-10-hours', { ...UNSCHEDULED, createdNs: ago(8 * HOUR) });
const ready2Hours = pod('ready-2-hours', { readyNs: ago(2 * HOUR), createdNs: ago(MONTH) });
const ready5Hours = pod('ready-5-hours', { readyNs: ago(5 * HOUR), createdNs: ago(MONTH) });
const ready8Hours = pod('ready-10-hours', { readyNs: ago(8 * HOUR), createdNs: ago(MONTH) });

describe('ReplicaSet deletion order (controller.ActivePodsWithRanks, getPodsToDelete)', () => {
  // TestSortingActivePodsWithRanks' inequalityTests (the pod-deletion-cost ones aside: no annotations here).
  const inequality: Array<[RankedPod, RankedPod]> = [
    [r(unscheduled, 1), r(pending, 2)],
    [r(unscheduled, 2), r(pending, 1)],
    [r(pending, 1), r(notReady, 2)],
    [r(notReady, 1), r(readyNow, 1)],
    [r(readyNow, 1), r(readyThen, 1)],
    [r(readyNow, 2), r(readyThen, 1)],
    [r(readyHighRestarts, 1), r(readyNow, 1)],
    [r(readyNow, 2), r(readyHighRestarts, 1)],
    [r(readyNow, 1), r(readyNowCreatedThen, 1)],
    [r(readyNowCreatedThen, 2), r(readyNow, 1)],
    [r(ready2Hours, 1), r(ready5Hours, 1)],
  ];
  for (const [a, b] of inequality) {
    it(`Less: ${(a.pod as Named).name} (rank ${a.rank}) before ${(b.pod as Named).name} (rank ${b.rank})`, () => {
      expect(activePodsLess(a, b, NOW_NS), 'lesser first').to.equal(true);
      expect(activePodsLess(b, a, NOW_NS), 'greater not first').to.equal(false);
    });
  }

  // equalityTests: a pod with itself, and ages in the same log2 bucket — which then go by UID alone.
  const sameBucket: Array<[Named, Named]> = [
    [unscheduled5Hours, unscheduled8Hours],
    [ready5Hours, ready8Hours],
  ];
  for (const p of [unscheduled, pending, notReady, readyNowCreatedThen, readyNow, readyThen, readyHighRestarts]) {
    it(`Less: ${p.name} is equivalent to itself`, () => {
      expect(activePodsLess(r(p, 1), r(p, 1), NOW_NS)).to.equal(false);
    });
  }
  for (const [a, b] of sameBucket) {
    it(`Less: ${a.name} and ${b.name} share a log2 age bucket, so the UID decides`, () => {
      expect(logarithmicRankDiff(a.readyNs || a.createdNs, b.readyNs || b.createdNs, NOW_NS)).to.equal(0);
      const lo = a.uid < b.uid ? a : b;
      const hi = lo === a ? b : a;
      expect(activePodsLess(r(lo, 1), r(hi, 1), NOW_NS)).to.equal(true);
      expect(activePodsLess(r(hi, 1), r(lo, 1), NOW_NS)).to.equal(false);
    });
  }

  it('metav1.Time has one-second resolution: pods Ready in the same second compare by what follows', () => {
    const a = pod('ready-at-100.2s', { readyNs: 100.2e9, createdNs: 0, restarts: 1 });
    const b = pod('ready-at-100.9s', { readyNs: 100.9e9, createdNs: 0 });
    expect(activePodsLess(r(a, 1), r(b, 1), 200e9)).to.equal(true); // same second: more restarts first
  });

  it(
    'TestSortingActivePods: getPodsToDelete takes the first diff pods in order, whatever order the lister ' + 'gave',
    () => {
      const want = ['unscheduled', 'pending', 'not-ready', 'ready-high-restarts', 'ready-2-hours', 'ready-then'];
      const all = [readyThen, ready2Hours, readyHighRestarts, notReady, pending, unscheduled];
      for (const order of [all, [...all].reverse()]) {
        expect(getPodsToDelete(order, 6, NOW_NS).map((p) => p.name)).to.deep.equal(want);
        expect(getPodsToDelete(order, 2, NOW_NS).map((p) => p.name)).to.deep.equal(want.slice(0, 2));
      }
    },
  );

  it('getPodsToDelete ranks by pods on the same node: the crowded node loses a pod first', () => {
    const a = pod('alone-on-node-1', { node: 1, readyNs: ago(MONTH), createdNs: ago(MONTH) });
    const b = pod('crowded-1', { node: 2, readyNs: ago(MONTH), createdNs: ago(MONTH) });
    const c = pod('crowded-2', { node: 2, readyNs: ago(MONTH), createdNs: ago(MONTH) });
    expect(
      getPodsToDelete([a, b, c], 2, NOW_NS)
        .map((p) => p.name)
        .sort(),
    ).to.deep.equal(['crowded-1', 'crowded-2']);
  });
});

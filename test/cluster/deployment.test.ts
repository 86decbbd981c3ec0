import { expect } from 'chai';
import { activePodsLess, getPodsToDelete, type DeletionCandidate } from '../../src/cluster/deployment.js';

/**
 * The ReplicaSet's deletion order, as Kubernetes' TestSortingActivePodsWithRanks and TestSortingActivePods
 * (pkg/controller/controller_utils_test.go) state it: named pods, each pair "lesser is deleted first".
 */
const NOW_NS = 40 * 86_400e9; // 40 days into the run, so "a month ago" is a time of the run
const S = 1e9;
const ago = (s: number) => NOW_NS - s * S;
const MONTH = 30 * 86_400;

let next = 0;
function pod(name: string, p: Partial<DeletionCandidate> = {}): DeletionCandidate & { name: string } {
  return { name, index: next++, running: true, ready: true, readyNs: ago(0), createdNs: ago(0), ...p };
}

const unscheduled = pod('unscheduled', { running: false, ready: false, readyNs: NaN });
const pending = pod('pending', { running: false, ready: false, readyNs: NaN });
const notReady = pod('not-ready', { ready: false, readyNs: NaN });
const readyNow = pod('ready-now');
const readyThen = pod('ready-then', { readyNs: ago(MONTH), createdNs: ago(MONTH) });
const readyNowCreatedThen = pod('ready-now-created-then', { createdNs: ago(MONTH) });
const ready2Hours = pod('ready-2-hours', { readyNs: ago(2 * 3600), createdNs: ago(MONTH) });
const ready5Hours = pod('ready-5-hours', { readyNs: ago(5 * 3600), createdNs: ago(MONTH) });

describe('ReplicaSet deletion order (controller.ActivePodsWithRanks, getPodsToDelete)', () => {
  const lesser: Array<[string, DeletionCandidate, DeletionCandidate]> = [
    ['PodPending < PodRunning', pending, notReady],
    ['not ready < ready', notReady, readyNow],
    ['ready for less time < ready for longer', readyNow, readyThen],
    ['2 hours ready < 5 hours ready', ready2Hours, ready5Hours],
    ['same ready time: newer < older creation', readyNow, readyNowCreatedThen],
  ];
  for (const [name, a, b] of lesser) {
    it(`Less: ${name}`, () => {
      expect(activePodsLess(a, b), 'a before b').to.equal(true);
      expect(activePodsLess(b, a), 'b not before a').to.equal(false);
    });
  }

  it('getPodsToDelete takes the first diff pods in that order, whatever order the lister gave', () => {
    const all = [readyThen, readyNow, pending, notReady, ready5Hours, unscheduled];
    for (const order of [all, [...all].reverse()]) {
      const names = getPodsToDelete(order, 3).map((p) => (p as { name: string }).name);
      expect(names.slice(0, 2).sort()).to.deep.equal(['pending', 'unscheduled']);
      expect(names[2]).to.equal('not-ready');
    }
  });
});

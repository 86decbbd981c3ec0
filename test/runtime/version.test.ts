import { expect } from 'chai';
import { defaultGomaxprocs, GO_FEATURES, GO_VERSIONS, type GoVersion } from '../../src/runtime/version.js';
import { RuntimeSchema } from '../../src/scenario/schema.js';

describe('Go versions (runtime/version.ts: one row per version)', () => {
  const cases: { name: string; v: GoVersion; host: number; limit?: number; want: number }[] = [
    {
      name: '1.19 ignores the CPU limit (runtime.getproccount: sched_getaffinity)',
      v: '1.19',
      host: 8,
      limit: 2,
      want: 8,
    },
    { name: '1.19 without a limit: the host CPUs', v: '1.19', host: 4, want: 4 },
    { name: '1.25 with a limit: ceil(limit) (cgroup-aware GOMAXPROCS)', v: '1.25', host: 8, limit: 2.5, want: 3 },
    { name: '1.25 with a limit below 2: at least 2', v: '1.25', host: 8, limit: 0.5, want: 2 },
    { name: '1.25 with a limit above the host: the host CPUs', v: '1.25', host: 4, limit: 16, want: 4 },
    { name: '1.25 without a limit: the host CPUs', v: '1.25', host: 6, want: 6 },
  ];
  for (const c of cases) {
    it(`defaultGomaxprocs: ${c.name}`, () => expect(defaultGomaxprocs(c.v, c.host, c.limit)).to.equal(c.want));
  }

  it('every version has a feature row, and the scenario schema accepts exactly those versions', () => {
    expect(Object.keys(GO_FEATURES).sort()).to.deep.equal([...GO_VERSIONS].sort());
    for (const v of GO_VERSIONS) expect(RuntimeSchema.parse({ goVersion: v }).goVersion).to.equal(v);
    expect(RuntimeSchema.safeParse({ goVersion: '1.20' }).success).to.equal(false);
    expect(RuntimeSchema.parse({}).goVersion).to.equal('1.19');
  });

  it('the newer spinning protocol and schedtrace format come with 1.25 only', () => {
    expect(GO_FEATURES['1.19']).to.deep.equal({ needspinning: false, cgroupGomaxprocs: false, schedtraceNil: false });
    expect(GO_FEATURES['1.25']).to.deep.equal({ needspinning: true, cgroupGomaxprocs: true, schedtraceNil: true });
  });
});

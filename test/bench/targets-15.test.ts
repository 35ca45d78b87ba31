import { issue15Targets, type TargetInputs } from '../../bench/targets-15';

/** A run where every figure is given: cpu/rps per config, the same in every cell. */
function inputs(over: {
  cpu?: Record<string, number>;
  rps?: Record<string, number>;
  first?: [number, number];
  peak?: number;
  flags?: string;
}): TargetInputs {
  const cpu = { proxy: 0.5, 'proxy-noanalysis': 0.45, 'bare-mitm-ka': 1, ...over.cpu };
  const rps = { proxy: 5000, mitmdump: 1000, ...over.rps };
  return {
    cpu: (_cell, config) => (cpu as Record<string, number>)[config] ?? NaN,
    rps: (_cell, config) => (rps as Record<string, number>)[config] ?? NaN,
    first: (i) => (over.first ?? [20, 5])[i],
    peakRssMb: over.peak ?? 120,
    soak: { target: 100_000, done: 100_000, rssAfterMb: 110, peakMb: over.peak ?? 120 },
    proxyNodeFlags: over.flags ?? '',
  };
}

const status = (t: ReturnType<typeof issue15Targets>, part: string) =>
  t.filter((x) => x.name.includes(part)).map((x) => x.met);

describe('issue 15 targets, computed from the data', () => {
  it('a run that meets every target says so for every row, each generator and the storm included', () => {
    const t = issue15Targets(inputs({}));
    expect(t.length).toBeGreaterThanOrEqual(22);
    expect(t.every((x) => x.met === true)).toBe(true);
    expect(status(t, 'raw-tls')).toHaveLength(8);
    expect(status(t, 'failure storm, ')).toHaveLength(4);
  });

  it('each threshold flips its row: CPU vs bare keep-alive, analysis cost healthy and in the storm, mitmdump, first, RSS', () => {
    expect(status(issue15Targets(inputs({ cpu: { 'bare-mitm-ka': 0.8 } })), '0.6×')).toEqual([
      false,
      false,
      false,
      false,
    ]);
    // +20 %: over 15 % on healthy traffic, within 40 % in the storm
    const t = issue15Targets(inputs({ cpu: { proxy: 0.54 } }));
    expect(status(t, 'healthy')).toEqual([false, false, false, false]);
    expect(status(t, 'failure storm, ')).toEqual([true, true, true, true]);
    expect(status(issue15Targets(inputs({ rps: { proxy: 3900 } })), '4× mitmdump')).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(status(issue15Targets(inputs({ first: [31, 11] })), 'never-seen')).toEqual([false, false]);
    expect(status(issue15Targets(inputs({ peak: 151 })), 'peak RSS')).toEqual([false, false]);
  });

  it('the CPU rows show the Node floor beside the library when it was measured, and only then', () => {
    const cpuRows = (t: ReturnType<typeof issue15Targets>) => t.filter((x) => x.name.includes('0.6×'));
    const withFloor = cpuRows(issue15Targets(inputs({ cpu: { 'node-floor': 0.45 } })));
    expect(withFloor).toHaveLength(4);
    for (const row of withFloor)
      expect(row.value).toBe('0.50× (0.50 vs 1.00 ms; Node floor 0.45 ms = 0.45×)');
    for (const row of cpuRows(issue15Targets(inputs({})))) expect(row.value).not.toContain('floor');
  });

  it('a configuration not measured (no mitmdump, BENCH_ONLY) is "not measured", never met', () => {
    const t = issue15Targets(inputs({ rps: { mitmdump: NaN } }));
    expect(status(t, 'mitmdump').every((m) => m === undefined)).toBe(true);
  });

  it('RSS measured with node flags given to the proxy is not the bin without flags: "not measured", even when low', () => {
    const t = issue15Targets(inputs({ peak: 90, flags: '--max-semi-space-size=2' }));
    expect(status(t, 'peak RSS')).toEqual([undefined, undefined]);
    expect(t.find((x) => x.name.includes('every workload'))!.value).toContain('--max-semi-space-size=2');
  });
});

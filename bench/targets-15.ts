/**
 * The targets of issue 15, each computed from the run's data (never stated by hand): met, not
 * met, or not measured (a configuration or cell missing, e.g. BENCH_ONLY or no mitmdump).
 * The issue asks for them to hold in three consecutive runs: one report states one run.
 */
export interface Target {
  name: string;
  value: string;
  met: boolean | undefined;
}

export interface TargetInputs {
  /** Median req/s of a configuration in a cell (NaN when not measured). */
  rps(cell: string, config: string): number;
  /** Median proxy CPU ms per request (NaN when not measured). */
  cpu(cell: string, config: string): number;
  /** Median first-response ms of this proxy for the 1st (0) and 2nd (1) never-seen host. */
  first(i: 0 | 1): number;
  /** Peak RSS (VmHWM) of this proxy over every workload, the storm included, and the soak. */
  peakRssMb: number;
  soak: { target: number; done: number; rssAfterMb: number; peakMb: number };
  /** Node flags this proxy was started with (BENCH_PROXY_NODE_FLAGS); the RSS targets need none. */
  proxyNodeFlags: string;
}

const GENERATORS = [
  ['undici', ''],
  ['raw-tls', 'raw-tls '],
] as const;

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

function judged(ok: boolean, ...inputs: number[]): boolean | undefined {
  return inputs.every(Number.isFinite) ? ok : undefined;
}

export function issue15Targets(d: TargetInputs): Target[] {
  const t: Target[] = [];
  for (const [gen, prefix] of GENERATORS) {
    for (const body of ['small', 'large']) {
      const cell = `${prefix}ka ${body} c16`;
      const a = d.rps(cell, 'proxy');
      const m = d.rps(cell, 'mitmdump');
      t.push({
        name: `keep-alive ${body} c16, ${gen}: ≥ 4× mitmdump`,
        value: `${fmt(a / m)}× (${fmt(a, 0)} vs ${fmt(m, 0)} req/s)`,
        met: judged(a / m >= 4, a, m),
      });
    }
  }
  for (const [gen, prefix] of GENERATORS) {
    for (const body of ['small', 'large']) {
      const cell = `${prefix}ka ${body} c16`;
      const p = d.cpu(cell, 'proxy');
      const b = d.cpu(cell, 'bare-mitm-ka');
      // What any Node relay costs (node:http both ways, nothing else): the room the target leaves.
      const f = d.cpu(cell, 'node-floor');
      const floor =
        Number.isFinite(f) && Number.isFinite(b) ? `; Node floor ${fmt(f)} ms = ${fmt(f / b)}×` : '';
      t.push({
        name: `keep-alive ${body} c16, ${gen}: CPU/request with analysis ≤ 0.6× bare http-mitm-proxy with keepAlive`,
        value: `${fmt(p / b)}× (${fmt(p)} vs ${fmt(b)} ms${floor})`,
        met: judged(p <= 0.6 * b, p, b),
      });
    }
  }
  for (const [storm, limit] of [
    ['', 0.15],
    ['storm ', 0.4],
  ] as const) {
    for (const [gen, prefix] of GENERATORS) {
      for (const body of ['small', 'large']) {
        const cell = `${storm}${prefix}ka ${body} c16`;
        const p = d.cpu(cell, 'proxy');
        const r = d.cpu(cell, 'proxy-noanalysis');
        t.push({
          name: `${storm ? 'failure storm' : 'healthy'}, keep-alive ${body} c16, ${gen}: analysis + log add ≤ ${limit * 100} % to relay-only CPU/request`,
          value: `+${fmt((p / r - 1) * 100, 0)} % (${fmt(p)} vs ${fmt(r)} ms)`,
          met: judged(p <= (1 + limit) * r, p, r),
        });
      }
    }
  }
  for (const body of ['small', 'large']) {
    const cell = `new ${body} c16`;
    const a = d.rps(cell, 'proxy');
    const m = d.rps(cell, 'mitmdump');
    t.push({
      name: `new connection per request ${body} c16: ≥ 2.5× mitmdump`,
      value: `${fmt(a / m)}× (${fmt(a, 0)} vs ${fmt(m, 0)} req/s)`,
      met: judged(a / m >= 2.5, a, m),
    });
  }
  const [f1, f2] = [d.first(0), d.first(1)];
  t.push({
    name: 'first response for a never-seen host ≤ 30 ms',
    value: `${fmt(f1, 1)} ms`,
    met: judged(f1 <= 30, f1),
  });
  t.push({ name: 'a second never-seen host ≤ 10 ms', value: `${fmt(f2, 1)} ms`, met: judged(f2 <= 10, f2) });
  // Started with node flags, the run says nothing about the bin as users start it: not measured.
  const flags = d.proxyNodeFlags.trim();
  const asBin = flags === '' ? '' : ` (started with \`${flags}\`: not the bin without flags)`;
  t.push({
    name: 'peak RSS ≤ 150 MB in every workload, the failure storm included (started as the bin, no node flags)',
    value: `${fmt(d.peakRssMb, 0)} MB${asBin}`,
    met: flags === '' ? judged(d.peakRssMb <= 150, d.peakRssMb) : undefined,
  });
  const s = d.soak;
  t.push({
    name: `peak RSS ≤ 150 MB after a ${s.target}-exchange soak (started as the bin, no node flags)`,
    value: `${fmt(s.rssAfterMb, 0)} MB after ${s.done} exchanges, peak ${fmt(s.peakMb, 0)} MB${asBin}`,
    met:
      flags === ''
        ? judged(s.rssAfterMb <= 150 && s.peakMb <= 150 && s.done >= s.target, s.rssAfterMb, s.peakMb)
        : undefined,
  });
  return t;
}

export function targetRows(targets: Target[]): string[] {
  return [
    '| target | measured in this run | status |',
    '|---|---|---|',
    ...targets.map(
      (x) =>
        `| ${x.name} | ${x.value} | ${x.met === undefined ? 'not measured' : x.met ? 'met' : '**not met**'} |`,
    ),
  ];
}

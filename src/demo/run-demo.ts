/**
 * `appinsights-auth-proxy demo`: the fake Entra-only resource, the proxy, and real SDK traffic over
 * the common failures, shown as the readable log a user would read, then a summary.
 *
 * Nothing may leave the machine. The SDKs' telemetry and token requests go through the proxy, and
 * the proxy sends every host name to the fake (a wildcard `--resolve`), so those stay local in any
 * case. What a proxy cannot stop are the exporter's direct connections to Azure IMDS
 * (169.254.169.254, for statsbeat); so when we can (root with `unshare`) the whole demo runs in a
 * private network namespace that has only loopback, and in every case the app runs with
 * APPLICATION_INSIGHTS_NO_STATSBEAT=true, the one setting that stops those connections (in the
 * namespace it only keeps statsbeat's extra exchanges out of a newcomer's view).
 */
import type { Writable } from 'node:stream';
import { formatLogLine } from '../sinks/pretty';
import { describeOutcome, DEMO_STEPS } from './demo-steps';
import { startStack, type Stack } from './stack';
import type { Step, StepResult } from './steps';

export interface DemoOptions {
  out: Writable;
  color: boolean;
  /** How the demo is isolated, for the header. */
  isolation: 'netns' | 'resolve-only';
  steps?: Step[];
  /** The whole demo must end within this many milliseconds (default 55 s). */
  deadlineMs?: number;
}

export interface DemoSummary {
  results: StepResult[];
  distinctFindings: string[];
  totalMs: number;
}

const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Problem findings (warning or error) of a step, in order. */
function problemFindings(result: StepResult): { id: string; title: string; fix?: string }[] {
  const seen = new Set<string>();
  const found: { id: string; title: string; fix?: string }[] = [];
  for (const line of result.lines) {
    for (const f of (line.findings ?? []) as Record<string, any>[]) {
      if ((f.severity !== 'error' && f.severity !== 'warning') || seen.has(f.id)) continue;
      seen.add(f.id);
      const fix = Array.isArray(f.guidance?.fix) ? String(f.guidance.fix[0]) : undefined;
      found.push({ id: String(f.id), title: String(f.title ?? ''), fix });
    }
  }
  return found;
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const { out, color } = options;
  const bold = (t: string) => (color ? `${BOLD}${t}${RESET}` : t);
  const dim = (t: string) => (color ? `${DIM}${t}${RESET}` : t);
  const write = (text = '') => out.write(`${text}\n`);
  const steps = options.steps ?? DEMO_STEPS;
  const started = Date.now();
  const deadline = started + (options.deadlineMs ?? 55000);

  write(bold('appinsights-auth-proxy demo'));
  write(
    'A fake Application Insights resource with local auth disabled (Entra ID only) and its Entra tenant,',
  );
  write('the proxy in front of it, and an app using the real Azure SDKs through HTTPS_PROXY.');
  write(
    dim(
      options.isolation === 'netns'
        ? 'Isolation: a private network namespace with only loopback; nothing can leave this machine.'
        : 'Isolation: every name the proxy connects to is resolved to the local fake, and statsbeat (the only direct connection) is off.',
    ),
  );

  const stack: Stack = await startStack({ noStatsbeat: true });
  const results: StepResult[] = [];
  try {
    write(
      dim(
        `Fake service: https://127.0.0.1:${stack.fake.port} (answers every Azure host name). ` +
          `Proxy: 127.0.0.1:${stack.proxy.address.port}, CA ${stack.proxyCaPath}`,
      ),
    );
    const guidanceShown = new Set<string>();
    for (const [index, step] of steps.entries()) {
      if (Date.now() > deadline) {
        write(`Stopping: the demo ran out of time before "${step.title}".`);
        break;
      }
      write();
      write(bold(`── ${index + 1}/${steps.length} ${step.title} ──`));
      if (step.explain) write(dim(step.explain));
      const result = await stack.run({ timeoutMs: 15000, ...step });
      results.push(result);
      const output = step.action.kind === 'command' ? result.outcome.detail?.stdout : undefined;
      if (typeof output === 'string' && output.trim()) {
        write(dim('  what the command printed:'));
        for (const text of output.trimEnd().split('\n')) write(`  │ ${text}`);
        write(dim('  what the proxy logged meanwhile:'));
      }
      for (const line of result.lines) {
        // Exchanges, tunnels, and the findings across exchanges (their own lines).
        if (!line.exchange && !line.tunnel && !line.traffic) continue;
        const text = formatLogLine(line, { color, onlyFindings: false, guidanceShown });
        if (text) write(text);
      }
      write(dim(`  → ${describeOutcome(step, result.outcome)}`));
    }
  } finally {
    await stack.close();
  }

  const totalMs = Date.now() - started;
  const distinct = [...new Set(results.flatMap((r) => problemFindings(r).map((f) => f.id)))];
  write();
  write(bold('Summary'));
  for (const result of results) {
    const findings = problemFindings(result);
    if (findings.length === 0) {
      write(`  ${result.title.padEnd(42)} no problem found`);
      continue;
    }
    const [first, ...rest] = findings;
    write(
      `  ${result.title.padEnd(42)} ${first!.id}${rest.length ? ` (+ ${rest.map((f) => f.id).join(', ')})` : ''}`,
    );
    if (first!.fix) write(dim(`  ${''.padEnd(42)} fix: ${first!.fix}`));
  }
  write();
  write(
    `${results.length} scenarios, ${distinct.length} distinct findings, ${(totalMs / 1000).toFixed(1)} s. ` +
      'The fake, the proxy and the app have stopped.',
  );
  write(
    'Try it on your own app: appinsights-auth-proxy start, then HTTPS_PROXY and the CA as shown in its first line.',
  );
  return { results, distinctFindings: distinct, totalMs };
}

import { allGuidance, diagnose } from '../../src/diagnosis';
import { guidanceFor } from '../../src/diagnosis/guidance';
import {
  expandGuidance,
  GuidanceOnce,
  isGuidanceRef,
  type LogGuidance,
  rebuildGuidance,
} from '../../src/diagnosis/guidance-ref';
import type { Finding, Runtime } from '../../src/model/finding';
import type { ExchangeLogLine } from '../../src/model/log-line';
import { memoryLogger } from '../helpers/memory-logger';
import { logSink } from '../../src/sinks/exchange-sink';
import {
  exchange,
  failedExchange,
  fromSender,
  NOW,
  response,
  SENDERS,
  withoutToken,
} from '../fixtures/exchanges';
import { options } from './helpers';

const RUNTIMES: (Runtime | undefined)[] = [undefined, 'java', 'node', 'python', 'dotnet', 'curl'];
// A CA path as a user's home can make it: spaces, quotes, a backslash (Windows), non-ASCII.
const CA_PATHS = [
  undefined,
  '/home/dev/.appinsights-auth-proxy/ca.pem',
  'C:\\Users\\Zoë O"Neil\\proxy ca.pem',
];

/** The real logger (its output redaction and all) writing into memory, with the log sink on top. */
function memoryLog(mode: LogGuidance) {
  const { logger, text } = memoryLogger();
  const sink = logSink(logger, 'failures', mode);
  return {
    write: (line: ExchangeLogLine) => sink.write(line),
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

function lineWith(findings: Finding[]): ExchangeLogLine {
  return { msg: 'POST /v2.1/track 401', exchange: exchange({ response: response(401) }), findings };
}

describe('guidance by reference in the log', () => {
  it('every catalog entry, runtime and CA path: first line full, second a reference, rebuilt byte for byte', () => {
    const log = memoryLog('first');
    let cases = 0;
    for (const entry of allGuidance()) {
      for (const runtime of RUNTIMES) {
        for (const caCertPath of CA_PATHS) {
          const finding = (): Finding => ({
            id: entry.id,
            severity: entry.severity,
            title: `${entry.title} (this exchange)`,
            evidence: { status: 401, path: '/v2.1/track' },
            guidance: guidanceFor(entry, runtime, { caCertPath }),
          });
          log.write(lineWith([finding()]));
          log.write(lineWith([finding()]));
          cases += 1;
        }
      }
    }
    const lines = log.lines();
    expect(lines).toHaveLength(cases * 2);
    // (Read before the readers expand the lines in place.)
    const written = lines.flatMap((l) =>
      l.findings
        .filter((f: Finding) => !isGuidanceRef(f.guidance))
        .map((f: Finding) => JSON.stringify(f.guidance)),
    );
    const seen = new Set<string>();
    for (let i = 0; i < lines.length; i += 2) {
      const [first, second] = [lines[i].findings[0], lines[i + 1].findings[0]];
      const wasRef = isGuidanceRef(first.guidance);
      const text = JSON.stringify(expandGuidance(lines[i]).findings[0].guidance);
      // Identical text (an entry that does not show the CA path) is written in full only once.
      expect(wasRef).toBe(seen.has(text));
      seen.add(text);
      expect(second.guidance).toEqual(expect.objectContaining({ ref: second.id }));
      expect(second.guidance).not.toHaveProperty('why');
      // Still self-describing: id, title, severity, evidence.
      expect(second).toEqual(
        expect.objectContaining({ id: first.id, title: first.title, severity: first.severity }),
      );
      expect(second.evidence).toEqual(first.evidence);
      expect(JSON.stringify(expandGuidance(lines[i + 1]).findings[0].guidance)).toBe(text);
    }
    // The full texts in the log are exactly the distinct texts, each once, and what references rebuild.
    expect(new Set(written)).toEqual(seen);
    expect(written).toHaveLength(seen.size);
  });

  it('the CA path and the runtime travel in the reference, so the rebuilt steps name them', () => {
    const entry = allGuidance().find((e) => e.id === 'CLIENT_DOES_NOT_TRUST_PROXY_CA')!;
    const caCertPath = CA_PATHS[2]!;
    const log = memoryLog('first');
    for (let i = 0; i < 2; i++)
      log.write(
        lineWith([
          {
            id: entry.id,
            severity: 'error',
            title: 't',
            evidence: {},
            guidance: guidanceFor(entry, 'java', { caCertPath }),
          },
        ]),
      );
    const [first, second] = log.lines().map((l) => l.findings[0]);
    expect(second.guidance).toEqual({ ref: entry.id, runtime: 'java', caCertPath });
    const rebuilt = rebuildGuidance(second.guidance)!;
    expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(first.guidance));
    expect(rebuilt.runtimeFix!.join('\n')).toContain(caCertPath);
  });

  it('fixtures through diagnose: every sender, with and without a CA path; a line holds several findings', () => {
    const log = memoryLog('first');
    const written: ExchangeLogLine[] = [];
    for (const caCertPath of CA_PATHS) {
      for (const sender of SENDERS) {
        for (let repeat = 0; repeat < 2; repeat++) {
          for (const ex of [
            exchange({ request: fromSender(sender, withoutToken()), response: response(401) }),
            failedExchange('CLIENT_TLS_REJECTED'),
          ]) {
            const { analysis, findings } = diagnose(ex, options({ caCertPath, now: NOW }));
            const line = { msg: 'm', exchange: ex, analysis, findings };
            written.push(line);
            log.write(line);
          }
        }
      }
    }
    const lines = log.lines();
    expect(lines.length).toBe(written.length);
    const refs = lines.flatMap((l) => l.findings).filter((f: Finding) => isGuidanceRef(f.guidance));
    expect(refs.length).toBeGreaterThan(written.length / 2);
    for (const [i, line] of lines.entries()) {
      const expanded = expandGuidance(line);
      // The rebuilt text is what the full form of the same finding is, once masked for output.
      const full = memoryLog('full');
      full.write(written[i]!);
      expect(JSON.stringify(expanded.findings)).toBe(JSON.stringify(full.lines()[0].findings));
    }
  });

  it('--log-guidance full: every line carries the full text', () => {
    const log = memoryLog('full');
    const ex = exchange({ request: withoutToken(), response: response(401) });
    for (let i = 0; i < 3; i++)
      log.write({ msg: 'm', exchange: ex, findings: diagnose(ex, options()).findings });
    const findings = log.lines().flatMap((l) => l.findings);
    expect(findings.length).toBeGreaterThanOrEqual(3);
    for (const f of findings) expect(isGuidanceRef(f.guidance)).toBe(false);
  });

  it('a reference to an entry this version does not know is left as it is; malformed ones are not references', () => {
    const line = { findings: [{ id: 'FUTURE_ID', guidance: { ref: 'FUTURE_ID' } }] };
    expect(expandGuidance(line).findings[0]!.guidance).toEqual({ ref: 'FUTURE_ID' });
    expect(isGuidanceRef({ ref: 'TOKEN_EXPIRED', runtime: 'cobol' })).toBe(false);
    expect(isGuidanceRef({ ref: 'TOKEN_EXPIRED', why: 'x' })).toBe(false);
    expect(isGuidanceRef(null)).toBe(false);
  });

  it('guidance not built from the catalog (a custom analyzer) is always written in full', () => {
    const once = new GuidanceOnce('first');
    const custom: Finding = {
      id: 'TOKEN_EXPIRED',
      severity: 'error',
      title: 't',
      evidence: {},
      guidance: { why: 'custom', fix: ['x'], learnMore: [] },
    };
    expect(once.findings([custom])[0]).toBe(custom);
    expect(once.findings([custom])[0]).toBe(custom);
  });
});

import { ShutdownMarker } from '../../src/sinks/shutdown-marker';
import { exchange, finding, logLine } from './fixtures';

/** Which lines the shutdown marks: only exchanges in flight when it began (real run: crash-safety.test.ts). */
describe('ShutdownMarker', () => {
  const start = Date.parse('2025-01-02T03:04:05.678Z');
  const failed = (total: number) =>
    logLine({
      level: 'error',
      exchange: {
        ...exchange(),
        response: undefined,
        error: { kind: 'UPSTREAM_RESET', message: 'socket hang up' },
        timings: { start, total },
      },
      findings: [finding('UPSTREAM_UNREACHABLE', 'error'), finding('TOKEN_MISSING', 'error')],
    }) as any;

  it('marks a failure that ended after the shutdown began, and drops the findings that blame the network', () => {
    const marker = new ShutdownMarker();
    marker.begin(start + 100);
    const line = marker.mark(failed(150));
    expect(line.interruptedByShutdown).toBe(true);
    expect(line.msg).toContain('cut short: the proxy was stopping');
    expect(line.findings.map((f) => f.id)).toEqual(['TOKEN_MISSING']);
  });

  it('leaves alone: lines before the shutdown, failures that ended before it, completed exchanges', () => {
    const marker = new ShutdownMarker();
    expect(marker.mark(failed(150))).toEqual(failed(150));
    marker.begin(start + 100);
    expect(marker.mark(failed(50)).interruptedByShutdown).toBeUndefined();
    expect(marker.mark(logLine() as any).interruptedByShutdown).toBeUndefined();
  });
});

import { Writable } from 'node:stream';
import { measureAnalysisCost } from '../../bench/analysis-cost';

/** The log the harness writes, line by line. */
function collectingLog() {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const lines = () =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  return { destination, lines };
}

describe('npm run bench:analysis measures the analysis it says it does', () => {
  it('healthy: every exchange reaches the log as a 200 without findings, and the CPU of each tenth is measured', async () => {
    const log = collectingLog();
    const cost = await measureAnalysisCost({ count: 100, storm: false, destination: log.destination });
    const exchanges = log.lines().filter((l) => l.exchange);
    expect(exchanges).toHaveLength(100);
    expect(exchanges.every((l) => l.exchange.response.status === 200 && l.findings.length === 0)).toBe(true);
    expect(cost.perTenth).toHaveLength(10);
    expect(cost.perTenth.every((us) => Number.isFinite(us) && us > 0)).toBe(true);
    expect(cost.medianUs).toBe([...cost.perTenth.slice(1)].sort((a, b) => a - b)[4]);
  });

  it('--storm: every exchange draws TOKEN_EXPIRED', async () => {
    const log = collectingLog();
    await measureAnalysisCost({ count: 50, storm: true, destination: log.destination });
    const exchanges = log.lines().filter((l) => l.exchange);
    expect(exchanges).toHaveLength(50);
    expect(exchanges.every((l) => l.findings.some((f: { id: string }) => f.id === 'TOKEN_EXPIRED'))).toBe(
      true,
    );
  });

  it('--large: the 65-envelope gzip batch is what each exchange carries, decoded when the exchange fails', async () => {
    const healthy = collectingLog();
    await measureAnalysisCost({ count: 20, storm: false, large: true, destination: healthy.destination });
    const ok = healthy.lines().filter((l) => l.exchange);
    expect(ok).toHaveLength(20);
    for (const l of ok) {
      expect(l.exchange.request.body).toMatchObject({ size: 4151, contentEncoding: 'gzip' });
      expect(l.findings).toHaveLength(0);
    }
    const storm = collectingLog();
    await measureAnalysisCost({ count: 20, storm: true, large: true, destination: storm.destination });
    const failed = storm.lines().filter((l) => l.exchange);
    expect(failed).toHaveLength(20);
    for (const l of failed) {
      expect(l.exchange.request.body).toMatchObject({ size: 4151, decodedSize: 65536 });
      expect(l.findings.map((f: { id: string }) => f.id)).toContain('TOKEN_EXPIRED');
    }
  });
});

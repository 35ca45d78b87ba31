import http from 'node:http';
import { warmAnalysis } from '../../src/cli/warm-analysis';
import { diagnose } from '../../src/diagnosis';
import type { Exchange } from '../../src/model/exchange';
import { startTestProxy } from '../helpers/proxy-harness';

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

function getJson(port: number, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { host: `localhost:${port}` } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

describe('warming the analysis at start', () => {
  it('runs one healthy made-up exchange through the analysis, writes nothing and leaves no timer', async () => {
    const seen: { exchange: Exchange; findings: number; kind?: string }[] = [];
    const out = jest.spyOn(process.stdout, 'write');
    const err = jest.spyOn(process.stderr, 'write');
    const before = timers();
    try {
      await warmAnalysis(
        (exchange) => {
          const result = diagnose(exchange, {
            connectionStrings: [],
            expectEntra: false,
            caCertPath: 'ca.pem',
          });
          seen.push({ exchange, findings: result.findings.length, kind: result.analysis?.kind });
          return result;
        },
        { bodies: 'failures', guidance: 'first' },
      );
      expect(out).not.toHaveBeenCalled();
      expect(err).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    // The healthy path is the one every later exchange takes: no finding, a v2.1 track request.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.findings).toBe(0);
    expect(seen[0]!.kind).toBe('track-v2.1');
    expect(seen[0]!.exchange.response?.status).toBe(200);
    expect(timers()).toBe(before);
  });

  it('a started proxy shows none of it: not in the log, the page or its report', async () => {
    const proxy = await startTestProxy({ inspector: {} });
    try {
      expect(proxy.raw()).not.toContain('warm-up');
      expect(proxy.exchanges()).toHaveLength(0);
      const sessions = await getJson(proxy.port, '/api/sessions');
      expect(sessions.rows).toEqual([]);
      expect(JSON.stringify(sessions)).not.toContain('warm-up');
    } finally {
      await proxy.close();
    }
  });
});

import { AZURE_TEST_HOSTS } from '../../src/demo/netns';
import { requireNetns, runInNetns } from './helpers';

const enabled = requireNetns();
const describeNetns = enabled ? describe : describe.skip;

// What runs inside the namespace: a TCP connect to Azure IMDS (the address SDKs reach directly,
// bypassing any proxy) must fail at once, and Azure names must resolve to loopback.
const PROBE = `
const net = require('node:net');
const dns = require('node:dns');
const started = Date.now();
const socket = net.connect({ host: '169.254.169.254', port: 80 });
socket.setTimeout(3000, () => { console.log(JSON.stringify({ imds: 'TIMEOUT' })); process.exit(0); });
socket.on('connect', () => { console.log(JSON.stringify({ imds: 'CONNECTED' })); process.exit(0); });
socket.on('error', (err) => {
  dns.lookup(process.argv[1], { all: true }, (e, addresses) => {
    console.log(JSON.stringify({ imds: err.code, ms: Date.now() - started, lookup: e ? e.code : addresses }));
  });
});
`;

describeNetns('the private network namespace of the real-SDK tests', () => {
  it('has only loopback: no default route, no interface but lo', async () => {
    const run = await runInNetns(['sh', '-c', 'ip route show; echo ---; ip -o link show'], 15000);
    expect(run.code).toBe(0);
    const [routes, links] = run.stdout.split('---');
    expect(routes).not.toMatch(/default/);
    const names = links!
      .trim()
      .split('\n')
      .map((l) => /^\d+:\s*([^:@]+)/.exec(l)?.[1])
      .filter(Boolean);
    expect(names).toEqual(['lo']);
  });

  it('cannot reach Azure IMDS (169.254.169.254): ENETUNREACH at once; Azure names are 127.0.0.1', async () => {
    const run = await runInNetns([process.execPath, '-e', PROBE, AZURE_TEST_HOSTS[0]!], 15000);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout.trim());
    expect(result.imds).toBe('ENETUNREACH');
    expect(result.ms).toBeLessThan(1000);
    expect(result.lookup).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});

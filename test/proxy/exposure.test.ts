import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { canUseNetns } from '../../src/demo/netns';
import { CLI } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

/**
 * Issue 14, item 5: a client that is not on this machine may not make the proxy reach loopback
 * or link-local destinations (this host's loopback-only services, 169.254.169.254).
 *
 * How "not local" is made real: the rule looks only at the socket's remote address (loopback =
 * local). Inside a private network namespace the addresses 10.213.0.1 and 10.213.0.2 are added
 * to `lo`; the built CLI listens on 10.213.0.1 and the client connects from 10.213.0.2
 * (`localAddress`), so the proxy sees a real connection from a non-loopback address, exactly what
 * a client on another machine looks like to it. Nothing leaves the namespace.
 */

const DRIVER = String.raw`
const { spawn } = require('node:child_process');
const http = require('node:http');
const net = require('node:net');
const [cli, caDir] = process.argv.slice(1);
const PROXY = '10.213.0.1', REMOTE = '10.213.0.2';

function serve(host, text) {
  const s = http.createServer((req, res) => res.end(text));
  s.on('upgrade', (req, sock) => sock.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
  return new Promise((r) => s.listen(0, host, () => r(s.address().port)));
}
function startProxy(extra, env) {
  const child = spawn(process.execPath, [cli, 'start', '--host', PROXY, '--port', '0', '--ca-dir', caDir,
    '--log-format', 'json', '--summary', 'false', ...extra], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('proxy did not start: ' + err)), 30000);
    const poll = setInterval(() => {
      const m = /"listening":"[^"]*:(\d+)"/.exec(out);
      if (!m) return;
      clearInterval(poll); clearTimeout(timer);
      resolve({ port: Number(m[1]), child, out: () => out, err: () => err });
    }, 20);
  });
}
/** Sends raw request text to the proxy from localAddress; resolves with the status line and body. */
function ask(port, from, text) {
  return new Promise((resolve) => {
    const s = net.connect({ host: PROXY, port, localAddress: from });
    let got = '';
    const done = () => { s.destroy(); resolve({ status: got.split('\r\n')[0], body: got.split('\r\n\r\n').slice(1).join('') }); };
    s.on('data', (c) => { got += c; if (/^HTTP\/1\.1 200 Connection established\r\n\r\n/.test(got) || /\r\n\r\n[\s\S]*(ok|\n)$/.test(got)) done(); });
    s.on('error', done);
    s.on('close', done);
    setTimeout(done, 10000);
    s.write(text);
  });
}
const connect = (t) => 'CONNECT ' + t + ' HTTP/1.1\r\nHost: ' + t + '\r\n\r\n';
const get = (u) => 'GET ' + u + ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const upgrade = (u) => 'GET ' + u + ' HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';

(async () => {
  const priv = await serve('127.0.0.1', 'private-ok');
  const pub = await serve(PROXY, 'public-ok');
  const plain = await startProxy([], {});
  const allowing = await startProxy(['--allow-private-destinations'], {});
  const locked = await startProxy([], { AIPROXY_PROXY_AUTH: 'ops:s3cret' });
  const r = {};
  const p = plain.port;
  r.remoteConnectLoopback = await ask(p, REMOTE, connect('127.0.0.1:' + priv));
  r.remoteConnectLocalhost = await ask(p, REMOTE, connect('localhost:' + priv));
  r.remoteConnectV6Loopback = await ask(p, REMOTE, connect('[::1]:' + priv));
  r.remoteConnectMetadata = await ask(p, REMOTE, connect('169.254.169.254:80'));
  r.remoteConnectMapped = await ask(p, REMOTE, connect('[::ffff:127.0.0.1]:' + priv));
  r.remoteGetLoopback = await ask(p, REMOTE, get('http://127.0.0.1:' + priv + '/'));
  r.remoteGetMetadata = await ask(p, REMOTE, get('http://169.254.169.254/metadata/identity/oauth2/token'));
  r.remoteUpgradeLoopback = await ask(p, REMOTE, upgrade('http://127.0.0.1:' + priv + '/'));
  r.remoteConnectPublic = await ask(p, REMOTE, connect(PROXY + ':' + pub));
  r.remoteGetPublic = await ask(p, REMOTE, get('http://' + PROXY + ':' + pub + '/'));
  r.localGetLoopback = await ask(p, '127.0.0.1', get('http://127.0.0.1:' + priv + '/'));
  r.localConnectLoopback = await ask(p, '127.0.0.1', connect('127.0.0.1:' + priv));
  r.allowedRemoteGetLoopback = await ask(allowing.port, REMOTE, get('http://127.0.0.1:' + priv + '/'));
  // Stop each proxy and wait for its exit, so its log is complete.
  for (const x of [plain, allowing, locked]) {
    await new Promise((resolve) => { x.child.once('exit', resolve); x.child.kill('SIGTERM'); });
  }
  r.plainStderr = plain.err();
  r.plainLog = plain.out();
  r.lockedStderr = locked.err();
  process.stdout.write('RESULT ' + JSON.stringify(r) + '\n');
  process.exit(0);
})().catch((e) => { process.stdout.write('ERROR ' + e.stack + '\n'); process.exit(1); });
`;

const describeNetns = canUseNetns() ? describe : describe.skip;

describeNetns('exposure: clients from another address (private network namespace, built CLI)', () => {
  let r: Record<string, any>;
  const tmp = tempDir('aiproxy-exposure-');
  beforeAll(() => {
    const setup = 'ip link set lo up && ip addr add 10.213.0.1/32 dev lo && ip addr add 10.213.0.2/32 dev lo';
    const run = spawnSync(
      'unshare',
      [
        '-n',
        '--',
        'sh',
        '-c',
        `${setup} && exec "$0" -e "$1" "$2" "$3"`,
        process.execPath,
        DRIVER,
        CLI,
        path.join(tmp.dir, 'certs'),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`driver failed: ${run.stdout} ${run.stderr}`);
    r = JSON.parse(line.slice('RESULT '.length));
  }, 150_000);
  afterAll(() => tmp.cleanup());

  it('refuses loopback destinations to a client that is not local (CONNECT, by IP, by name, IPv6, mapped; plain; upgrade)', () => {
    for (const key of [
      'remoteConnectLoopback',
      'remoteConnectLocalhost',
      'remoteConnectV6Loopback',
      'remoteConnectMapped',
      'remoteGetLoopback',
      'remoteUpgradeLoopback',
    ]) {
      expect({ key, status: r[key].status }).toEqual({ key, status: 'HTTP/1.1 403 Forbidden' });
      expect(r[key].body).toMatch(/loopback or link-local.*--allow-private-destinations/);
      expect(r[key].body).not.toMatch(/private-ok/);
    }
  });

  it('refuses the metadata endpoint 169.254.169.254 to a client that is not local', () => {
    expect(r.remoteConnectMetadata.status).toBe('HTTP/1.1 403 Forbidden');
    expect(r.remoteGetMetadata.status).toBe('HTTP/1.1 403 Forbidden');
  });

  it('still relays other destinations for that client', () => {
    expect(r.remoteConnectPublic.status).toBe('HTTP/1.1 200 Connection established');
    expect(r.remoteGetPublic.status).toBe('HTTP/1.1 200 OK');
    expect(r.remoteGetPublic.body).toBe('public-ok');
  });

  it('a local client (from 127.0.0.1) still reaches loopback services', () => {
    expect(r.localGetLoopback.status).toBe('HTTP/1.1 200 OK');
    expect(r.localGetLoopback.body).toBe('private-ok');
    expect(r.localConnectLoopback.status).toBe('HTTP/1.1 200 Connection established');
  });

  it('--allow-private-destinations lets the non-local client through', () => {
    expect(r.allowedRemoteGetLoopback.status).toBe('HTTP/1.1 200 OK');
    expect(r.allowedRemoteGetLoopback.body).toBe('private-ok');
  });

  it('warns loudly at start on a non-loopback --host without --proxy-auth, and logs each refusal', () => {
    expect(r.plainStderr).toMatch(/WARNING: listening on 10\.213\.0\.1 without --proxy-auth/);
    expect(r.plainLog).toMatch(/"level":"warn"[^\n]*without --proxy-auth/);
    expect(r.plainLog).toMatch(/refused CONNECT to a private destination \(403\)/);
    expect(r.plainLog).toMatch(/refused a request to a private destination \(403\)/);
    // AIPROXY_PROXY_AUTH sets the credentials (and keeps them out of ps): no warning.
    expect(r.lockedStderr).not.toMatch(/WARNING/);
  });
});

import net from 'node:net';

/**
 * A minimal corporate-style HTTP proxy: answers CONNECT by relaying TCP to the target (here always
 * a loopback port given by `route`), and records the targets it was asked for.
 */
export async function startConnectRelay(route: (target: string) => number): Promise<{
  port: number;
  targets: string[];
  close: () => Promise<void>;
}> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.removeListener('data', onData);
      const [, target] = /^CONNECT (\S+) HTTP/.exec(head.toString('latin1')) ?? [];
      if (!target) {
        client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        return;
      }
      targets.push(target);
      const upstream = net.connect(route(target), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    targets,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

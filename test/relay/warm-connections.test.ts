import { PassThrough } from 'node:stream';
import { WarmConnections } from '../../src/proxy/warm-connections';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WarmConnections: one connection opened ahead per pool name, bounded in count and time', () => {
  it('hands a held connection over once', () => {
    const warm = new WarmConnections(1000, 4);
    const socket = new PassThrough();
    expect(warm.wants('a')).toBe(true);
    warm.hold('a', socket);
    expect(warm.wants('a')).toBe(false);
    expect(warm.take('b')).toBeUndefined();
    expect(warm.take('a')).toBe(socket);
    expect(warm.take('a')).toBeUndefined();
    expect(warm.size).toBe(0);
    socket.destroy();
  });

  it('wants nothing when turned off (ttl 0) or full', () => {
    expect(new WarmConnections(0, 4).wants('a')).toBe(false);
    const warm = new WarmConnections(1000, 2);
    const sockets = [new PassThrough(), new PassThrough()];
    warm.hold('a', sockets[0]!);
    warm.hold('b', sockets[1]!);
    expect(warm.wants('c')).toBe(false);
    warm.closeAll();
    expect(sockets.every((s) => s.destroyed)).toBe(true);
    expect(warm.wants('c')).toBe(true);
  });

  it('closes a connection nobody claims within the ttl', async () => {
    const warm = new WarmConnections(50, 4);
    const socket = new PassThrough();
    warm.hold('a', socket);
    await wait(150);
    expect(socket.destroyed).toBe(true);
    expect(warm.size).toBe(0);
    expect(warm.take('a')).toBeUndefined();
  });

  it('swallows an error while waiting (no uncaught exception) and forgets the connection', async () => {
    const warm = new WarmConnections(1000, 4);
    const socket = new PassThrough();
    warm.hold('a', socket);
    socket.emit('error', new Error('ECONNREFUSED'));
    await wait(10);
    expect(socket.destroyed).toBe(true);
    expect(warm.take('a')).toBeUndefined();
    expect(warm.wants('a')).toBe(true);
  });

  it('never hands over a connection that closed meanwhile', async () => {
    const warm = new WarmConnections(1000, 4);
    const socket = new PassThrough();
    warm.hold('a', socket);
    socket.destroy();
    await wait(10);
    expect(warm.take('a')).toBeUndefined();
  });

  it('a claimed connection keeps running past the ttl', async () => {
    const warm = new WarmConnections(30, 4);
    const socket = new PassThrough();
    warm.hold('a', socket);
    expect(warm.take('a')).toBe(socket);
    await wait(100);
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });
});

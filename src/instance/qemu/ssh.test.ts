/**
 * @module The SSH banner probe that goes before each ssh attempt while a VM boots: qemu's
 * user-mode network accepts connections before the guest can answer them, so "connected" means
 * nothing; only the server's identification line does.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { sshBanner } from './ssh.ts';

async function serve(onConnection: (s: Socket) => void): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { server, port: address.port, sockets };
}

async function close(s: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const socket of s.sockets) socket.destroy();
  await new Promise((r) => s.server.close(r));
}

test('an SSH server that sends its identification line answers the probe', async () => {
  const s = await serve((socket) => socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
  try {
    assert.equal(await sshBanner(s.port, 2000), true);
  } finally {
    await close(s);
  }
});

test('a connection accepted but never answered (the guest not up yet) fails within the limit', async () => {
  const s = await serve(() => {});
  try {
    const t = performance.now();
    assert.equal(await sshBanner(s.port, 300), false);
    const took = performance.now() - t;
    assert.ok(took >= 250 && took < 2000, `took ${took} ms`);
  } finally {
    await close(s);
  }
});

test('a connection closed at once, a refused port and a non-SSH answer all fail', async () => {
  const closing = await serve((socket) => socket.destroy());
  const http = await serve((socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
  const gone = await serve(() => {});
  const gonePort = gone.port;
  await close(gone);
  try {
    assert.equal(await sshBanner(closing.port, 2000), false);
    assert.equal(await sshBanner(http.port, 2000), false);
    assert.equal(await sshBanner(gonePort, 2000), false);
  } finally {
    await close(closing);
    await close(http);
  }
});

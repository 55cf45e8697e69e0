/**
 * @module The SSH banner probe that goes before each ssh attempt while a VM boots: qemu's
 * user-mode network accepts connections before the guest can answer them, so "connected" means
 * nothing; only the server's identification line does.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastConsoleLine } from './console.ts';
import { connectMaster, sshBanner } from './ssh.ts';

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

test('while no SSH answers, the waiting caller hears of it at each interval, and the timeout names the last error', async () => {
  const silent = await serve(() => {});
  const heard: number[] = [];
  const started = Date.now();
  try {
    await assert.rejects(
      connectMaster(
        { port: silent.port, keyFile: '/nonexistent', controlPath: '/nonexistent.ctl' },
        2_600,
        () => undefined,
        (ms) => heard.push(ms),
        1_000,
      ),
      /no SSH connection to the VM within 3 s \(last error: no SSH banner yet\)/,
    );
  } finally {
    await close(silent);
  }
  assert.ok(Date.now() - started >= 2_600);
  assert.equal(heard.length, 2, `told at ${heard.join(', ')} ms`);
  assert.ok(heard[0]! >= 1_000 && heard[1]! >= 2_000, `told at ${heard.join(', ')} ms`);
});

test("the console's last line: terminal escapes and carriage returns removed, long lines cut, empty when nothing yet", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-console-'));
  try {
    const log = join(dir, 'console.log');
    assert.equal(lastConsoleLine(log), '');
    writeFileSync(log, "\x1b[H\x1b[J\x1b[1;1H  Booting `Debian GNU/Linux'\r\n\r\n");
    assert.equal(lastConsoleLine(log), "Booting `Debian GNU/Linux'");
    writeFileSync(log, 'ok\x1b]0;title\x07 done\x1bc\r\n');
    assert.equal(lastConsoleLine(log), 'ok]0;title donec', 'no escape or bell reaches the terminal');
    writeFileSync(log, `first\r\n[   14.78] cloud-init[260]: ${'x'.repeat(300)}\r\n`);
    const line = lastConsoleLine(log, 40);
    assert.equal(line.length, 40);
    assert.ok(line.startsWith('[   14.78] cloud-init[260]: x') && line.endsWith('…'), line);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

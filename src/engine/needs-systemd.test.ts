/** @module Which component lines need a running systemd (and so a qemu build instance). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemdLine } from './needs-systemd.ts';

test('starting, checking and reloading services need systemd; enabling and masking do not', () => {
  for (const line of [
    'systemctl start nginx',
    'sudo systemctl restart nginx.service',
    'systemctl is-active --quiet nginx',
    'systemctl daemon-reload',
    'systemctl enable --now nginx',
    'systemctl --no-pager status ssh',
    'sudo service nginx start',
    'service apache2 restart && echo ok',
  ])
    assert.equal(systemdLine(`echo before\n${line}\n`), line, line);
  assert.equal(systemdLine('commands:\n  - systemctl start nginx\n'), 'systemctl start nginx');
  for (const text of [
    'systemctl enable nginx',
    'systemctl disable apt-daily.timer',
    'systemctl mask systemd-networkd-wait-online.service',
    'systemctl is-enabled chrony.service',
    '# systemctl start nginx (left to the first boot)',
    'echo "the service will start at boot"',
    'apt-get install -y nginx',
  ])
    assert.equal(systemdLine(text), undefined, text);
});

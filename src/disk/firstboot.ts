/**
 * @module Ingot's first-boot unit inside disk images: regenerates SSH host keys, then reads a
 * NoCloud-style seed (a file system labelled `cidata`: `meta-data` with instance-id and
 * local-hostname, `user-data` as `#cloud-config` ssh_authorized_keys or a `#!` script), once per
 * instance-id. A shell script instead of cloud-init: no Python in the image, seconds faster under TCG.
 */

export const SEED_LABEL = 'cidata';

export const FIRSTBOOT_SCRIPT = String.raw`#!/bin/sh
# Ingot first boot (see docs/instance-types.md): host keys, hostname, SSH keys and user data.
set -u
ssh-keygen -A
udevadm settle --timeout=10 || true
dev=$(blkid -t LABEL=cidata -o device 2>/dev/null | head -n1)
[ -n "$dev" ] || dev=$(blkid -t LABEL=CIDATA -o device 2>/dev/null | head -n1)
[ -n "$dev" ] || exit 0
seed=/run/ingot-seed
state=/var/lib/ingot-firstboot
mkdir -p "$seed" "$state"
mount -o ro "$dev" "$seed" || exit 0
id=$(sed -n 's/^instance-id: *//p' "$seed/meta-data" 2>/dev/null | head -n1)
if [ -n "$id" ] && [ "$(cat "$state/instance-id" 2>/dev/null)" = "$id" ]; then umount "$seed"; exit 0; fi
name=$(sed -n 's/^local-hostname: *//p' "$seed/meta-data" 2>/dev/null | head -n1)
if [ -n "$name" ]; then echo "$name" > /etc/hostname; hostname "$name"; fi
script=
if [ -f "$seed/user-data" ]; then
  if [ "$(head -c 2 "$seed/user-data")" = '#!' ]; then
    script=/run/ingot-user-data
    cp "$seed/user-data" "$script"; chmod 0700 "$script"
  else
    mkdir -p -m 0700 /root/.ssh
    sed -n '/^ssh_authorized_keys:/,/^[^ -]/ s/^ *- *//p' "$seed/user-data" | sed "s/^[\"']//; s/[\"']$//" >> /root/.ssh/authorized_keys
    chmod 0600 /root/.ssh/authorized_keys
  fi
fi
umount "$seed"
echo "$id" > "$state/instance-id"
if [ -n "$script" ]; then "$script" > /var/log/ingot-user-data.log 2>&1 || echo "user data script failed: $?" >&2; fi
exit 0
`;

export const FIRSTBOOT_UNIT = `[Unit]
Description=Ingot first boot: SSH host keys, hostname, SSH keys and user data from a cidata seed
After=local-fs.target systemd-udev-trigger.service
Wants=systemd-udev-trigger.service
Before=ssh.service systemd-networkd.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/ingot-firstboot

[Install]
WantedBy=multi-user.target
`;

export interface SeedContent {
  instanceId: string;
  hostname?: string;
  sshAuthorizedKeys?: readonly string[];
  /** A `#!` script run once at first boot instead of the cloud-config (keys then come from it). */
  userDataScript?: string;
}

/** The seed's two files, in the NoCloud layout (also readable by cloud-init). */
export function seedFiles(s: SeedContent): { 'meta-data': string; 'user-data': string } {
  const meta = `instance-id: ${s.instanceId}\n${s.hostname ? `local-hostname: ${s.hostname}\n` : ''}`;
  const user = s.userDataScript ?? `#cloud-config\nssh_authorized_keys:\n${(s.sshAuthorizedKeys ?? []).map((k) => `  - ${k.trim()}\n`).join('')}`;
  return { 'meta-data': meta, 'user-data': user };
}

/**
 * @module Ingot's first-boot units inside disk images. `ingot-firstboot.service` makes the ed25519
 * SSH host key (sshd needs one to start), then reads a NoCloud-style seed (a file system labelled
 * `cidata`: `meta-data` with instance-id and local-hostname, `user-data` as `#cloud-config`
 * ssh_authorized_keys or a `#!` script), once per instance-id. `ingot-hostkeys.service` makes the
 * other host keys (RSA, ECDSA) once sshd runs, at idle priority, and reloads sshd: an RSA key takes
 * 5-15 s of CPU under TCG, which would otherwise stand between power-on and the first SSH login.
 * Shell scripts instead of cloud-init: no Python in the image, seconds faster under TCG.
 */

export const FIRSTBOOT_SCRIPT = String.raw`#!/bin/sh
# Ingot first boot (see docs/instance-types.md): host keys, hostname, SSH keys and user data.
set -u
if [ "$*" = --other-host-keys ]; then
  # ingot-hostkeys.service, after sshd started: every missing host key type, then sshd reloads them.
  [ -s /etc/ssh/ssh_host_rsa_key ] && [ -s /etc/ssh/ssh_host_ecdsa_key ] && [ -s /etc/ssh/ssh_host_ed25519_key ] && exit 0
  ssh-keygen -A
  if systemctl -q is-active ssh.service; then systemctl reload ssh.service; elif systemctl -q is-enabled ssh.service; then systemctl restart ssh.service; fi
  exit 0
fi
[ -s /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
# Shell builtins below where they do (read, echo > /proc): each process costs about 0.1 s under TCG.
seed_device() { blkid -t LABEL=cidata -o device 2>/dev/null || blkid -t LABEL=CIDATA -o device 2>/dev/null; }
# Disks the kernel found are probed directly; wait for udev (slow seed devices, CD-ROMs) only when none has the label.
devs=$(seed_device)
[ -n "$devs" ] || { udevadm settle --timeout=10 || true; devs=$(seed_device); }
dev=
for d in $devs; do dev=$d; break; done
[ -n "$dev" ] || exit 0
seed=/run/ingot-seed
state=/var/lib/ingot-firstboot
mkdir -p "$seed" "$state"
mount -o ro "$dev" "$seed" || exit 0
id= name=
while IFS=': ' read -r key value || [ -n "$key" ]; do
  case $key in
    instance-id) [ -n "$id" ] || id=$value ;;
    local-hostname) [ -n "$name" ] || name=$value ;;
  esac
  key=
done < "$seed/meta-data" 2>/dev/null
last=
[ -r "$state/instance-id" ] && read -r last < "$state/instance-id"
if [ -n "$id" ] && [ "$last" = "$id" ]; then umount "$seed"; exit 0; fi
if [ -n "$name" ]; then echo "$name" > /etc/hostname; echo "$name" > /proc/sys/kernel/hostname; fi
script=
if [ -f "$seed/user-data" ]; then
  first=
  read -r first < "$seed/user-data" || true
  case $first in
    '#!'*)
      script=/run/ingot-user-data
      cp "$seed/user-data" "$script"; chmod 0700 "$script" ;;
    *)
      mkdir -p -m 0700 /root/.ssh
      sed -n "/^ssh_authorized_keys:/,/^[^ -]/ { s/^ *- *//; T; s/^[\"']//; s/[\"']$//; p }" "$seed/user-data" >> /root/.ssh/authorized_keys
      chmod 0600 /root/.ssh/authorized_keys ;;
  esac
fi
umount "$seed"
echo "$id" > "$state/instance-id"
if [ -n "$script" ]; then "$script" > /var/log/ingot-user-data.log 2>&1 || echo "user data script failed: $?" >&2; fi
exit 0
`;

export const FIRSTBOOT_UNIT = `[Unit]
Description=Ingot first boot: ed25519 host key, hostname, SSH keys and user data from a cidata seed
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

/** Makes the RSA and ECDSA host keys after sshd started (the ed25519 one is made before it). */
export const HOSTKEYS_UNIT = `[Unit]
Description=Ingot first boot: the SSH host keys other than ed25519, made once sshd runs
After=ssh.service ingot-firstboot.service

[Service]
Type=oneshot
Nice=19
CPUSchedulingPolicy=idle
ExecStart=/usr/local/sbin/ingot-firstboot --other-host-keys

[Install]
WantedBy=multi-user.target
`;

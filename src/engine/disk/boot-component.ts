/**
 * @module The internal "make it bootable" component, run as one more sandboxed layer on top of the
 * image: the distribution's generic kernel (AHCI and e1000 too, which the cloud kernel lacks) + initramfs, GRUB for BIOS (its core image) and UEFI
 * (Debian's signed shim and GRUB, for Secure Boot), systemd with networkd (DHCP), OpenSSH,
 * cloud-init (or, for recipes that opt out, Ingot's first-boot unit), and the machine-id/host-key reset.
 */
import { componentFromText } from '../component-from-text.ts';
import type { BuildComponent } from '../request.ts';
import {
  CLOUD_CFG,
  CLOUD_CFG_PATH,
  CLOUD_INIT_UNITS,
  cloudInitEntryScript,
  HOSTKEY_FALLBACK_UNIT,
} from '../../disk/cloud-init.ts';
import { bootOrderScript, userManagerScript } from '../../disk/boot-order.ts';
import { bootTrimScript } from '../../disk/boot-trim.ts';
import { FIRSTBOOT_SCRIPT, FIRSTBOOT_UNIT, HOSTKEYS_UNIT } from '../../disk/firstboot.ts';
import { GRUB_CORE_IMG, GRUB_MODULES, ROOT_PARTITION } from '../../disk/grub.ts';

/**
 * Disk, network and file-system drivers the initramfs carries (virtio, SATA/IDE, NVMe, Hyper-V, VMware,
 * Intel NICs). They are only included: udev in the initramfs loads the ones the machine has (loading
 * all of them on every boot took seconds under TCG). Their dependencies come along; built-in ones
 * are skipped by initramfs-tools.
 */
export const INITRAMFS_MODULES = [
  'virtio_pci',
  'virtio_blk',
  'virtio_scsi',
  'sd_mod',
  'ahci',
  'libahci',
  'ata_piix',
  'ata_generic',
  'nvme',
  'hv_vmbus',
  'hv_storvsc',
  'hv_netvsc',
  'vmw_pvscsi',
  'vmxnet3',
  'mptspi',
  'virtio_net',
  'e1000',
  'e1000e',
  'ext4',
  'crc32c_generic',
];

/**
 * Module folders of the generic kernel a server image never loads (sound, cameras and TV, Wi-Fi,
 * Bluetooth, staging, lab and sensor boards): dpkg leaves them out, now and on kernel upgrades
 * (~130 MB of its ~390 MB). rc-core stays: the GPU drivers (kept for VMware's and Hyper-V's consoles) need it.
 */
const DPKG_MODULE_EXCLUDES = `path-exclude=/lib/modules/*/kernel/sound/*
path-exclude=/lib/modules/*/kernel/drivers/media/*
path-include=/lib/modules/*/kernel/drivers/media/rc/rc-core.ko
path-exclude=/lib/modules/*/kernel/drivers/net/wireless/*
path-exclude=/lib/modules/*/kernel/net/wireless/*
path-exclude=/lib/modules/*/kernel/net/mac80211/*
path-exclude=/lib/modules/*/kernel/drivers/bluetooth/*
path-exclude=/lib/modules/*/kernel/net/bluetooth/*
path-exclude=/lib/modules/*/kernel/drivers/staging/*
path-exclude=/lib/modules/*/kernel/drivers/comedi/*
path-exclude=/lib/modules/*/kernel/drivers/iio/*
`;

/**
 * dpkg's fsync of every file and status update, and those of the maintainer scripts and triggers,
 * made no-ops by libeatmydata for the package install: the library is unpacked from the mirror into
 * /tmp (the sandbox's own, not part of the layer), so the image does not carry it. Nothing in the
 * layer needs to be durable while it is made: the engine makes the finished layer durable once,
 * before it is kept (managed-boot-layer.ts, layer-stack.ts). Without the library (not in the
 * mirror) the install runs as before.
 */
const EATMYDATA_SCRIPT = `eatmydata=
if (cd /tmp && apt-get download -q libeatmydata1 >/dev/null 2>&1) && dpkg-deb -x /tmp/libeatmydata1_*.deb /tmp/eatmydata; then
  eatmydata=$(ls /tmp/eatmydata/usr/lib/*/libeatmydata.so* 2>/dev/null | head -n1)
fi
`;

const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => (l ? ' '.repeat(n) + l : l))
    .join('\n');

/**
 * The packages of the bootable-disk layer (cloud-init's only when the recipe keeps it). The generic
 * kernel, not the cloud one: only it has AHCI and e1000, the devices of a plain VM (issue 14).
 */
const PACKAGES = [
  'systemd systemd-sysv udev dbus kmod linux-image-amd64 initramfs-tools',
  'grub-pc-bin grub-common grub-efi-amd64-bin grub-efi-amd64-signed shim-signed',
  'openssh-server ca-certificates',
];
const CLOUD_INIT_PACKAGES = 'cloud-init cloud-guest-utils e2fsprogs sudo';

/** With cloud-init: its config, the host-key fallback; without: Ingot's own first-boot unit. */
const firstBoot = (cloudInit: boolean): string =>
  cloudInit
    ? `mkdir -p /etc/cloud/cloud.cfg.d
cat > ${CLOUD_CFG_PATH} <<'EOF'
${CLOUD_CFG}EOF
cat > /etc/systemd/system/ingot-hostkey-fallback.service <<'EOF'
${HOSTKEY_FALLBACK_UNIT}EOF
# cloud-init's units: before 24.3 one process per stage (cloud-init.service is the network stage); since
# then (Debian 13) cloud-init-main.service runs every stage in one process and cloud-init-network.service
# only tells it to go on.
units=ingot-hostkey-fallback.service
for u in ${CLOUD_INIT_UNITS.join(' ')}; do
  if [ -e "/lib/systemd/system/$u" ]; then units="$units $u"; fi
done
# cloud-init makes the host keys (ed25519, ECDSA); ingot-hostkeys.service would add an RSA key.
rm -rf /var/lib/cloud
${cloudInitEntryScript()}${bootOrderScript()}`
    : `cat > /etc/systemd/system/ingot-firstboot.service <<'EOF'
${FIRSTBOOT_UNIT}EOF
units='ingot-firstboot.service ingot-hostkeys.service'
`;

const script = (cloudInit: boolean): string => `set -eu
export DEBIAN_FRONTEND=noninteractive
# A small initramfs with the disk drivers of KVM, VMware and Hyper-V, generated once (not per trigger).
mkdir -p /etc/initramfs-tools/conf.d /etc/initramfs-tools/hooks
echo MODULES=list > /etc/initramfs-tools/conf.d/ingot-modules.conf
cat > /etc/initramfs-tools/hooks/ingot-disk-drivers <<'EOF'
#!/bin/sh
# Ingot: disk drivers for the machines the image may boot on; udev loads the ones present.
[ "$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules ${INITRAMFS_MODULES.join(' ')}
EOF
chmod 0755 /etc/initramfs-tools/hooks/ingot-disk-drivers
mkdir -p /etc/dpkg/dpkg.cfg.d
cat > /etc/dpkg/dpkg.cfg.d/ingot-kernel-modules <<'EOF'
# Ingot: kernel modules a server image never loads (remove this file to get them back).
${DPKG_MODULE_EXCLUDES}EOF
${bootTrimScript()}apt-get update -q
${EATMYDATA_SCRIPT}INITRD=No LD_PRELOAD="$eatmydata" apt-get install -y -q --no-install-recommends -o DPkg::Options::=--force-unsafe-io \\
  ${[...PACKAGES, ...(cloudInit ? [CLOUD_INIT_PACKAGES] : [])].join(' \\\n  ')}
for k in /lib/modules/*; do v=$(basename "$k"); [ -e "/boot/initrd.img-$v" ] || update-initramfs -c -k "$v"; done
# INITRD=No also skipped the /initrd.img link GRUB's config uses; point both links at the newest kernel.
v=$(ls /lib/modules | sort -V | tail -n1)
ln -sfn "boot/vmlinuz-$v" /vmlinuz
ln -sfn "boot/initrd.img-$v" /initrd.img
mkdir -p /boot/grub/i386-pc /etc/systemd/network /usr/local/sbin
# shim's upgrades run grub-install into the ESP (fstab mounts it at /boot/efi) when GRUB_DISTRIBUTOR
# names its folder: EFI/debian and, as the disk boots by the removable-media path, EFI/BOOT; no NVRAM entry.
[ -f /etc/default/grub ] || echo GRUB_DISTRIBUTOR=Debian > /etc/default/grub
debconf-set-selections <<'EOF'
grub-efi-amd64 grub2/force_efi_extra_removable boolean true
grub-efi-amd64 grub2/update_nvram boolean false
EOF
grub-mkimage -O i386-pc -o /${GRUB_CORE_IMG} -p '(hd0,gpt${ROOT_PARTITION})/boot/grub' ${GRUB_MODULES}
cat > /etc/systemd/network/80-ingot-dhcp.network <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=yes
EOF
cat > /usr/local/sbin/ingot-firstboot <<'EOF'
${FIRSTBOOT_SCRIPT}EOF
chmod 0755 /usr/local/sbin/ingot-firstboot
cat > /etc/systemd/system/ingot-hostkeys.service <<'EOF'
${HOSTKEYS_UNIT}EOF
${userManagerScript()}${firstBoot(cloudInit)}systemctl enable systemd-networkd.service ssh.service $units
systemctl mask systemd-networkd-wait-online.service
ln -sf /lib/systemd/system/serial-getty@.service /etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service
[ -f /etc/hostname ] || echo localhost > /etc/hostname
# Every machine made from the image gets its own identity on first boot.
rm -f /etc/ssh/ssh_host_*
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id /var/lib/systemd/random-seed
# The apt lists stay (as in the managed bases): the components after this one install packages
# without an update first, as on a cloud instance.
apt-get clean
`;

export interface BootLayerOptions {
  /** cloud-init (default) or, for appliances that opt out, Ingot's own first-boot unit. */
  cloudInit?: boolean;
}

export const bootComponentText = (cloudInit: boolean): string => `name: ingot-bootable-disk
description: Internal. Installs a kernel, GRUB (BIOS and UEFI, signed shim), OpenSSH${cloudInit ? ' and cloud-init' : ''} so the image boots from a disk.
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: MakeBootable
        action: ExecuteBash
        inputs:
          commands:
            - |
${indent(script(cloudInit), 14)}
`;

const cached = new Map<boolean, BuildComponent>();

/** The component (parsed once per variant); its text is part of the layer cache key. */
export function bootComponent(opts: BootLayerOptions = {}): BuildComponent {
  const cloudInit = opts.cloudInit ?? true;
  let c = cached.get(cloudInit);
  if (!c) {
    c = componentFromText({
      name: 'ingot-bootable-disk',
      version: '1.0.0',
      text: bootComponentText(cloudInit),
      origin: 'ingot-bootable-disk',
    });
    cached.set(cloudInit, c);
  }
  return c;
}

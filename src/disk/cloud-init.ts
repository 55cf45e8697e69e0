/**
 * @module cloud-init's configuration in Ingot's bootable images: the datasources of the platforms
 * an image is deployed to (NoCloud seeds, OpenStack config drives and metadata, VMware guestinfo,
 * Azure/Hyper-V, EC2), the root partition and file system grown to the disk on first boot, ed25519
 * and ECDSA host keys before sshd starts (no RSA key: it takes 5-15 s of CPU under TCG), networks
 * written for systemd-networkd, and nothing that rewrites the image's apt sources, runs locale-gen,
 * probes disks for grub-pc's debconf or prints keys to the serial console at boot; and cloud-init's
 * command started without importlib.metadata's search of the installed packages.
 */

export const CLOUD_DATASOURCES = ['NoCloud', 'ConfigDrive', 'OpenStack', 'VMware', 'Azure', 'Ec2', 'None'] as const;

export const CLOUD_CFG = `# Written by Ingot's bootable-disk layer.
datasource_list: [ ${CLOUD_DATASOURCES.join(', ')} ]
growpart:
  mode: auto
  devices: ['/']
# The file system grows in a background process: the local stage (and sshd, after it) does not wait for resize2fs.
resize_rootfs: noblock
ssh_genkeytypes: [ed25519, ecdsa]
# ssh-keygen's output (fingerprints, randomart) stays off the serial console too.
ssh_quiet_keygen: true
# The serial console runs at 115200 baud: no host keys or fingerprints printed to it on first boot.
ssh:
  emit_keys_to_console: false
no_ssh_fingerprints: true
locale: 'false'
# Ingot's disk writer installs GRUB; grub-dpkg would only probe disks for grub-pc's debconf (~20 s under TCG).
grub_dpkg:
  enabled: false
apt:
  preserve_sources_list: true
# systemd-networkd, not ifupdown (in Debian's base too): one DHCP client, and cloud-init.service
# does not wait for networking.service's ifup.
system_info:
  network:
    renderers: [networkd]
    activators: [networkd]
`;

/**
 * cloud-init's systemd units, of both generations; the boot layer enables those the package has.
 * Up to 24.2 (Debian 12): a Python process per stage (local, network as cloud-init.service, config,
 * final). From 24.3 (Debian 13): cloud-init-main.service is the one process, the stage units only
 * tell it to run the next stage, and the network stage's unit is cloud-init-network.service.
 */
export const CLOUD_INIT_UNITS = [
  'cloud-init-main.service',
  'cloud-init-local.service',
  'cloud-init.service',
  'cloud-init-network.service',
  'cloud-config.service',
  'cloud-final.service',
] as const;

/** Where the image keeps it. */
export const CLOUD_CFG_PATH = '/etc/cloud/cloud.cfg.d/90-ingot.cfg';

/**
 * sshd needs a host key to start; when no datasource is found (ds-identify then disables
 * cloud-init) this makes the ed25519 one.
 */
export const HOSTKEY_FALLBACK_UNIT = `[Unit]
Description=Ingot: an ed25519 SSH host key when cloud-init made none
After=cloud-init.service cloud-init-network.service
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key

[Install]
WantedBy=multi-user.target
`;

/** Where dpkg keeps Debian's /usr/bin/cloud-init once Ingot's entry script takes its place (dpkg-divert). */
export const CLOUD_INIT_DIVERTED = '/usr/bin/cloud-init.distrib';

/**
 * /usr/bin/cloud-init as setuptools wrote it looks its entry point up with importlib.metadata:
 * importing it (zipfile, email, csv, pathlib) and searching every installed package's metadata
 * before cloud-init's own imports, in each of the three or four cloud-init processes of a boot
 * (the first of them before sshd can start). This script imports cloud-init's `main` directly, the
 * function that entry point names; when it is gone (another cloud-init), it runs Debian's script.
 */
export const CLOUD_INIT_ENTRY = `#!/usr/bin/python3
# Written by Ingot: cloud-init's entry point without the importlib.metadata lookup (Debian's script: ${CLOUD_INIT_DIVERTED}).
import sys
try:
    from cloudinit.cmd.main import main
except ImportError:
    import os
    os.execv("${CLOUD_INIT_DIVERTED}", [sys.argv[0], *sys.argv[1:]])
sys.exit(main())
`;

/** Shell lines of the boot layer (after cloud-init's package is installed) that put the entry script in place. */
export const cloudInitEntryScript =
  (): string => `dpkg-divert --local --quiet --rename --divert ${CLOUD_INIT_DIVERTED} --add /usr/bin/cloud-init
cat > /usr/bin/cloud-init <<'EOF'
${CLOUD_INIT_ENTRY}EOF
chmod 0755 /usr/bin/cloud-init
`;

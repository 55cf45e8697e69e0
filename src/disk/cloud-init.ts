/**
 * @module cloud-init's configuration in Ingot's bootable images: the datasources of the platforms
 * an image is deployed to (NoCloud seeds, OpenStack config drives and metadata, VMware guestinfo,
 * Azure/Hyper-V, EC2), the root partition and file system grown to the disk on first boot, ed25519
 * and ECDSA host keys before sshd starts (no RSA key: it takes 5-15 s of CPU under TCG), networks
 * written for systemd-networkd, and nothing that rewrites the image's apt sources, runs locale-gen,
 * probes disks for grub-pc's debconf or prints keys to the serial console at boot.
 */

export const CLOUD_DATASOURCES = ['NoCloud', 'ConfigDrive', 'OpenStack', 'VMware', 'Azure', 'Ec2', 'None'] as const;

export const CLOUD_CFG = `# Written by Ingot's bootable-disk layer.
datasource_list: [ ${CLOUD_DATASOURCES.join(', ')} ]
growpart:
  mode: auto
  devices: ['/']
resize_rootfs: true
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

/** Where the image keeps it. */
export const CLOUD_CFG_PATH = '/etc/cloud/cloud.cfg.d/90-ingot.cfg';

/**
 * sshd needs a host key to start; when no datasource is found (ds-identify then disables
 * cloud-init) this makes the ed25519 one.
 */
export const HOSTKEY_FALLBACK_UNIT = `[Unit]
Description=Ingot: an ed25519 SSH host key when cloud-init made none
After=cloud-init.service
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key

[Install]
WantedBy=multi-user.target
`;

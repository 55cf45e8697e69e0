/**
 * @module What the `debian-12`/`debian-13` bases carry on top of Debian's "important" priority set,
 * so real component documents find what an EC2 instance of Debian's own cloud image has. Taken from
 * Debian's cloud image definitions (salsa.debian.org/cloud-team/debian-cloud-images,
 * `config_space/<release>/package_config/`: SYSTEM_BOOT, CLOUD and EXTRAS), minus what only a booted
 * cloud machine needs (cloud-init, growroot, netplan, systemd-resolved, apparmor, polkitd) and the
 * interactive extras (man pages, reportbug, screen, tcpdump); plus a few tools real documents call
 * that Debian's images get through cloud-init or recommends (wget, gnupg, lsb-release, unzip).
 */

/** From SYSTEM_BOOT (Debian's cloud images): sudo, login sessions, time, upgrades, "important" tools. */
const SYSTEM_BOOT = [
  'sudo',
  'libpam-systemd',
  // Resolves the machine's own hostname whatever it is (sudo warns "unable to resolve host" otherwise).
  'libnss-myhostname',
  'unattended-upgrades',
  'systemd-timesyncd',
  'apt-utils',
  'init',
  'iptables',
  'iputils-ping',
  'less',
  'nano',
  'netbase',
  'vim-tiny',
  'whiptail',
  'zstd',
];

/** From CLOUD. */
const CLOUD = ['openssh-server'];

/** From EXTRAS ("commonly useful on a full-featured remote virtual machine or cloud instance"). */
const EXTRAS = [
  'bash-completion',
  'bind9-host',
  'ca-certificates',
  'curl',
  'ethtool',
  'pciutils',
  'psmisc',
  'traceroute',
  'uuid-runtime',
  'xz-utils',
];

/** Not in Debian's lists, but called by many public documents (and present on EC2's Debian images through cloud-init's dependencies). */
const DOCUMENTS_EXPECT = ['wget', 'gnupg', 'lsb-release', 'unzip', 'procps', 'adduser', 'systemd', 'dbus'];

/** Every package the cloud-like bases include, sorted, without repeats. */
export const CLOUD_PACKAGES: readonly string[] = [
  ...new Set([...SYSTEM_BOOT, ...CLOUD, ...EXTRAS, ...DOCUMENTS_EXPECT]),
].sort();

/**
 * @module Work a server VM never needs at boot, left out of every bootable image: systemd
 * generators for hibernation, offline system updates and GPT partition auto-discovery, and the
 * floppy and PC-speaker drivers udev would load for the emulated ISA devices. Each generator is a
 * process that loads systemd's shared library before the first unit starts (0.1-0.3 s of CPU each
 * under TCG); the floppy driver probes its controller beside cloud-init's first stage. On the
 * first boot, no fsck of the root file system: it is as Ingot's disk writer left it.
 */

/**
 * Generators masked (a /dev/null link of the same name in /etc/systemd/system-generators):
 * hibernate-resume (a `resume=` device: VMs are not hibernated by the guest), system-update
 * (PackageKit's offline updates, a desktop feature) and gpt-auto (mounts partitions found by their
 * GPT type when fstab names none; Ingot's fstab names the root and the ESP). The crypttab,
 * integritytab and veritytab generators stay: users' images may add encrypted or verified volumes.
 */
export const GENERATORS_MASKED = [
  'systemd-hibernate-resume-generator',
  'systemd-system-update-generator',
  'systemd-gpt-auto-generator',
] as const;

export const GENERATOR_MASK_DIR = '/etc/systemd/system-generators';

/** Kernel modules udev does not load (a user's `modprobe floppy` still does). */
export const MODULES_BLACKLISTED = ['floppy', 'pcspkr'] as const;

export const MODULE_BLACKLIST_PATH = '/etc/modprobe.d/ingot-server-vm.conf';

export const MODULE_BLACKLIST = `# Written by Ingot: drivers for emulated ISA devices a server VM does not use (remove to load them at boot).
${MODULES_BLACKLISTED.map((m) => `blacklist ${m}`).join('\n')}
`;

/**
 * systemd-random-seed writes this file on every boot once the root file system is writable; the disk
 * writer leaves it out of every image (a machine's own seed). Its absence marks the first boot.
 */
export const RANDOM_SEED = '/var/lib/systemd/random-seed';

export const FSCK_ROOT_DROPIN_PATH = '/etc/systemd/system/systemd-fsck-root.service.d/90-ingot-first-boot.conf';

/**
 * The root file system's check is skipped on the first boot only: the image's file system was
 * written and cleanly unmounted by Ingot moments (for the test phase) or days before, and e2fsck of a
 * clean ext4 is three processes (systemd-fsck, fsck, e2fsck) before the root is remounted
 * read-write, which cloud-init's local stage waits for (1-1.4 s quiet under TCG, 4.5 s at load 8).
 * Every later boot checks as before.
 */
export const FSCK_ROOT_DROPIN = `# Written by Ingot: no check on the first boot (the file system is as the image build left it).
[Unit]
ConditionPathExists=${RANDOM_SEED}
`;

/** Shell lines of the boot layer that put the above in place. */
export const bootTrimScript =
  (): string => `mkdir -p ${GENERATOR_MASK_DIR} /etc/modprobe.d ${FSCK_ROOT_DROPIN_PATH.replace(/\/[^/]+$/, '')}
for g in ${GENERATORS_MASKED.join(' ')}; do ln -sfn /dev/null "${GENERATOR_MASK_DIR}/$g"; done
cat > ${MODULE_BLACKLIST_PATH} <<'EOF'
${MODULE_BLACKLIST}EOF
cat > ${FSCK_ROOT_DROPIN_PATH} <<'EOF'
${FSCK_ROOT_DROPIN}EOF
`;

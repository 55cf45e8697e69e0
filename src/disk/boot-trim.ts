/**
 * @module Work a server VM never needs at boot, left out of every bootable image: systemd
 * generators for hibernation, offline system updates and GPT partition auto-discovery, and the
 * floppy and PC-speaker drivers udev would load for the emulated ISA devices. Each generator is a
 * process that loads systemd's shared library before the first unit starts (0.1-0.3 s of CPU each
 * under TCG); the floppy driver probes its controller beside cloud-init's first stage.
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

/** Shell lines of the boot layer that put the above in place. */
export const bootTrimScript = (): string => `mkdir -p ${GENERATOR_MASK_DIR} /etc/modprobe.d
for g in ${GENERATORS_MASKED.join(' ')}; do ln -sfn /dev/null "${GENERATOR_MASK_DIR}/$g"; done
cat > ${MODULE_BLACKLIST_PATH} <<'EOF'
${MODULE_BLACKLIST}EOF
`;

/**
 * @module What stands between power-on and the first SSH login in a bootable image with cloud-init,
 * trimmed: ds-identify stops at the first datasource found, cloud-init's network stage is skipped
 * when the local stage already applied a local datasource (a NoCloud seed, a config drive), and
 * units a server image has no use for at boot are disabled (ifupdown's networking.service, as
 * networkd configures the network; e2scrub's reaper and timer, which only serve LVM snapshots).
 * In every bootable image: root's user manager (the first SSH login as root waits for it) starts at
 * boot and runs no gpg-agent generator, sshd starts once (no separate config test), and units
 * that only load kernel modules a server never needs at boot are masked.
 */

/** ds-identify's policy: the first datasource of `datasource_list` that matches wins (default: all are checked). */
export const DS_IDENTIFY_CFG = 'policy: search,found=first,maybe=none,notfound=disabled\n';
export const DS_IDENTIFY_CFG_PATH = '/etc/cloud/ds-identify.cfg';

/** Where the local stage records the datasource it found (`str()` of it, with its mode). */
export const CLOUD_INIT_STATUS = '/run/cloud-init/status.json';

/**
 * Exits 0 (run the network stage) unless the status file says the datasource works in local mode:
 * NoCloud prints `[dsmode=local]`, ConfigDrive `[local,ver=N]`. The network stage would then only
 * start Python to restore the cached datasource and exit ("datasource ... in local mode"), seconds
 * under TCG with sshd and every unit after sysinit.target waiting for it. Network datasources
 * (OpenStack's metadata service, EC2, Azure, VMware) print no local mode, so their stage runs.
 */
export const netStageNeeded = (statusFile: string): string =>
  `! grep -qsF -e 'dsmode=local]' -e '[local,ver=' ${statusFile}`;

export const CLOUD_INIT_NET_DROPIN_PATH = '/etc/systemd/system/cloud-init.service.d/90-ingot-local-datasource.conf';

/**
 * Only for cloud-init before 24.3, whose network stage (cloud-init.service) is a Python process of its
 * own. In the single-process cloud-init (cloud-init-main.service) the stage's unit only tells the main
 * process to go on, which would wait for it forever if it were skipped.
 */
export const CLOUD_INIT_NET_DROPIN = `# Written by Ingot: the local stage already applied a local datasource; this stage would only exit.
[Service]
ExecCondition=/bin/sh -c "${netStageNeeded(CLOUD_INIT_STATUS)}"
`;

/** Units disabled in images with cloud-init (each is skipped when the image has no such unit). */
export const UNITS_DISABLED = ['networking.service', 'e2scrub_reap.service', 'e2scrub_all.timer'] as const;

/** The shell lines of the boot layer that put the above in place. */
export const bootOrderScript = (): string => `cat > ${DS_IDENTIFY_CFG_PATH} <<'EOF'
${DS_IDENTIFY_CFG}EOF
if [ -e /lib/systemd/system/cloud-init.service ] && [ ! -e /lib/systemd/system/cloud-init-main.service ]; then
  mkdir -p ${CLOUD_INIT_NET_DROPIN_PATH.replace(/\/[^/]+$/, '')}
  cat > ${CLOUD_INIT_NET_DROPIN_PATH} <<'EOF'
${CLOUD_INIT_NET_DROPIN}EOF
fi
for u in ${UNITS_DISABLED.join(' ')}; do
  if [ -e "/lib/systemd/system/$u" ]; then systemctl disable "$u"; fi
done
`;

/**
 * gpg-agent's generator for user managers runs gpgconf three times on every login's user manager
 * start (2-3 s under TCG, before the first SSH session opens) only to export SSH_AUTH_SOCK when
 * gpg-agent's ssh support is configured, which a server image does not use. Masked by a /dev/null link.
 */
export const USER_ENV_GENERATOR_MASK = '/etc/systemd/user-environment-generators/90gpg-agent';

/**
 * logind starts the user manager of a lingering user when it starts at boot, instead of at that
 * user's first login, where the login waits for it (user-runtime-dir@0 and user@0: 4-6 s under TCG,
 * the biggest part of sshd answering → the session's shell). Root lingers: Ingot's test phase,
 * `ingot run` and automation log in as root. Its manager then keeps running (a few MiB).
 */
export const ROOT_LINGER = '/var/lib/systemd/linger/root';

/**
 * Debian's ssh.service runs `sshd -t` (a config test) before `sshd -D`, which tests the same config
 * itself when it starts: two sshd starts (each loading OpenSSL and the host keys, about a second
 * under TCG) before port 22 answers. The drop-in keeps only the daemon's; `ExecReload` still tests first.
 */
export const SSHD_DROPIN_PATH = '/etc/systemd/system/ssh.service.d/90-ingot-no-pretest.conf';
export const SSHD_DROPIN = `# Written by Ingot: sshd -D checks its config when it starts; no separate sshd -t before it.
[Service]
ExecStartPre=
`;

/**
 * Units masked in every bootable image: systemd-repart (no repart.d in the image, so skipped on
 * every boot, but its Wants still run modprobe for loop and dm_mod first) and modprobe@drm (logind
 * wants DRM loaded early for graphical seats; a GPU's driver still pulls drm in through udev).
 * systemd-binfmt stays: qemu-user-static, Wine or Java register their formats through it in users' images.
 * Each modprobe is a process loading kmod with OpenSSL, 0.5-2 s of CPU under TCG at early boot,
 * beside cloud-init's local stage.
 */
export const UNITS_MASKED = ['systemd-repart.service', 'modprobe@drm.service'] as const;

/** Shell lines for the above (in every bootable image: with or without cloud-init). */
export const userManagerScript = (): string => `mkdir -p ${USER_ENV_GENERATOR_MASK.replace(/\/[^/]+$/, '')}
ln -sfn /dev/null ${USER_ENV_GENERATOR_MASK}
mkdir -p ${ROOT_LINGER.replace(/\/[^/]+$/, '')} ${SSHD_DROPIN_PATH.replace(/\/[^/]+$/, '')}
: > ${ROOT_LINGER}
cat > ${SSHD_DROPIN_PATH} <<'EOF'
${SSHD_DROPIN}EOF
systemctl mask ${UNITS_MASKED.join(' ')}
`;

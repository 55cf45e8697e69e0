/**
 * @module The root file system's /boot/grub/grub.cfg, shared by both boot paths: BIOS GRUB's core
 * image reads it directly, UEFI's signed GRUB through the ESP's small grub.cfg. No menu (timeout 0).
 * Both set `$root` to the root file system before reading it, so the UUID search tries that device
 * first (`--hint`) instead of probing every disk and partition (the NoCloud seed too) through the firmware.
 */

/**
 * Kernel command line: serial console last, so /dev/console is ttyS0. `quiet`: only warnings and
 * errors reach the consoles (each character on the emulated UART and VGA costs time under TCG);
 * the whole kernel log stays in dmesg, where the boot-stage report reads it. `no_timer_check`: the
 * kernel's IO-APIC timer check can fail on a busy host under TCG and panic the guest (cloud images set it).
 * `tsc=reliable`: the kernel keeps the TSC as its clock instead of the HPET. Without it, a guest with
 * two vCPUs under TCG (qemu64 is an AMD model without an invariant TSC) fails the TSC sync check and
 * falls back to the HPET, whose every read is an emulated MMIO access and which the vDSO cannot use:
 * each clock_gettime() becomes a system call (systemd, journald and Python read the clock
 * constantly; each HPET read also takes qemu's global lock). Measured on a loaded host: about a
 * quarter less guest CPU from power-on to SSH; little on a quiet one (bench/README.md, boot-speed). Hypervisors with a paravirtual clock (kvm-clock, Hyper-V's reference TSC page, Xen)
 * still rate theirs above the TSC; VMware marks its TSC reliable itself.
 */
export const KERNEL_ARGS = 'ro console=tty0 console=ttyS0,115200n8 net.ifnames=0 no_timer_check tsc=reliable quiet';

export const grubCfg = (uuid: string): string => `# Written by Ingot. /vmlinuz and /initrd.img follow kernel upgrades.
if [ "$grub_platform" = pc ]; then
  serial --unit=0 --speed=115200
  terminal_input serial console
  terminal_output serial console
fi
set default=0
# No boot menu, as in Debian's cloud images.
set timeout=0
menuentry 'Debian GNU/Linux' {
  search --no-floppy --fs-uuid --set=root --hint=$root ${uuid}
  linux /vmlinuz root=UUID=${uuid} ${KERNEL_ARGS}
  initrd /initrd.img
}
`;

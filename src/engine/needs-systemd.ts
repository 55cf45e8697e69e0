/**
 * @module Which components need a running systemd (start, restart or check a service, reload unit
 * files): sandboxes have no init, so an image recipe with such a component builds in a qemu build
 * instance by itself, as on EC2 where systemd is PID 1. `systemctl enable/disable/mask/is-enabled`
 * work offline and do not count. INGOT_SYSTEMD_ROUTING=off keeps such recipes in sandboxes.
 */
import type { BuildComponent } from './request.ts';

const SYSTEMCTL_RUNTIME =
  /\bsystemctl\s+(?:-[-\w=]+\s+)*(?:start|stop|restart|reload|try-restart|reload-or-restart|try-reload-or-restart|is-active|is-failed|status|daemon-reload|daemon-reexec|kill|isolate|is-system-running)\b|\bsystemctl\s+(?:-[-\w=]+\s+)*(?:enable|disable)\s+(?:[^\n;&|]*\s)?--now\b/;
const SERVICE_COMMAND =
  /(?:^\s*|[;&|(`]\s*|\bsudo\s+(?:-\S+\s+)*)service\s+[\w@.-]+\s+(?:start|stop|restart|reload|force-reload|status)\b/;

/** The first line of `text` that needs a running systemd, or undefined. */
export function systemdLine(text: string): string | undefined {
  return text
    .split('\n')
    .find((l) => !/^\s*#/.test(l) && (SYSTEMCTL_RUNTIME.test(l) || SERVICE_COMMAND.test(l)))
    ?.trim()
    .replace(/^-\s+/, ''); // a YAML list item's dash is not part of the command
}

/** The first component (and its line) whose build, validate or test steps need a running systemd. */
export function componentNeedingSystemd(
  components: readonly BuildComponent[],
): { component: string; line: string } | undefined {
  for (const c of components) {
    const line = systemdLine(c.text);
    if (line) return { component: c.name, line };
  }
  return undefined;
}

/** The VM size such builds get (ingot.vm.medium: nginx and friends need more than the smallest). */
export const SYSTEMD_VM = { cpus: 2, memoryMiB: 2048 } as const;

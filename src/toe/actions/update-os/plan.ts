/** @module The shell script UpdateOS runs for each package manager (include/exclude lists passed as arguments). */
import { IngotError } from '../../../errors/ingot-error.ts';

export type PackageManager = 'apt-get' | 'dnf' | 'yum' | 'zypper';

/**
 * Args layout: "$1" = number of includes, then the includes, then the excludes.
 * apt: excluded packages are held for the upgrade and released afterwards.
 */
const SCRIPTS: Record<PackageManager, string> = {
  'apt-get': `n=$1; shift; inc=; i=0
for a in "$@"; do i=$((i+1)); if [ $i -le $n ]; then inc="$inc $a"; else apt-mark hold "$a" >/dev/null || exit 1; held="$held $a"; fi; done
apt-get update -q || exit 1
if [ -n "$inc" ]; then apt-get install -y -q --only-upgrade $inc; else apt-get upgrade -y -q; fi; rc=$?
[ -n "$held" ] && apt-mark unhold $held >/dev/null
exit $rc`,
  dnf: `n=$1; shift; inc=; exc=; i=0
for a in "$@"; do i=$((i+1)); if [ $i -le $n ]; then inc="$inc $a"; else exc="$exc --exclude=$a"; fi; done
dnf upgrade -y $exc $inc`,
  yum: `n=$1; shift; inc=; exc=; i=0
for a in "$@"; do i=$((i+1)); if [ $i -le $n ]; then inc="$inc $a"; else exc="$exc --exclude=$a"; fi; done
yum update -y $exc $inc`,
  zypper: `n=$1; shift; inc=; i=0
for a in "$@"; do i=$((i+1)); if [ $i -le $n ]; then inc="$inc $a"; else zypper -n addlock "$a" >/dev/null || exit 1; locked="$locked $a"; fi; done
zypper -n refresh || exit 1
if [ -n "$inc" ]; then zypper -n update $inc; else zypper -n update; fi; rc=$?
[ -n "$locked" ] && zypper -n removelock $locked >/dev/null
exit $rc`,
};

const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+._:*-]*$/;

export function updateScript(
  pm: PackageManager,
  include: string[],
  exclude: string[],
): { script: string; args: string[] } {
  for (const name of [...include, ...exclude]) {
    if (!PACKAGE_NAME.test(name)) throw new IngotError('invalid-input', `UpdateOS: '${name}' is not a package name`);
  }
  return { script: SCRIPTS[pm], args: [String(include.length), ...include, ...exclude] };
}

#!/usr/bin/env bash
# Installs the Debian packages Ingot uses to build, check and ship images (idempotent).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  awscli            # the AWS CLI v2 from Debian, one of the API clients in the tests
  mmdebstrap        # bootstraps the managed Debian base images
  bubblewrap        # the sandbox build instance (namespaces, chroot-like root, private /proc /dev /tmp)
  slirp4netns       # the sandbox's own outbound-only network (no host loopback, no host ports)
  attr              # getfattr/setfattr: xattrs in OCI layers
  wrk               # HTTP load generator for bench/api-load.ts
  uidmap fakeroot   # helpers mmdebstrap may use
  buildah skopeo umoci  # OCI tooling: the buildah comparison in bench/, output checks in tests
  qemu-system-x86 qemu-utils  # VM build/test instances and disk formats
  mkosi debootstrap systemd-container  # the mkosi comparison in bench/disk-vs-mkosi.ts
  openssh-client    # the qemu instance runs steps over SSH
  fdisk dosfstools mtools  # boot disks without loop mounts: sfdisk (GPT), mkfs.vfat + mcopy (ESP, NoCloud seed)
  ovmf              # UEFI firmware (with Secure Boot and Microsoft keys) for the boot tests
  docker-registry   # a real OCI registry for distribution tests
  apache2-utils     # htpasswd, for the authenticated registry test
  iproute2 util-linux e2fsprogs zstd
  strace            # tests see which files a build fsyncs (its outputs and layers are durable before it reports success)
  openscap-scanner openscap-utils lynis  # compliance scans (oscap-chroot, Lynis) of built images
  chromium          # the real headless browser of the console test (test/console/, driven by playwright-core)
  postgresql        # the PostgreSQL store: tests start a throwaway cluster (initdb + pg_ctl)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

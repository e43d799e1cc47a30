#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/qemu-install.sh: install what the QEMU acceptance suite (tests/qemu)
# needs on Debian 12:
#
#   - QEMU >= 10 (qemu-system-arm, qemu-system-x86, qemu-system-misc for
#     qemu-system-riscv64) from the bookworm-backports suite: Debian 12's own
#     QEMU 7.2 lacks SMMUv3 stage 2, the RISC-V IOMMU and more;
#   - gcc-aarch64-linux-gnu and gcc-riscv64-linux-gnu, the cross compilers of
#     the aarch64 and riscv64 bare-metal ports (the x86 port uses the host gcc
#     with -m32; the riscv64 port is freestanding and needs no C library);
#   - libfdt for aarch64 (the device-tree discovery scenario links it): Debian's
#     libfdt-dev:arm64 package, downloaded (arm64 added as a foreign dpkg
#     architecture) and unpacked into $IOMM_LIBFDT_AARCH64 (default
#     /opt/iommuman/libfdt-aarch64), not installed: libfdt-dev cannot be
#     installed for two architectures at once. Failing that only skips that
#     scenario.
#
# The backports entry is built from the mirror of the machine's existing Debian
# entry (the deb822 file /etc/apt/sources.list.d/debian.sources or the one-line
# /etc/apt/sources.list), so no mirror name is ever written into the repository.
# Nothing is installed when QEMU >= 10 and the cross compilers are present.
#
# Runs as root, or through sudo otherwise. Exit status: 0 when everything is in
# place, 1 otherwise with the reason on stderr (callers report the QEMU suite as
# skipped with that reason; it never passes silently).
#
# Environment:
#   IOMM_QEMU_MIN_MAJOR   lowest acceptable QEMU major version (default 10)
#   IOMM_LIBFDT_AARCH64   where libfdt-dev:arm64 is unpacked (default /opt/iommuman/libfdt-aarch64)
set -euo pipefail

min_major=${IOMM_QEMU_MIN_MAJOR:-10}
suite=bookworm-backports
sources_d=/etc/apt/sources.list.d
entry=$sources_d/$suite.sources

say() { echo "qemu-install: $*"; }
fail() {
	echo "qemu-install: FAILED: $*" >&2
	echo "qemu-install: the QEMU acceptance tests will be reported as skipped" >&2
	exit 1
}

# Major version of a QEMU binary, or 0 when it is missing or unreadable.
qemu_major() {
	local v
	v=$("$1" --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p' | head -n 1) || true
	echo "${v:-0}"
}

libfdt_dir=${IOMM_LIBFDT_AARCH64:-/opt/iommuman/libfdt-aarch64}
have_libfdt() {
	[ -f "$libfdt_dir/usr/lib/aarch64-linux-gnu/libfdt.a" ] && [ -f "$libfdt_dir/usr/include/libfdt.h" ]
}

have_all() {
	have_libfdt &&
		[ "$(qemu_major qemu-system-aarch64)" -ge "$min_major" ] &&
		[ "$(qemu_major qemu-system-x86_64)" -ge "$min_major" ] &&
		[ "$(qemu_major qemu-system-riscv64)" -ge "$min_major" ] &&
		command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 &&
		command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 &&
		[ -e /usr/aarch64-linux-gnu/include/stdlib.h ]
}

if have_all; then
	say "already present: $(qemu-system-aarch64 --version | head -n 1), aarch64-linux-gnu-gcc, riscv64-linux-gnu-gcc"
	exit 0
fi

# shellcheck source=scripts/lib/packages.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/packages.sh"
apt_get() {
	pkg_apt_get "$@"
}

codename=
if [ -r /etc/os-release ]; then
	# shellcheck disable=SC1091 # a system file, read at run time
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
fi

# Is a backports suite already configured (one-line or deb822, not commented out)?
backports_configured() {
	local f
	for f in /etc/apt/sources.list "$sources_d"/*.list; do
		[ -r "$f" ] || continue
		grep -Eq "^[[:space:]]*deb[[:space:]].*[[:space:]]$suite([[:space:]]|$)" "$f" && return 0
	done
	for f in "$sources_d"/*.sources; do
		[ -r "$f" ] || continue
		grep -Eiq "^[[:space:]]*Suites:.*[[:space:]]$suite([[:space:]]|$)" "$f" && return 0
	done
	return 1
}

# Print "URI<TAB>SIGNED-BY" of the machine's main Debian entry (suite bookworm,
# type deb), from the deb822 files first, then the one-line format.
find_mirror() {
	local f
	for f in "$sources_d"/debian.sources "$sources_d"/*.sources; do
		[ -r "$f" ] || continue
		# deb822: stanzas separated by blank lines; fields may be in any order.
		awk -v want=bookworm '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && uri != "" && !done) {
					printf "%s\t%s\n", uri, signed; done = 1
				}
				types = ""; suites = ""; uri = ""; signed = ""
			}
			/^[[:space:]]*#/ { next }
			/^[[:space:]]*$/ { flush(); next }
			{
				line = $0; sub(/^[[:space:]]+/, "", line)
				key = tolower(line); sub(/:.*/, "", key)
				val = line; sub(/^[^:]*:[[:space:]]*/, "", val); sub(/[[:space:]]+$/, "", val)
				if (key == "types") types = val
				else if (key == "suites") suites = val
				else if (key == "uris") { split(val, u, /[[:space:]]+/); uri = u[1] }
				else if (key == "signed-by") signed = val
				else if (key == "enabled" && tolower(val) == "no") types = ""
			}
			END { flush() }
		' "$f" | head -n 1 | grep . && return 0
	done
	if [ -r /etc/apt/sources.list ]; then
		# deb [options] URI SUITE COMPONENTS...
		awk -v want=bookworm '
			/^[[:space:]]*deb[[:space:]]/ {
				i = 2
				if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if ($(i + 1) == want) { printf "%s\t\n", $i; exit }
			}
		' /etc/apt/sources.list | head -n 1 | grep . && return 0
	fi
	return 1
}

want_suite=()
if [ "$codename" = bookworm ]; then
	if backports_configured; then
		say "$suite is already configured"
	else
		line=$(find_mirror) ||
			fail "no 'deb ... bookworm' entry found in /etc/apt/sources.list or $sources_d/*.sources"
		uri=${line%%$'\t'*}
		signed=${line#*$'\t'}
		if [ -z "$signed" ] && [ -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
			signed=/usr/share/keyrings/debian-archive-keyring.gpg
		fi
		say "adding $entry (mirror taken from the existing Debian entry)"
		{
			echo "# Added by iommuman scripts/qemu-install.sh: QEMU >= $min_major for tests/qemu."
			echo "Types: deb"
			echo "URIs: $uri"
			echo "Suites: $suite"
			echo "Components: main"
			[ -z "$signed" ] || echo "Signed-By: $signed"
		} | pkg_as_root tee "$entry" >/dev/null || fail "cannot write $entry"
	fi
	want_suite=(-t "$suite")
elif [ -n "$codename" ]; then
	say "Debian/Ubuntu '$codename': installing from the default suites"
fi

apt_get update || fail "apt-get update failed"

pkgs=()
if [ "$(qemu_major qemu-system-aarch64)" -lt "$min_major" ] ||
	[ "$(qemu_major qemu-system-x86_64)" -lt "$min_major" ] ||
	[ "$(qemu_major qemu-system-riscv64)" -lt "$min_major" ]; then
	# Only -t SUITE: its packages win for QEMU and whatever it needs from there.
	apt_get install -y --no-install-recommends "${want_suite[@]}" qemu-system-arm qemu-system-x86 \
		qemu-system-misc ||
		fail "apt-get install qemu-system-arm qemu-system-x86 qemu-system-misc ${want_suite[*]} failed"
fi
# The target C library headers are a recommends of the cross compiler: named.
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || pkgs+=(gcc-aarch64-linux-gnu)
[ -e /usr/aarch64-linux-gnu/include/stdlib.h ] || pkgs+=(libc6-dev-arm64-cross)
# riscv64: freestanding (no C library headers, no libfdt), the compiler alone.
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || pkgs+=(gcc-riscv64-linux-gnu)
if [ ${#pkgs[@]} -gt 0 ]; then
	apt_get install -y --no-install-recommends "${pkgs[@]}" || fail "apt-get install ${pkgs[*]} failed"
fi

for q in qemu-system-aarch64 qemu-system-x86_64 qemu-system-riscv64; do
	m=$(qemu_major "$q")
	[ "$m" -ge "$min_major" ] || fail "$q reports major version $m after installation, need >= $min_major"
done
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || fail "aarch64-linux-gnu-gcc still missing"
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || fail "riscv64-linux-gnu-gcc still missing"

# libfdt built for aarch64: the package's files, unpacked (never committed).
if ! have_libfdt; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		pkg_as_root dpkg --add-architecture arm64 && apt_get update ||
			say "WARNING: could not add the arm64 architecture"
	fi
	tmp=$(mktemp -d)
	if (cd "$tmp" && apt_get download libfdt-dev:arm64) &&
		pkg_as_root mkdir -p "$libfdt_dir" &&
		pkg_as_root dpkg-deb -x "$tmp"/libfdt-dev_*_arm64.deb "$libfdt_dir"; then
		say "libfdt for aarch64 unpacked in $libfdt_dir"
	else
		say "WARNING: libfdt-dev:arm64 unavailable: the device-tree discovery scenario will be skipped"
	fi
	rm -rf "$tmp"
fi
say "ready: $(qemu-system-aarch64 --version | head -n 1); $(qemu-system-x86_64 --version | head -n 1); $(qemu-system-riscv64 --version | head -n 1)"

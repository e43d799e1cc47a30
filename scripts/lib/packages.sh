# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/lib/packages.sh: the one place where the scripts install Debian
# packages. Sourced (not run) by scripts/test.sh, scripts/demo.sh and
# scripts/qemu-install.sh:
#
#   . scripts/lib/packages.sh
#   pkg_want cmake cmake ctest          # PACKAGE CHECK...: a command or an absolute path
#   pkg_install_missing || exit 1       # apt-get install of what is missing, only that
#   pkg_apt_get install -y -t SUITE X   # apt-get as root (directly or through sudo)
#
# Packages are installed with --no-install-recommends, so every package a
# script needs is named: where Debian delivers a part only as a recommends
# (the cross compilers' C library headers, llvm-symbolizer for the
# sanitizers), the scripts name that package too.

pkg_missing=()

# pkg_want PACKAGE CHECK...: PACKAGE is missing if any CHECK fails; a CHECK is
# a command name or an absolute path that must exist.
pkg_want() {
	local pkg=$1 c
	shift
	for c in "$@"; do
		case $c in
		/*) [ -e "$c" ] || { pkg_missing+=("$pkg"); return 0; } ;;
		*) command -v "$c" >/dev/null 2>&1 || { pkg_missing+=("$pkg"); return 0; } ;;
		esac
	done
}

# pkg_apt_get ARGS...: apt-get as root, through sudo when not root.
pkg_apt_get() {
	local sudo=()
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "apt-get not found: install the packages by hand: $*" >&2
		return 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "not root and sudo not found: cannot run apt-get $*" >&2
			return 1
		fi
		sudo=(sudo)
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}

# pkg_as_root CMD ARGS...: run CMD as root (through sudo when not root).
pkg_as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

# pkg_install_missing: install every package pkg_want found missing (silent
# when nothing is missing).
pkg_install_missing() {
	[ ${#pkg_missing[@]} -gt 0 ] || return 0
	echo "installing missing packages: ${pkg_missing[*]}"
	pkg_apt_get update || return 1
	pkg_apt_get install -y --no-install-recommends "${pkg_missing[@]}" || return 1
	pkg_missing=()
}

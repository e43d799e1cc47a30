#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/check-doc-coverage.sh HEADER_DIR HTML_DIR
#
# Checks that every function declared or defined (static inline ones
# included) in the public headers HEADER_DIR/*.h has an entry of its own
# (a member title "NAME()") in the Doxygen HTML output HTML_DIR. (The XML
# output is no use here: it lists static functions even when EXTRACT_STATIC
# keeps them out of the HTML reference.) Run by the docs
# target after Doxygen, so a function that drops out of the reference (for
# instance a static inline one when EXTRACT_STATIC is off) fails the build.
#
# A declaration is a line at column 0 of the form
#   [static inline ][const ]TYPE[ *]NAME(
# with NAME starting with iomm_; struct members and macros are indented or
# start with #, so they are not taken for functions. Declarations between
# "@cond INTERNAL" and "@endcond" are internal (hidden from the reference on
# purpose) and skipped.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 HEADER_DIR HTML_DIR" >&2
	exit 2
fi
hdr_dir=$1
html_dir=$2
[ -f "$html_dir/index.html" ] || { echo "$0: $html_dir/index.html not found" >&2; exit 1; }

declared=$(awk '/@cond INTERNAL/ { skip = 1 } !skip { print } /@endcond/ { skip = 0 }' "$hdr_dir"/*.h |
	grep -E '^(static inline )?(const )?(struct |enum |unsigned )?[a-z_0-9]+[ *]+iomm_[a-z_0-9]+\(' | sed -E 's/^.*[ *](iomm_[a-z_0-9]+)\(.*$/\1/' | sort -u)
documented=$(grep -ho 'class="memtitle">.*</h2>' "$html_dir"/*.html |
	sed -nE 's|.*</span>(iomm_[a-z_0-9]+)\(\)</h2>$|\1|p' | sort -u)

n=$(printf '%s\n' "$declared" | grep -c . || true)
missing=$(comm -23 <(printf '%s\n' "$declared") <(printf '%s\n' "$documented"))
if [ -n "$missing" ]; then
	echo "$0: public functions missing from the API reference:" >&2
	# shellcheck disable=SC2086 # one name a line
	printf '  %s\n' $missing >&2
	exit 1
fi
if [ "$n" -lt 1 ]; then
	echo "$0: no function declarations found in $hdr_dir" >&2
	exit 1
fi
echo "API reference: all $n public functions of $hdr_dir are documented"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Test of examples/tools/iomm-dump (CTest label "unit"):
#
#   test_iomm_dump.sh IOMM_DUMP MAKE_IMAGE WORKDIR
#
# For each configuration make_image builds a table with the library, writes
# the pool memory as an image, and lists the ranges the map and unmap calls
# made (from a shadow model, not from the tables). iomm-dump must print
# exactly those ranges, with their permissions and attributes. Then: a
# corrupted table must be reported (exit status 1), and an STE and a CD,
# given as words and read from an image, must decode into the right fields.
# VT-d second-stage and x86-64 tables the same way, reached through the
# VT-d context / PASID-table entry that points to them: the pgt command the
# entry's decoding prints must dump the mappings that built the table.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 IOMM_DUMP MAKE_IMAGE WORKDIR" >&2; exit 2; }
tool=$1
gen=$2
dir=$3
rm -rf "$dir"
mkdir -p "$dir"
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

expect_line() {
	# expect_line FILE FIXED-STRING: FILE has a line containing the string
	grep -qF -- "$2" "$1" || fail "$(basename "$1"): no line with '$2'"
}

# ---- tables: printed ranges == the mappings that built them --------------------
for name in 4k_s1 4k_s2 16k_s1 64k_s2 vtd x86; do
	"$gen" "$name" "$dir"
	read -r -a args <"$dir/$name.args"
	if ! "$tool" pgt "${args[@]}" --image "$dir/$name.img" >"$dir/$name.out" 2>"$dir/$name.err"; then
		fail "$name: iomm-dump failed: $(cat "$dir/$name.err")"
		continue
	fi
	grep -v '^#' "$dir/$name.out" | sed 's/ leaves=.*$//' >"$dir/$name.got"
	[ -s "$dir/$name.expected" ] || fail "$name: nothing expected (generator broken)"
	if ! diff -u "$dir/$name.expected" "$dir/$name.got"; then
		fail "$name: printed ranges differ from the mappings"
	fi
	# one line per leaf with --leaves; their sizes add up to the ranges'
	"$tool" pgt "${args[@]}" --image "$dir/$name.img" --leaves >"$dir/$name.leaves"
	n_leaves=$(grep -vc '^#' "$dir/$name.leaves" || true)
	n_total=$(sed -n 's/^# [0-9]* ranges, \([0-9]*\) leaves$/\1/p' "$dir/$name.out")
	[ "$n_leaves" = "$n_total" ] || fail "$name: --leaves printed $n_leaves leaves, the summary says $n_total"
done
echo "tables: ranges match in 6 configurations"

# ---- VT-d: from the context / PASID-table entry to the mappings ------------------
for name in vtd x86; do
	read -r -a args <"$dir/$name.args"
	read -r -a words <"$dir/$name.ctx"
	base=0
	for ((i = 0; i < ${#args[@]}; i++)); do
		[ "${args[i]}" = --base ] && base=${args[i + 1]}
	done
	if [ "$name" = vtd ]; then
		"$tool" vtd-ctx "${words[@]}" >"$dir/$name.ctxout"
		expect_line "$dir/$name.ctxout" "P              0x1 (present)"
		expect_line "$dir/$name.ctxout" "TT             0x0 (second stage, untranslated requests only)"
		expect_line "$dir/$name.ctxout" "AW             0x2 (48-bit AGAW, 4 levels)"
		expect_line "$dir/$name.ctxout" "DID            0x7 (domain id)"
		cmd=$(sed -n 's/^second-stage tables: //p' "$dir/$name.ctxout")
	else
		"$tool" vtd-pasid "${words[@]}" >"$dir/$name.ctxout"
		expect_line "$dir/$name.ctxout" "PGTT           0x1 (first stage only)"
		expect_line "$dir/$name.ctxout" "FSPM           0x0 (4-level paging)"
		expect_line "$dir/$name.ctxout" "DID            0x7 (domain id)"
		cmd=$(sed -n 's/^first-stage tables: //p' "$dir/$name.ctxout")
	fi
	[ -n "$cmd" ] || { fail "$name: the entry's decoding names no pgt command"; continue; }
	# shellcheck disable=SC2206 # split on purpose
	cargs=(${cmd#iomm-dump })
	for ((i = 0; i < ${#cargs[@]}; i++)); do
		[ "${cargs[i]}" = FILE ] && cargs[i]=$dir/$name.img
		[ "${cargs[i]}" = PA ] && cargs[i]=$base
	done
	# the entry does not name the output size: give the one the table was built for
	if ! "$tool" "${cargs[@]}" --oas 46 >"$dir/$name.viactx" 2>"$dir/$name.err"; then
		fail "$name: '$cmd' failed: $(cat "$dir/$name.err")"
		continue
	fi
	grep -v '^#' "$dir/$name.viactx" | sed 's/ leaves=.*$//' >"$dir/$name.got2"
	diff -u "$dir/$name.expected" "$dir/$name.got2" ||
		fail "$name: the tables the entry points to do not hold the mappings"
done
echo "VT-d entries: lead to the tables that hold the mappings"

# ---- a broken table is reported ---------------------------------------------------
read -r -a args <"$dir/4k_s1.args"
root=0 base=0
for ((i = 0; i < ${#args[@]}; i++)); do
	case ${args[i]} in
	--root) root=${args[i + 1]} ;;
	--base) base=${args[i + 1]} ;;
	esac
done
cp "$dir/4k_s1.img" "$dir/broken.img"
# root entry 0 (a table descriptor) gets every bit set: RES0 bits, address beyond oas
printf '\377\377\377\377\377\377\377\377' |
	dd of="$dir/broken.img" bs=1 seek=$((root - base)) conv=notrunc status=none
status=0
"$tool" pgt "${args[@]}" --image "$dir/broken.img" >"$dir/broken.out" 2>"$dir/broken.err" || status=$?
[ "$status" = 1 ] || fail "broken table: exit status $status, expected 1"
expect_line "$dir/broken.err" "the tables are broken"
# a root outside the image
status=0
"$tool" pgt --image "$dir/4k_s1.img" --base "$base" --root 0x1000 >/dev/null 2>&1 || status=$?
[ "$status" != 0 ] || fail "a root outside the image was accepted"
# a VT-d table entry with reserved bits (address above the output size, X)
read -r -a args <"$dir/vtd.args"
for ((i = 0; i < ${#args[@]}; i++)); do
	case ${args[i]} in
	--root) root=${args[i + 1]} ;;
	--base) base=${args[i + 1]} ;;
	esac
done
cp "$dir/vtd.img" "$dir/broken_vtd.img"
printf '\007\020\000\000\000\000\377\000' |
	dd of="$dir/broken_vtd.img" bs=1 seek=$((root - base)) conv=notrunc status=none
status=0
"$tool" pgt "${args[@]}" --image "$dir/broken_vtd.img" >/dev/null 2>"$dir/broken_vtd.err" || status=$?
[ "$status" = 1 ] || fail "broken VT-d table: exit status $status, expected 1"
expect_line "$dir/broken_vtd.err" "the tables are broken"
echo "broken tables: reported"

# ---- STE and CD -----------------------------------------------------------------------
"$gen" structs "$dir"
"$tool" ste d 100000000000 040a355800000005 0x7000001000 >"$dir/ste.words"
"$tool" ste --image "$dir/structs.img" --base 0x1000 --at 0x1040 >"$dir/ste.image"
for f in "$dir/ste.words" "$dir/ste.image"; do
	expect_line "$f" "Config         0x6 (stage 1 bypass, stage 2 translate)"
	expect_line "$f" "S2VMID         0x5"
	expect_line "$f" "S2T0SZ         0x18 (IPA size 40 bits)"
	expect_line "$f" "S2SL0          0x1"
	expect_line "$f" "S2TG           0x0 (4K granule)"
	expect_line "$f" "S2PS           0x2 (40-bit output)"
	expect_line "$f" "S2SH0          0x3 (inner shareable)"
	expect_line "$f" "S2R            0x1 (record faults)"
	expect_line "$f" "S2TTB          0x7000001000 (stage 2 root table)"
	expect_line "$f" "SHCFG          0x1 (use incoming)"
	expect_line "$f" "pgt --format s2 --granule 4k --ias 40 --oas 40 --sl0 1 --root 0x7000001000"
done
diff <(grep -v '^#' "$dir/ste.words") <(grep -v '^#' "$dir/ste.image") >/dev/null ||
	fail "the STE decodes differently from words and from the image"

"$tool" cd --image "$dir/structs.img" --base 0x1000 --at 0x1080 >"$dir/cd.image"
f=$dir/cd.image
expect_line "$f" "T0SZ           0x10 (VA size 48 bits)"
expect_line "$f" "TG0            0x0 (4K granule)"
expect_line "$f" "V              0x1 (valid)"
expect_line "$f" "IPS            0x5 (48-bit intermediate/output size)"
expect_line "$f" "AA64           0x1 (VMSAv8-64 tables)"
expect_line "$f" "A              0x1 (abort on fault)"
expect_line "$f" "ASID           0x3"
expect_line "$f" "TTB0           0x80004000 (stage 1 root table)"
expect_line "$f" "Attr0 0xff Normal write-back"
expect_line "$f" "Attr1 0x44 Normal non-cacheable"
expect_line "$f" "Attr2 0x04 Device-nGnRE"
expect_line "$f" "pgt --format s1 --granule 4k --ias 48 --oas 48 --mair 0x444ff --root 0x80004000"
echo "structures: STE and CD decode"

# ---- VT-d scalable-mode context entry ------------------------------------------------------
"$tool" vtd-smctx 0x123456a1d 0x100005 0 0 >"$dir/smctx.out"
f=$dir/smctx.out
expect_line "$f" "P              0x1 (present)"
expect_line "$f" "DTE            0x1 (device-TLB enabled)"
expect_line "$f" "PASIDE         0x1 (requests with PASID allowed)"
expect_line "$f" "PDTS           0x5 (4096 directory entries)"
expect_line "$f" "PASIDDIRPTR    0x123456000 (PASID directory)"
expect_line "$f" "RID_PASID      0x5 (PASID of requests without PASID)"
expect_line "$f" "RID_PRIV       0x1"
echo "structures: VT-d entries decode"

# ---- usage errors ------------------------------------------------------------------------
for bad in "pgt" "pgt --image $dir/4k_s1.img" "ste" "ste 1 2 3 4 5 6 7 8 9" "ste xyz" "frob" \
	"vtd-ctx 1 2 3" "vtd-smctx 1 2 3 4 5" "pgt --format vtd --image $dir/vtd.img --root 0x1000 --levels 2" \
	"pgt --format z --image $dir/vtd.img --root 0"; do
	status=0
	# shellcheck disable=SC2086 # split on purpose
	"$tool" $bad >/dev/null 2>&1 || status=$?
	[ "$status" = 2 ] || fail "'iomm-dump $bad': exit status $status, expected 2"
done

if [ "$failures" -ne 0 ]; then
	echo "test_iomm_dump: $failures failure(s)" >&2
	exit 1
fi
echo "test_iomm_dump: all checks passed"

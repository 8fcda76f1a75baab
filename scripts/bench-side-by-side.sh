#!/usr/bin/env bash
# bench-side-by-side.sh compares BenchmarkMatchOffers at two revisions,
# runs taken in turn, and prints the medians of their p50 and the ratio.
#
#   scripts/bench-side-by-side.sh [-r ROUNDS] [-n MATCHES] [-o OFFERS] BASE [HEAD]
#
# BASE and HEAD are git revisions; HEAD defaults to the work tree as it
# is. Each side gets its own data folder under
# ${TECHMARKET_BENCH_ROOT:-${TMPDIR:-/tmp}/techmarket-bench}, kept between
# calls: building the index of 100,000 offers takes minutes, and the two
# revisions may index differently.
#
# Why in turn and by medians: on a shared machine the same binary's p50
# moves by ±10% from one run to the next, and more over an hour. Only
# runs that alternate, several of each, tell a change of a few per cent.
set -euo pipefail

rounds=6 matches=1000 offers=100000
usage() {
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}
while getopts r:n:o:h opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	n) matches=$OPTARG ;;
	o) offers=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
base=$1 head=${2:-}

repo=$(git rev-parse --show-toplevel)
root=${TECHMARKET_BENCH_ROOT:-${TMPDIR:-/tmp}/techmarket-bench}
mkdir -p "$root"

# build REV NAME writes the match package's test binary at REV (the work
# tree when REV is empty) to $root/NAME.test.
build() {
	local rev=$1 name=$2 src=$repo tree=
	if [ -n "$rev" ]; then
		git -C "$repo" rev-parse --verify --quiet "$rev^{commit}" >/dev/null ||
			{ echo "bench-side-by-side: no revision $rev: give a commit, branch or tag" >&2; exit 2; }
		tree=$(mktemp -d "$root/tree.XXXXXX")
		git -C "$repo" worktree add --quiet --detach "$tree" "$rev"
		src=$tree
	fi
	echo "building $name (${rev:-work tree})" >&2
	(cd "$src" && go test -c -o "$root/$name.test" ./match)
	if [ -n "$tree" ]; then
		git -C "$repo" worktree remove --force "$tree"
	fi
}

build "$base" base
build "$head" head
# Each side's data folder is named by what it was built from, so that a
# later call with other revisions does not reuse an index they would
# not have built.
key() { if [ -n "$1" ]; then git -C "$repo" rev-parse --short "$1"; else echo worktree; fi; }
dir_base="$root/data-$(key "$base")-$offers"
dir_head="$root/data-$(key "$head")-$offers"
mkdir -p "$dir_base" "$dir_head"
echo "the first run of each side builds its index of $offers offers if it has none yet" >&2

# run NAME DIR prints the p50 of one run.
run() {
	(cd "$repo/match" && TECHMARKET_BENCH_OFFERS=$offers TECHMARKET_BENCH_DIR=$2 \
		"$root/$1.test" -test.run x -test.bench 'MatchOffers$' -test.benchtime "${matches}x") |
		awk '/^BenchmarkMatchOffers/ { for (i = 1; i < NF; i++) if ($(i+1) == "p50-ms") print $i }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -a pb ph
for i in $(seq "$rounds"); do
	b=$(run base "$dir_base" || true) h=$(run head "$dir_head" || true)
	[ -n "$b" ] && [ -n "$h" ] || {
		echo "bench-side-by-side: a run printed no p50; run it by hand to see why:" >&2
		echo "  cd match && TECHMARKET_BENCH_OFFERS=$offers TECHMARKET_BENCH_DIR=$dir_base $root/base.test -test.run x -test.bench 'MatchOffers\$' -test.benchtime ${matches}x" >&2
		exit 1
	}
	pb+=("$b") ph+=("$h")
	echo "round $i/$rounds: base $b ms, head $h ms" >&2
done
mb=$(printf '%s\n' "${pb[@]}" | median)
mh=$(printf '%s\n' "${ph[@]}" | median)
echo "BenchmarkMatchOffers, $offers offers, p50 median of $rounds runs each, taken in turn:"
echo "  base ${base}: $mb ms (${pb[*]})"
echo "  head ${head:-work tree}: $mh ms (${ph[*]})"
awk -v b="$mb" -v h="$mh" 'BEGIN { printf "  head / base: %.3f\n", h / b }'

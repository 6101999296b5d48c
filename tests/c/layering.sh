#!/bin/bash
# The module order, checked: a file under csrc/<m>/ includes internal headers only of
# modules before m (in LIB_MODULES order) or of m itself, and a `_int.h` header only of
# its own module; the faces (cli, python) include only util's and their own.
# usage: layering.sh "util hcl dockerfile ..."
set -u
order=($1)
declare -A pos
for i in "${!order[@]}"; do pos[${order[$i]}]=$i; done
bad=0
files=0
for f in csrc/*/*.c csrc/*/*.h; do
	m=$(basename "$(dirname "$f")")
	[ "$m" = include ] && continue
	files=$((files + 1))
	while IFS= read -r line; do
		inc=${line#*\"}
		inc=${inc%%\"*}
		x=${inc%%/*}
		[ "$x" = "$inc" ] && continue        # a sibling file, "name.h"
		[ "$x" = atmograph ] && continue     # the public API
		[ "$x" = "$m" ] && continue
		why=""
		if [ -z "${pos[$x]+set}" ]; then
			why="$x is not a library module"
		elif [[ $inc == *_int.h ]]; then
			why="$inc is private to $x"
		elif [ -n "${pos[$m]+set}" ] && [ "${pos[$x]}" -gt "${pos[$m]}" ]; then
			why="$x comes after $m in the module order"
		elif [ -z "${pos[$m]+set}" ] && [ "$x" != util ]; then
			why="a face uses only the public API and util"
		fi
		if [ -n "$why" ]; then
			echo "layering: $f includes \"$inc\": $why" >&2
			bad=1
		fi
	done < <(grep -h '^#include "' "$f")
done
[ $bad = 0 ] && echo "layering: $files files under csrc/ follow the module order (${order[*]})"
exit $bad

#!/usr/bin/env bash
# Line-length check for the C# sources: no line in src/**/*.cs may be wider than 140 columns.
#
#   scripts/check-lines.sh    prints each offending line as `path:line: N columns`; exits 1 if there is any
#
# Columns are characters (UTF-8 aware, so "–" or "é" counts once) with a tab counted as 4, as STYLE.md counts.
# Build output (bin/, obj/) is skipped. Pure bash: no dotnet, no python, no awk, so it runs before any restore.
set -euo pipefail
export LC_ALL=C.UTF-8

MAX=140
cd "$(dirname "${BASH_SOURCE[0]}")/.."

found=0
while IFS= read -r -d '' file; do
    number=0
    while IFS= read -r line || [[ -n $line ]]; do
        number=$((number + 1))
        line=${line%$'\r'}
        line=${line//$'\t'/    }
        if ((${#line} > MAX)); then
            printf '%s:%d: %d columns\n' "${file#./}" "$number" "${#line}"
            found=$((found + 1))
        fi
    done < "$file"
done < <(find src -type d \( -name bin -o -name obj \) -prune -o -type f -name '*.cs' -print0 | sort -z)

if ((found > 0)); then
    echo "check-lines: $found line(s) over $MAX columns" >&2
    exit 1
fi

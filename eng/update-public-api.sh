#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to PublicAPI.Unshipped.txt.
# Run it after adding public API on purpose, then review the diff: the file is the library's surface.
set -euo pipefail
cd "$(dirname "$0")/.."
file=Jeeves.Core/PublicAPI.Unshipped.txt
symbols=$(dotnet build Jeeves.Core/Jeeves.Core.csproj -p:TreatWarningsAsErrors=false 2>&1 \
  | grep 'RS0016' | sed -n "s/.*Symbol '\(.*\)' is not part of the declared public API.*/\1/p" | sort -u)
{ cat "$file"; printf '%s\n' "$symbols"; } | grep -v '^$' | { read -r header; echo "$header"; LC_ALL=C sort -u; } > "$file.tmp"
mv "$file.tmp" "$file"
echo "$(printf '%s\n' "$symbols" | grep -c . || true) symbols added to $file"

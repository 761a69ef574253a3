#!/usr/bin/env bash
# Brings Jeeves.Core/PublicAPI.Unshipped.txt in line with the code: adds every public symbol the PublicApiAnalyzers
# report as undeclared (RS0016) and drops every declared symbol that no longer exists (RS0017).
# Run it after changing public API on purpose, then review the diff: the file is the library's surface.
set -euo pipefail
cd "$(dirname "$0")/.."
file=Jeeves.Core/PublicAPI.Unshipped.txt
report=$(dotnet build Jeeves.Core/Jeeves.Core.csproj --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
added=$(grep 'RS0016' <<<"$report" | sed -n "s/.*Symbol '\(.*\)' is not part of the declared public API.*/\1/p" | sort -u || true)
removed=$(grep 'RS0017' <<<"$report" | sed -n "s/.*Symbol '\(.*\)' is part of the declared API, but.*/\1/p" | sort -u || true)
{
  head -1 "$file"
  { tail -n +2 "$file"; printf '%s\n' "$added"; } | grep -v '^$' | grep -vxF -f <(printf '%s\n' "${removed:-__none__}") | LC_ALL=C sort -u
} > "$file.tmp"
mv "$file.tmp" "$file"
echo "$(grep -c . <<<"$added" || true) added, $(grep -c . <<<"$removed" || true) removed in $file"

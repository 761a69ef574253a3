#!/usr/bin/env bash
# Time to first token through the gateway's real HTTP stream: from opening GET /api/v1/chat/stream to the first
# `event: token` line, over several runs (each a new session), with the median of all but the first (cold) run.
#   dotnet run --project examples/Gateway &     # then, once it listens:
#   bash examples/Gateway/ttft.sh [base-url] [runs] [question]
set -euo pipefail
base="${1:-http://127.0.0.1:8000}"
runs="${2:-11}"
(( runs >= 2 )) || { echo "runs must be at least 2" >&2; exit 2; }
question="${3:-What does the kernel do?}"

times=()
for ((i = 1; i <= runs; i++)); do
  start=$EPOCHREALTIME
  first=""
  while IFS= read -r line; do
    if [[ -z "$first" && "$line" == "event: token"* ]]; then
      first=$EPOCHREALTIME
    fi
  done < <(curl -sSN --get --data-urlencode "user_id=ttft-$i" --data-urlencode "message=$question" "$base/api/v1/chat/stream")
  if [[ -z "$first" ]]; then
    echo "run $i: no token event (is the gateway running at $base?)" >&2
    exit 1
  fi
  ms=$(awk -v a="$start" -v b="$first" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
  echo "run $i: ${ms} ms"
  times+=("$ms")
done

printf '%s\n' "${times[@]:1}" | sort -n | awk -v cold="${times[0]}" '
  { t[NR] = $1 }
  END {
    m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "time to first token: first run %s ms (cold if the gateway has just started); median of the other %d runs %.1f ms (min %s, max %s)\n", cold, NR, m, t[1], t[NR]
  }'

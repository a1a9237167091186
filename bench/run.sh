#!/usr/bin/env bash
# git-warden benchmark suite: relay overhead, memory and concurrency, side by side
# with a direct connection to the upstream and with an nginx streaming proxy.
#
#   bench/run.sh [--quick] [--skip-build] [--no-jmh] [--jar PATH] [--paths direct,nginx,warden] [--only LIST] [--runs N]
#   bench/run.sh --only latency      # per-request latency, single client (issue 19), lighttpd upstream
#   bench/run.sh --only resilience   # hostile clients vs a session (issue 10)
#   bench/run.sh --only cache        # clones served from the mirror vs direct (issue 15)
#
# --jar PATH (or WARDEN_JAR=PATH) measures that jar, e.g. one built in another worktree, and skips the build.
# Not part of ./mvnw verify. Everything listens on 127.0.0.1 only.
# See docs/benchmarks.md for what is measured and the latest results.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

SKIP_BUILD=0
QUICK=0
JMH=1
ONLY=""
prev=""
for a in "$@"; do
  case "$a" in
    --skip-build) SKIP_BUILD=1 ;;
    --quick) QUICK=1 ;;
    --no-jmh) JMH=0 ;;
    --jar|--jar=*) SKIP_BUILD=1 ;;
    --only=*) ONLY="${a#--only=}" ;;
    -h|--help) sed -n '2,12p' "$0"; exec python3 "$HERE/bench.py" --help ;;
  esac
  [ "$prev" = "--only" ] && ONLY="$a"
  prev="$a"
done
[ -n "${WARDEN_JAR:-}" ] && SKIP_BUILD=1
# The JMH microbenchmarks belong to the full suite, not to a run of selected sections.
[ -n "$ONLY" ] && JMH=0

# ---- prerequisites (Debian packages) ----------------------------------------
need=()
command -v nginx        >/dev/null 2>&1 || need+=(nginx-light)
command -v fcgiwrap     >/dev/null 2>&1 || need+=(fcgiwrap)
command -v wrk          >/dev/null 2>&1 || need+=(wrk)
command -v lighttpd     >/dev/null 2>&1 || need+=(lighttpd)
command -v git          >/dev/null 2>&1 || need+=(git)
command -v python3      >/dev/null 2>&1 || need+=(python3)
command -v java         >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
[ -x /usr/lib/git-core/git-http-backend ] || need+=(git)
if [ "${#need[@]}" -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

# ---- build git-warden --------------------------------------------------------
if [ "$SKIP_BUILD" -eq 0 ]; then
  echo "bench: building git-warden jar" >&2
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package)
fi

# ---- JMH microbenchmarks (parser, token verification) ------------------------
EXTRA=()
if [ "$JMH" -eq 1 ]; then
  MODE=full; [ "$QUICK" -eq 1 ] && MODE=quick
  JSON="$HERE/work/jmh-$MODE.json"
  rm -f "$JSON"
  JARGS=("$JSON"); [ "$QUICK" -eq 1 ] && JARGS=(--quick "$JSON")
  echo "bench: JMH microbenchmarks ($MODE)" >&2
  if "$HERE/jmh/run.sh" "${JARGS[@]}" > "$HERE/work/jmh-$MODE.log" 2>&1; then
    EXTRA=(--jmh-json "$JSON")
  else
    echo "bench: JMH failed, see $HERE/work/jmh-$MODE.log" >&2
  fi
fi

exec python3 "$HERE/bench.py" "$@" "${EXTRA[@]}"

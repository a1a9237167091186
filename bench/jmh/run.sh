#!/usr/bin/env bash
# JMH microbenchmarks: receive-pack command parser, session-token verification, secret scanning, push
# inspection.
#   bench/jmh/run.sh [--quick] [RESULT_JSON] [-- extra JMH args]
#   JMH_INCLUDE='io\.gitwarden\.bench\.SecretScanner.*' bench/jmh/run.sh   # one benchmark only
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
QUICK=0
OUT=""
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) OUT="$1" ;;
  esac
  shift
done
OUT="${OUT:-$HERE/target/jmh-result.json}"
JAR="$(ls "$ROOT"/target/git-warden-*.jar 2>/dev/null | grep -v -- '-plain\.jar$' | head -1 || true)"
if [ -z "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package)
  JAR="$(ls "$ROOT"/target/git-warden-*.jar | grep -v -- '-plain\.jar$' | head -1)"
fi
APP="$HERE/target/app"
rm -rf "$APP" "$HERE/target/extract"
mkdir -p "$APP"
java -Djarmode=tools -jar "$JAR" extract --destination "$HERE/target/extract" >/dev/null
mv "$HERE/target/extract/$(basename "$JAR")" "$APP/git-warden.jar"
mv "$HERE/target/extract/lib" "$APP/lib"
rm -rf "$HERE/target/extract"

cd "$ROOT"
# Always recompile: the benchmarks compile against the jar just extracted, and a class left from an
# earlier build would only fail at run time (NoSuchMethodError) when git-warden's API has changed.
rm -rf "$HERE/target/classes"
./mvnw -B -q -f "$HERE/pom.xml" package -DskipTests
./mvnw -B -q -f "$HERE/pom.xml" dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$HERE/target/jmh-classpath.txt" >/dev/null
# the application's libraries first, then JMH's own (jmh-core, jopt-simple, commons-math3)
JMH_CP="$(tr -d '\n' < "$HERE/target/jmh-classpath.txt" | tr ':' '\n' | grep -v 'target/app/git-warden.jar' | paste -sd: - || true)"
CP="$HERE/target/classes:$APP/git-warden.jar:$APP/lib/*:$JMH_CP"
if [ "$QUICK" -eq 1 ]; then
  ARGS=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
else
  ARGS=(-f 2 -wi 5 -w 2s -i 5 -r 2s)
fi
mkdir -p "$(dirname "$OUT")"
# -foe: a benchmark that fails fails the run, rather than leaving a report without it
exec java -cp "$CP" org.openjdk.jmh.Main "${ARGS[@]}" -foe true -rf json -rff "$OUT" "${EXTRA[@]}" "${JMH_INCLUDE:-io\.gitwarden\.bench\..*}"

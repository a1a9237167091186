#!/usr/bin/env bash
# Class data sharing for git-warden's start-up (issue 19): extracts the jar (CDS cannot archive classes read
# from a jar nested in the Boot jar) and makes a dynamic archive with a training run that stops once the
# context is refreshed (-Dspring.context.exit=onRefresh), with a throw-away configuration.
#
#   bench/cds.sh [JAR] [DIR]      # default: the newest target/git-warden-*.jar, bench/work/cds
#
# Prints the jar and the JVM option to start it with, e.g. for bench/cost.py or the latency section:
#   python3 bench/cost.py --jar DIR/app/git-warden-0.1.0-SNAPSHOT.jar --jvm-opt=-XX:SharedArchiveFile=DIR/app.jsa
# The archive is only used with the same JDK and the same class path string (keep the absolute path).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-$(ls -t "$here"/../target/git-warden-*.jar | grep -v plain | head -1)}
dir=$(realpath -m "${2:-$here/work/cds}")
rm -rf "$dir" && mkdir -p "$dir/train"
java -Djarmode=tools -jar "$jar" extract --destination "$dir/app" >/dev/null
app="$dir/app/$(basename "$jar")"
java -Xmx128m -XX:ArchiveClassesAtExit="$dir/app.jsa" -Dspring.context.exit=onRefresh -jar "$app" \
  --server.port=0 --management.server.port=0 --warden.upstream.url=http://127.0.0.1:9 \
  --warden.upstream.token=cds-training-token --warden.auth.hmac-secret=cds-training-secret-0123456789abcdef-0123456789 \
  --warden.audit.file="$dir/train/audit.jsonl" --warden.revocations.file="$dir/train/revocations.jsonl" \
  --warden.mirror.dir="$dir/train/mirrors" >"$dir/train.log" 2>&1 || { tail -20 "$dir/train.log"; exit 1; }
rm -rf "$dir/train"
echo "jar:     $app"
echo "jvm-opt: -XX:SharedArchiveFile=$dir/app.jsa"

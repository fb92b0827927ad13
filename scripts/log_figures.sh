#!/bin/bash
# The figures of docs/embedded-log.md for one size of log: makes a demo log of N tickets in
# DIR/dN with the release build, then times what each command costs on it (time, peak memory,
# bytes written) and imports its export into a fresh log.
#
#   cargo build --release --examples && scripts/log_figures.sh 100000 /tmp/big
#
# Needs GNU time (/usr/bin/time). The log and its export stay in DIR; delete them after.
set -eu
N=${1:?usage: log_figures.sh N [DIR]}
B=${2:-/tmp/big}
R=${FRIST:-target/release/frist}
COST=${LOG_COST:-target/release/examples/log_cost}
D=$B/d$N
mkdir -p "$B"
rm -rf "$D" "$B/i$N"
# Checkpoints of earlier runs of the same (deterministic) demo would be compared: keep them apart.
export FRIST_KEYS=$B/keys-$N
T() { /usr/bin/time -f "$1: %e s, peak %M KB, written %O blocks of 512 bytes" "${@:2}"; }
T "demo $N" "$R" --db "$D" --now "2026-11-23 12:00" demo --tickets "$N" 2>&1 | tail -1
echo "size of the log: $(du -sb "$D" | cut -f1) bytes"
T "show 1" "$R" --db "$D" show 1 2>&1 >/dev/null | tail -1
"$COST" "$D"
"$COST" "$D" --adds 50
T "verify" "$R" --db "$D" verify 2>&1 >/dev/null | tail -1
T "export" "$R" --db "$D" export 2>&1 >"$B/e$N.jsonl" | tail -1
T "import" "$R" --db "$B/i$N" import "$B/e$N.jsonl" 2>&1 >/dev/null | tail -1
echo "size of the imported log: $(du -sb "$B/i$N" | cut -f1) bytes"
T "list --open" "$R" --db "$D" list --open 2>&1 >/dev/null | tail -1
T "report --month 2026-10" "$R" --db "$D" --now "2026-11-23 12:00" report --month 2026-10 2>&1 >/dev/null | tail -1

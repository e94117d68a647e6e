#!/usr/bin/env bash
# CTest fixture: start|stop one emulator shared by the integration tests.
# Writes DIR/url (base URL) and DIR/pid; the emulator's stderr goes to DIR/emulator.log.
set -euo pipefail
action="$1" dbk="$2" dir="$3"
case "$action" in
  start)
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then kill "$(cat "$dir/pid")"; fi
    rm -rf "$dir" && mkdir -p "$dir/state"
    setsid "$dbk" emulator --host 127.0.0.1 --port 0 --state "$dir/state" \
      >"$dir/stdout" 2>"$dir/emulator.log" </dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 300); do
      if [ -s "$dir/stdout" ]; then head -n1 "$dir/stdout" >"$dir/url"; exit 0; fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
      sleep 0.1
    done
    echo "the emulator did not start:" >&2; cat "$dir/emulator.log" >&2; exit 1 ;;
  stop)
    [ -f "$dir/pid" ] || exit 0
    pid="$(cat "$dir/pid")"
    kill -TERM "$pid" 2>/dev/null || exit 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    echo "the emulator did not stop on SIGTERM within 10 s" >&2
    kill -KILL "$pid" 2>/dev/null; exit 1 ;;
  *) echo "usage: $0 start|stop DBK DIR" >&2; exit 2 ;;
esac

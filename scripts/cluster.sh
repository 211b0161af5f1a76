#!/usr/bin/env bash
# Starts, on loopback, a 3-node NATS JetStream cluster (R3), two matching engines (one
# active, one standing by) and two OUCH gateways (ports 15000 and 15010, each with its live
# table and console, the ITCH feed on 15001/15011, snapshots on 15002/15012, the web page on
# 8080/8081), each in a tmux
# window of the session "ouch-cluster". Stop everything with: scripts/cluster.sh stop
# (tmux kill-session alone would leave the NATS servers running: a nats-server takes the
# hang-up signal tmux sends as "reload the configuration").
# Accounts: demo1..demo16, password "demo" (pass --user/--users after the script's name to
# change them: every engine and gateway gets them).
set -euo pipefail
cd "$(dirname "$0")/.."
# Where the running cluster's directory (NATS stores and pid files) is written down.
state="${TMPDIR:-/tmp}/ouch-cluster.dir"
if [ "${1-}" = stop ]; then
  tmux kill-session -t ouch-cluster 2>/dev/null || true
  if [ -f "$state" ]; then
    old=$(cat "$state")
    pids=()
    for file in "$old"/n*.pid; do
      if [ -f "$file" ]; then pids+=("$(cat "$file")"); fi
    done
    if [ ${#pids[@]} -gt 0 ]; then kill "${pids[@]}" 2>/dev/null || true; fi
    for _ in $(seq 50); do
      alive=0
      for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then alive=1; fi
      done
      if [ $alive = 0 ]; then break; fi
      sleep 0.1
    done
    rm -rf "$old" "$state"
  fi
  echo "Stopped: the tmux session ouch-cluster and its NATS servers"
  exit 0
fi
if tmux has-session -t ouch-cluster 2>/dev/null; then
  echo "The cluster is running already (tmux session ouch-cluster): scripts/cluster.sh stop first" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/ouch-cluster.XXXXXX)
echo "$dir" >"$state"
routes="nats-route://127.0.0.1:16222,nats-route://127.0.0.1:16223,nats-route://127.0.0.1:16224"
nats="nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224"
accounts=("$@")
tmux new-session -d -s ouch-cluster -n n1 \
  "nats-server -js -a 127.0.0.1 -p 14222 --cluster_name ouch --cluster nats://127.0.0.1:16222 --routes $routes -n n1 -sd $dir/n1 -P $dir/n1.pid"
for i in 2 3; do
  tmux new-window -t ouch-cluster -n "n$i" \
    "nats-server -js -a 127.0.0.1 -p 1422$((i + 1)) --cluster_name ouch --cluster nats://127.0.0.1:1622$((i + 1)) --routes $routes -n n$i -sd $dir/n$i -P $dir/n$i.pid"
done
sleep 3
for id in e1 e2; do
  tmux new-window -t ouch-cluster -n "$id" \
    "deno run -A main.ts engine --nats $nats --replicas 3 --id $id ${accounts[*]-}; read"
done
tmux new-window -t ouch-cluster -n gw1 \
  "deno run -A main.ts gateway --nats $nats --replicas 3 --host-id gw1 --port 15000 --itch-port 15001 --snapshot-port 15002 --http 127.0.0.1:8080 --display table ${accounts[*]-}; read"
tmux new-window -t ouch-cluster -n gw2 \
  "deno run -A main.ts gateway --nats $nats --replicas 3 --host-id gw2 --port 15010 --itch-port 15011 --snapshot-port 15012 --http 127.0.0.1:8081 --display table ${accounts[*]-}; read"
echo "Started: tmux attach -t ouch-cluster (NATS $nats; gateways 127.0.0.1:15000 and :15010, ITCH feeds :15001 and :15011, web pages http://127.0.0.1:8080/ and :8081/); stop it all with scripts/cluster.sh stop"

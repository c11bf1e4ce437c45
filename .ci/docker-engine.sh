#!/usr/bin/env bash
# Installs and starts a Docker engine that can never put traffic on a private network: no bridge,
# no iptables, no forwarding. Containers then use host networking or none. Needs root and Debian
# (or a machine where dockerd already runs). Idempotent: a running engine is only checked.
set -Eeuo pipefail
trap 'echo "docker-engine: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

log() { printf '[docker-engine] %s\n' "$*"; }

engine_answers() {
  [ "$(curl -s --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping 2>/dev/null)" = OK ]
}

if ! engine_answers; then
  if ! command -v dockerd >/dev/null 2>&1; then
    # The daemon reads this on its first start; written before the package so that it never
    # comes up with the default 172.17.x bridge.
    mkdir -p /etc/docker
    printf '{"bridge":"none","iptables":false,"ip-forward":false,"ip-masq":false}\n' > /etc/docker/daemon.json
    log "installing docker.io"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io
  fi
  if ! grep -q '"bridge":"none"' /etc/docker/daemon.json 2>/dev/null; then
    echo "[docker-engine] /etc/docker/daemon.json does not say \"bridge\":\"none\"; refusing to start dockerd with a bridge" >&2
    exit 1
  fi
  if ! pgrep -x dockerd >/dev/null; then
    log "starting dockerd (log: /var/log/dockerd.log)"
    # No systemd here: detach it from this script's session so it outlives the script.
    setsid nohup dockerd > /var/log/dockerd.log 2>&1 < /dev/null &
  fi
  for _ in $(seq 1 300); do
    engine_answers && break
    sleep 0.1
  done
  if ! engine_answers; then
    echo "[docker-engine] dockerd did not answer /_ping within 30 s; its log:" >&2
    tail -n 40 /var/log/dockerd.log >&2 || true
    exit 1
  fi
fi

networks=$(docker network ls --format '{{.Name}}' | sort | tr '\n' ' ')
if [ "$networks" != "host none " ]; then
  echo "[docker-engine] expected only the networks 'host' and 'none', found: $networks" >&2
  exit 1
fi
log "engine ready: $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}'); networks: $networks"

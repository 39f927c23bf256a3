#!/usr/bin/env bash
# Installs and starts a local Docker engine for the container tests, and builds the images they use
# from Debian binaries (no registry can be reached from CI, so nothing is pulled).
#
# Idempotent: each step is skipped when its result is already there (packages installed, engine
# answering, image present). Source it to keep the testcontainers settings in your shell:
#   . scripts/docker-engine.sh
# Run as root (apt-get, dockerd). Containers use the host network only: the engine starts with no
# bridge and no iptables rules, so no container gets an address outside loopback.

docker_engine_main() {
  local log image_root lib
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io redis-server >/dev/null
  fi

  if ! docker info >/dev/null 2>&1; then
    log=$(mktemp)
    # setsid: the engine outlives the shell that started it (CI runs the tests after this returns).
    setsid dockerd --bridge=none --iptables=false --ip-masq=false --ip6tables=false >"$log" 2>&1 < /dev/null &
    local waited=0
    until docker info >/dev/null 2>&1; do
      if [ "$waited" -ge 120 ]; then   # 60 s: it takes a few seconds when it works
        echo "docker-engine: dockerd did not answer within 60 s; its log:" >&2
        tail -n 30 "$log" >&2
        return 1
      fi
      sleep 0.5
      waited=$((waited + 1))
    done
  fi

  # local/redis:7, an image of Debian's redis-server and the libraries it links.
  if ! docker image inspect local/redis:7 >/dev/null 2>&1; then
    image_root=$(mktemp -d)
    cp --parents /usr/bin/redis-server "$image_root"
    for lib in $(ldd /usr/bin/redis-server | grep -o '/[^ ]*'); do cp --parents -L "$lib" "$image_root"; done
    mkdir -p "$image_root/tmp" "$image_root/etc"
    echo 'root:x:0:0:root:/root:/bin/sh' > "$image_root/etc/passwd"
    tar -C "$image_root" -cf - . | docker import -c 'ENTRYPOINT ["/usr/bin/redis-server"]' - local/redis:7 >/dev/null
    rm -rf "$image_root"
  fi
  echo "docker-engine: $(docker version --format 'engine {{.Server.Version}}') with local/redis:7"
}

docker_engine_main || { rc=$?; (return 0 2>/dev/null) && return "$rc"; exit "$rc"; }

# testcontainers settings for this engine
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1   # there is no bridge network to find the host from
export TESTCONTAINERS_RYUK_DISABLED=true        # the reaper image cannot be pulled; loadspec removes its containers itself

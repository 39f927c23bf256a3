// nginx as the HTTP target: 1 worker, keep-alive without a request cap, no access log, `return 200 "ok"`.
import { mkdirSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { join, resolve } from 'node:path'
import { stop } from './proc.mjs'

export async function startNginx({ core, port, dir }) {
  const root = resolve(dir)
  mkdirSync(join(root, 'logs'), { recursive: true })
  const conf = join(root, 'nginx.conf')
  writeFileSync(conf, `worker_processes 1;
daemon off;
pid ${root}/nginx.pid;
error_log ${root}/logs/error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path ${root}/body; proxy_temp_path ${root}/proxy; fastcgi_temp_path ${root}/fastcgi; uwsgi_temp_path ${root}/uwsgi; scgi_temp_path ${root}/scgi;
  server {
    listen 127.0.0.1:${port};
    location = / { return 200 "ok"; }
  }
}
`)
  const child = spawn('taskset', ['-c', String(core), 'nginx', '-c', conf, '-p', root], { stdio: ['ignore', 'ignore', 'inherit'] })
  for (let i = 0; i < 100; i++) {
    if (await canConnect(port)) return { port, url: `http://127.0.0.1:${port}/`, stop: () => stop(child) }
    await new Promise((r) => setTimeout(r, 50))
  }
  await stop(child)
  throw new Error('nginx did not start listening')
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}

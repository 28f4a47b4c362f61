#!/usr/bin/env node
// `npm start`: the whole system in the foreground. Installs and builds when needed, uses the NATS at
// NATS_URL or starts a local `nats-server -js`, runs keys, issuer, identity and gateway, waits for
// /readyz and prints how to try it. SIGINT/SIGTERM stop everything cleanly.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root, ensureDependencies, ensureBuilt } = require('./dependencies');
const { isReachable, parseNatsUrl, startNatsServer, findNatsServer, HOW_TO_GET_ONE } = require('./nats-server');
const { SERVICES, serviceNodeArgs } = require('./services');

const READY_TIMEOUT_MS = 60_000;

function fail(message) {
  console.error(`roomkey: ${message}`);
  process.exit(1);
}

async function ensureNats(env) {
  const natsUrl = env.NATS_URL || 'nats://127.0.0.1:4222';
  let host, port;
  try {
    ({ host, port } = parseNatsUrl(natsUrl));
  } catch {
    fail(`NATS_URL must be a URL such as nats://127.0.0.1:4222 (got '${natsUrl}')`);
  }
  if (await isReachable(host, port)) {
    console.log(`roomkey: using NATS at ${natsUrl}`);
    return null;
  }
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  if (!local) fail(`no NATS server answers at ${natsUrl}. Start it, or ${HOW_TO_GET_ONE}.`);
  if (!findNatsServer()) fail(`no NATS server answers at ${natsUrl} and none can be started here: ${HOW_TO_GET_ONE}.`);
  const dataDir = path.resolve(env.ROOMKEY_DATA_DIR || './data');
  const server = await startNatsServer({
    host: host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, ''),
    port,
    storeDir: path.join(dataDir, 'nats'),
    logFile: path.join(dataDir, 'nats-server.log'),
  }).catch((error) => fail(error.message));
  console.log(`roomkey: started nats-server with JetStream at ${natsUrl} (data in ${path.join(dataDir, 'nats')})`);
  return server;
}

function prefixLines(stream, label, target) {
  let buffered = '';
  stream.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) target.write(`[${label}] ${line}\n`);
  });
}

async function waitForReady(url, children) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (children.some((c) => c.exitCode !== null)) return false;
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function banner(publicUrl, dataDir, env) {
  const adminToken = env.ROOMKEY_ADMIN_TOKEN ? '$ROOMKEY_ADMIN_TOKEN' : `$(cat ${path.join(dataDir, 'admin-token')})`;
  return `
roomkey is ready at ${publicUrl}   (Ctrl-C stops it)

Try it:
  ADMIN=${adminToken}
  curl -s -X POST ${publicUrl}/admin/tenants -H "Authorization: Bearer $ADMIN" \\
       -H 'Content-Type: application/json' -d '{"shortcode":"demo","name":"Demo"}'
  KEY=$(curl -s -X POST ${publicUrl}/admin/tenants/demo/api-keys -H "Authorization: Bearer $ADMIN" \\
       -H 'Content-Type: application/json' -d '{"environment":"production"}')
  API_KEY=$(echo "$KEY" | node -pe 'JSON.parse(require("fs").readFileSync(0)).apiKey')
  SECRET=$(echo "$KEY" | node -pe 'JSON.parse(require("fs").readFileSync(0)).secret')
  curl -s -X POST ${publicUrl}/v1/access-tokens -u "$API_KEY:$SECRET" \\
       -H 'Content-Type: application/json' -d '{"userId":"alice","role":"HOST","rooms":["town-hall"]}'
  curl -s ${publicUrl}/realms/demo/protocol/openid-connect/certs
`;
}

async function main() {
  ensureDependencies();
  ensureBuilt();
  const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' };
  const port = env.PORT || '8080';
  const publicUrl = (env.PUBLIC_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  const dataDir = path.resolve(env.ROOMKEY_DATA_DIR || './data');
  env.ROOMKEY_DATA_DIR = dataDir;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const nats = await ensureNats(env);
  const children = SERVICES.map((service) => {
    const script = path.join(root, 'dist', 'apps', service, 'main.js');
    const child = spawn(process.execPath, [...serviceNodeArgs(service), script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    prefixLines(child.stdout, service, process.stdout);
    prefixLines(child.stderr, service, process.stderr);
    return child;
  });

  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', resolve);
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    if (nats) await nats.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const [i, child] of children.entries()) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`roomkey: the ${SERVICES[i]} service stopped (${signal || `exit code ${code}`}); stopping the others.`);
      void stop(1);
    });
  }

  const localUrl = `http://127.0.0.1:${port}`;
  if (!(await waitForReady(localUrl, children))) {
    if (!stopping) {
      console.error(`roomkey: not ready after ${READY_TIMEOUT_MS / 1000} s (GET ${localUrl}/readyz); stopping.`);
      await stop(1);
    }
    return;
  }
  console.log(banner(publicUrl, dataDir, env));
}

main().catch((error) => fail(error.stack || error.message));

#!/usr/bin/env node
// `npm start`: the whole system in the foreground. Installs and builds when needed, uses the NATS at
// NATS_URL or starts a local `nats-server -js`, runs keys, issuer, identity and gateway, waits for
// /readyz and prints how to try it. A service that dies is restarted (scripts/supervisor.js);
// SIGINT/SIGTERM stop everything cleanly.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { root, ensureDependencies, ensureBuilt } = require('./dependencies');
const { isReachable, parseNatsUrl, startNatsServer, findNatsServer, HOW_TO_GET_ONE } = require('./nats-server');
const { buildNatsConfig, clientJson, randomPassword, userNames, writePrivateFile } = require('./nats-config');
const { SERVICES, serviceNodeArgs } = require('./services');
const { Supervisor } = require('./supervisor');

const READY_TIMEOUT_MS = 60_000;

function fail(message) {
  console.error(`roomkey: ${message}`);
  process.exit(1);
}

const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '::1', '[::1]'];

/** The INFO a NATS server sends first on every connection (auth_required and more), or null. */
function readServerInfo(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let received = '';
    const done = (info) => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('error', () => done(null));
    socket.on('data', (chunk) => {
      received += chunk;
      const end = received.indexOf('\r\n');
      if (end === -1) return;
      const match = /^INFO\s+(\{.*\})\s*$/.exec(received.slice(0, end));
      try {
        done(match ? JSON.parse(match[1]) : null);
      } catch {
        done(null);
      }
    });
  });
}

function natsCredentialsConfigured(env) {
  return Boolean(env.NATS_CREDS || env.NATS_USER || env.NATS_TOKEN);
}

/** A NATS we did not start: say so, and warn about (or, in production, refuse) one that is open. */
async function checkExistingNats(env, url, host, port) {
  console.log(`roomkey: using NATS at ${url}`);
  const info = await readServerInfo(host, port);
  if (!info) return;
  if (info.auth_required && !natsCredentialsConfigured(env)) {
    fail(`the NATS at ${url} needs credentials: set NATS_USER and NATS_PASSWORD (or NATS_CREDS or NATS_TOKEN).`);
  }
  if (info.auth_required || natsCredentialsConfigured(env)) return;
  if (['1', 'true'].includes(env.ROOMKEY_ALLOW_OPEN_NATS)) return;
  if (env.NODE_ENV === 'production') {
    fail(
      `the NATS at ${url} asks for no credentials, so any client on it could act as roomkey's administrator; ` +
        `secure it (README "Securing NATS", npm run nats-config) or set ROOMKEY_ALLOW_OPEN_NATS=1.`,
    );
  }
  console.warn(
    [
      `roomkey: WARNING: the NATS at ${url} asks for no credentials. Any client on it can act as roomkey's`,
      '  administrator: mint tokens, create tenants, read secrets. To secure it, run NATS with the',
      '  services and client roles (README "Securing NATS"):',
      '    npm run nats-config -- --out ./nats-conf && nats-server -c ./nats-conf/nats-server.conf',
      '    set -a; . ./nats-conf/services.env; set +a; npm start',
      '  (In production roomkey refuses an open NATS unless ROOMKEY_ALLOW_OPEN_NATS=1.)',
    ].join('\n'),
  );
}

/** The two roles' passwords of the NATS `npm start` runs itself: generated once, then reused. */
function ownNatsPasswords(natsDir) {
  const file = path.join(natsDir, 'passwords.json');
  if (fs.existsSync(file)) {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (stored.servicesPassword && stored.clientPassword) return { ...stored, generated: false };
  }
  const passwords = { servicesPassword: randomPassword(), clientPassword: randomPassword() };
  writePrivateFile(file, `${JSON.stringify(passwords, null, 2)}\n`);
  return { ...passwords, generated: true };
}

/**
 * Uses the NATS at NATS_URL, or starts nats-server on loopback with the services and client roles
 * (contract §5.1); then the children get the services role's credentials.
 */
async function ensureNats(env, namespace, dataDir) {
  const urls = (env.NATS_URL || 'nats://127.0.0.1:4222').split(',').map((u) => u.trim()).filter(Boolean);
  const servers = urls.map((url) => {
    try {
      return { url, ...parseNatsUrl(url) };
    } catch {
      return fail(`NATS_URL must be a URL such as nats://127.0.0.1:4222, or several separated by commas (got '${env.NATS_URL}')`);
    }
  });
  for (const { url, host, port } of servers) {
    if (await isReachable(host, port)) {
      await checkExistingNats(env, url, host, port);
      return { server: null };
    }
  }
  if (servers.length > 1) fail(`no NATS server answers at ${urls.join(', ')}. Start them, or ${HOW_TO_GET_ONE}.`);
  const [{ url: natsUrl, host, port }] = servers;
  if (!LOCAL_HOSTS.includes(host)) fail(`no NATS server answers at ${natsUrl}. Start it, or ${HOW_TO_GET_ONE}.`);
  if (!findNatsServer()) fail(`no NATS server answers at ${natsUrl} and none can be started here: ${HOW_TO_GET_ONE}.`);

  const natsDir = path.join(dataDir, 'nats');
  fs.mkdirSync(natsDir, { recursive: true, mode: 0o700 });
  const listenHost = host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  const passwords = ownNatsPasswords(natsDir);
  const users = { ...userNames(namespace), servicesPassword: passwords.servicesPassword, clientPassword: passwords.clientPassword };
  const configFile = path.join(natsDir, 'nats-server.conf');
  writePrivateFile(configFile, buildNatsConfig({ namespace, host: listenHost, port, storeDir: natsDir, ...users }));
  const clientFile = path.join(natsDir, 'client.json');
  writePrivateFile(clientFile, clientJson({ urls: [natsUrl], ...users }));
  const server = await startNatsServer({ host: listenHost, port, configFile, logFile: path.join(dataDir, 'nats-server.log') }).catch((error) =>
    fail(error.message),
  );
  console.log(`roomkey: started nats-server with JetStream at ${natsUrl} (services and client roles; data in ${natsDir})`);
  delete env.NATS_CREDS;
  delete env.NATS_TOKEN;
  Object.assign(env, { NATS_USER: users.servicesUser, NATS_PASSWORD: users.servicesPassword });
  return { server, clientFile, firstStart: passwords.generated };
}

async function waitForReady(url, stopped) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopped()) return false;
    try {
      // At start, wait for every service (status "ok"), not just for issuance: the banner's first
      // call is an admin call. (Later, /readyz answers 200 while degraded, as the contract says.)
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200 && (await response.json()).status === 'ok') return true;
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
Web console: ${publicUrl}/console   (sign in with ${env.ROOMKEY_ADMIN_TOKEN ? '$ROOMKEY_ADMIN_TOKEN' : `the admin token in ${path.join(dataDir, 'admin-token')}`})

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

/** How an internal service reaches roomkey over NATS as the client role (printed at the first start). */
function clientSnippet(clientFile, namespace) {
  return `An internal service reaches roomkey over NATS with the client role: connect() options in
${clientFile} (mode 0600). It may request ${namespace}.v1.{tokens.create,tokens.verify,guests.create,anonymous.create}
and read ${namespace}.v1.events.>, nothing else. From this directory, with API_KEY and SECRET from above:
  API_KEY="$API_KEY" SECRET="$SECRET" node -e '
    const { connect } = require("@nats-io/transport-node");
    (async () => {
      const nc = await connect(JSON.parse(require("fs").readFileSync(${JSON.stringify(clientFile)}, "utf8")));
      const reply = await nc.request("${namespace}.v1.tokens.create", JSON.stringify({ apiKey: process.env.API_KEY,
        secret: process.env.SECRET, userId: "bob", role: "VIEWER", rooms: ["town-hall"] }), { timeout: 2000 });
      console.log(reply.json());
      await nc.close();
    })();'
`;
}

async function main() {
  ensureDependencies();
  ensureBuilt();
  // Contract §6: info by default; pretty text for a person at a terminal, JSON lines otherwise
  // (the services' own stdout is a pipe to the supervisor, so the choice is made here).
  const env = {
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
    LOG_FORMAT: process.env.LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json'),
  };
  const port = env.PORT || '8080';
  const publicUrl = (env.PUBLIC_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  const dataDir = path.resolve(env.ROOMKEY_DATA_DIR || './data');
  env.ROOMKEY_DATA_DIR = dataDir;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const namespace = env.ROOMKEY_NAMESPACE || 'roomkey';
  if (!NAMESPACE_PATTERN.test(namespace)) {
    fail(`ROOMKEY_NAMESPACE must be 1–32 lower-case letters, digits or hyphens, starting with a letter (got '${namespace}')`);
  }
  env.ROOMKEY_NAMESPACE = namespace;

  const nats = await ensureNats(env, namespace, dataDir);
  let stopping = false;
  const supervisor = new Supervisor(
    SERVICES.map((service) => ({
      name: service,
      command: process.execPath,
      args: [...serviceNodeArgs(service), path.join(root, 'dist', 'apps', service, 'main.js')],
    })),
    {
      env,
      // A JSON log line names its service itself and stays one parseable line.
      onOutput: (service, stream, line) => (stream === 'stdout' ? process.stdout : process.stderr).write(line.startsWith('{') ? `${line}\n` : `[${service}] ${line}\n`),
      log: (line) => console.error(line),
      onGiveUp: (reason) => {
        console.error(`roomkey: ${reason}; stopping.`);
        void stop(1);
      },
    },
  );
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    await supervisor.stop();
    if (nats.server) await nats.server.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  supervisor.start();

  const localUrl = `http://127.0.0.1:${port}`;
  if (!(await waitForReady(localUrl, () => stopping))) {
    if (!stopping) {
      console.error(`roomkey: not ready after ${READY_TIMEOUT_MS / 1000} s (GET ${localUrl}/readyz); stopping.`);
      await stop(1);
    }
    return;
  }
  console.log(banner(publicUrl, dataDir, env));
  if (nats.firstStart) console.log(clientSnippet(nats.clientFile, namespace));
}

main().catch((error) => fail(error.stack || error.message));

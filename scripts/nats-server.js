// Finding, probing and starting a local nats-server with JetStream. Used by `npm start` and by the
// integration tests (each suite runs a private broker on a free port). Plain Node: no dependencies.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];
const HOW_TO_GET_ONE =
  "install Debian's nats-server package (apt-get install nats-server), put nats-server on the PATH, or set NATS_URL to a running NATS server with JetStream";

function findNatsServer() {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'nats-server');
    if (isExecutable(candidate)) return candidate;
  }
  return CANDIDATES.find(isExecutable) || null;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function parseNatsUrl(url) {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 4222) };
}

function isReachable(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `nats-server -js` and resolves once it accepts connections; `stop()` ends it by its own PID.
 * With `configFile` it runs `-c FILE` (users and permissions, e.g. from scripts/nats-config.js);
 * host and port override the file's `listen`, and storeDir applies unless the file sets `store_dir`
 * (nats-server refuses both).
 */
async function startNatsServer({ host = '127.0.0.1', port, storeDir, logFile, configFile, binary = findNatsServer() }) {
  if (!binary) throw new Error(`No nats-server found: ${HOW_TO_GET_ONE}.`);
  const configSetsStoreDir = configFile ? /^\s*store_dir\s*[:=]/m.test(fs.readFileSync(configFile, 'utf8')) : false;
  if (!storeDir && !configSetsStoreDir) throw new Error('startNatsServer needs a storeDir (or a configFile that sets store_dir)');
  const args = configFile ? ['-c', configFile] : [];
  args.push('-js', '-a', host, '-p', String(port));
  if (storeDir && !configSetsStoreDir) {
    fs.mkdirSync(storeDir, { recursive: true });
    args.push('-sd', storeDir);
  }
  if (logFile) args.push('-l', logFile);
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let exited = false;
  // If this process dies without stopping it (a crashed test run), the broker must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => {
    exited = true;
    process.removeListener('exit', killOnExit);
  });
  const deadline = Date.now() + 10_000;
  while (!(await isReachable(host, port, 200))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not start on ${host}:${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `nats://${host}:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

module.exports = { findNatsServer, parseNatsUrl, isReachable, freePort, startNatsServer, HOW_TO_GET_ONE };

#!/usr/bin/env node
// `npm run nats-config -- --out DIR [--namespace NS] [--cluster N]`: a nats-server configuration with
// JetStream and roomkey's two roles (contract §5.1), the services' NATS_* settings and a client's
// connect() options, each file 0600. `npm start` uses the same builder for the NATS it starts itself.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const DEFAULT_NAMESPACE = 'roomkey';
const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const DEFAULT_PORT = 4222;
const DEFAULT_CLUSTER_PORT = 6222;
const CLUSTER_REPLICAS = 3;
const USAGE =
  'usage: npm run nats-config -- --out DIR [--namespace NS] [--cluster N (>= 3)] [--host LISTEN_ADDRESS] [--port PORT] [--connect-host NAME] [--store-dir DIR] [--node-hosts H1,H2,H3] [--if-missing]';

/** The role definitions (libs/contracts/namespace.ts): from source under jest, else from the build. */
function contracts() {
  try {
    return require('../libs/contracts/namespace');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    return require('../dist/libs/contracts/namespace.js');
  }
}

function randomPassword() {
  return crypto.randomBytes(24).toString('base64url');
}

function userNames(namespace) {
  return { servicesUser: `${namespace}-services`, clientUser: `${namespace}-client` };
}

/** Writes a file readable by its owner only, also when it already existed with a wider mode. */
function writePrivateFile(file, text) {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

const q = (value) => JSON.stringify(String(value));

function indent(text, spaces) {
  return text.replace(/\n/g, `\n${' '.repeat(spaces)}`);
}

/**
 * The nats-server.conf text. `cluster`: `{ name, serverName, host, port, routes: ['nats-route://…'] }`.
 */
function buildNatsConfig({
  namespace = DEFAULT_NAMESPACE,
  host = '127.0.0.1',
  port = DEFAULT_PORT,
  servicesUser,
  servicesPassword,
  clientUser,
  clientPassword,
  storeDir,
  cluster,
}) {
  const { Namespace, servicePermissions, clientPermissions } = contracts();
  const ns = new Namespace(namespace);
  for (const [name, value] of Object.entries({ servicesUser, servicesPassword, clientUser, clientPassword })) {
    if (!value) throw new Error(`buildNatsConfig needs ${name}`);
  }
  if (servicesUser === clientUser) throw new Error('The services and client users must differ');
  const user = (name, password, permissions) =>
    ['{', `  user: ${q(name)}`, `  password: ${q(password)}`, `  permissions: ${indent(JSON.stringify(permissions, null, 2), 2)}`, '}']
      .join('\n')
      .replace(/\n/g, '\n    ');
  const lines = [
    `# nats-server configuration for roomkey (namespace '${ns.name}'), from scripts/nats-config.js.`,
    '# It holds passwords: keep it readable by nats-server only (mode 0600).',
    `listen: ${q(`${host}:${port}`)}`,
  ];
  if (cluster) lines.push(`server_name: ${q(cluster.serverName)}`);
  lines.push('jetstream {', ...(storeDir ? [`  store_dir: ${q(storeDir)}`] : []), '}');
  if (cluster) {
    lines.push(
      'cluster {',
      `  name: ${q(cluster.name)}`,
      `  listen: ${q(`${cluster.host}:${cluster.port}`)}`,
      `  routes: [${cluster.routes.map(q).join(', ')}]`,
      '}',
    );
  }
  lines.push(
    '# Two users with permissions in one account, not two accounts: the client role speaks on the',
    "# services' own subjects (requests to them, events from them), which in one account need no",
    '# exports, imports or reply mappings; JetStream, KV and internal subjects stay out of reach of',
    '# the client role because its permissions allow only the subjects of contract §5.1.',
    'authorization {',
    '  users: [',
    `    ${user(servicesUser, servicesPassword, servicePermissions(ns))}`,
    `    ${user(clientUser, clientPassword, clientPermissions(ns))}`,
    '  ]',
    '}',
  );
  return `${lines.join('\n')}\n`;
}

function servicesEnv({ namespace, urls, servicesUser, servicesPassword, replicas }) {
  const lines = [
    "# roomkey's services on this NATS (services role). Load with: set -a; . ./services.env; set +a",
    `NATS_URL=${urls.join(',')}`,
    `NATS_USER=${servicesUser}`,
    `NATS_PASSWORD=${servicesPassword}`,
    `ROOMKEY_NAMESPACE=${namespace}`,
  ];
  if (replicas) lines.push(`ROOMKEY_JETSTREAM_REPLICAS=${replicas}`);
  return `${lines.join('\n')}\n`;
}

/** Options NATS.js connect() takes as they are: the client role. */
function clientJson({ urls, clientUser, clientPassword }) {
  return `${JSON.stringify({ servers: urls, user: clientUser, pass: clientPassword }, null, 2)}\n`;
}

function defaultConnectHost(host) {
  return ['0.0.0.0', '::', '[::]', ''].includes(host) ? '127.0.0.1' : host;
}

/**
 * Writes DIR/nats-server.conf (or nats-server-1.conf … with `cluster: N`), DIR/services.env and
 * DIR/client.json with fresh passwords. Returns the files written and the client URLs.
 */
function writeNatsConfig({
  out,
  namespace = DEFAULT_NAMESPACE,
  cluster,
  host = '127.0.0.1',
  port = DEFAULT_PORT,
  connectHost = defaultConnectHost(host),
  storeDir,
  clusterPort = DEFAULT_CLUSTER_PORT,
  nodeHosts,
}) {
  const dir = path.resolve(out);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const users = { ...userNames(namespace), servicesPassword: randomPassword(), clientPassword: randomPassword() };
  const servers = [];
  if (cluster) {
    // One host: consecutive ports. Named hosts (--node-hosts, one machine or container each): the
    // same ports on every host.
    const routeHost = defaultConnectHost(host);
    const node = (i) =>
      nodeHosts
        ? { clientHost: nodeHosts[i - 1], routeHost: nodeHosts[i - 1], port, clusterPort }
        : { clientHost: connectHost, routeHost, port: port + i - 1, clusterPort: clusterPort + i - 1 };
    for (let i = 1; i <= cluster; i++) {
      const routes = [];
      for (let j = 1; j <= cluster; j++) if (j !== i) routes.push(`nats-route://${node(j).routeHost}:${node(j).clusterPort}`);
      const text = buildNatsConfig({
        namespace,
        host,
        port: node(i).port,
        ...users,
        storeDir: path.resolve(storeDir ? `${storeDir}-${i}` : path.join(dir, `jetstream-${i}`)),
        cluster: { name: namespace, serverName: `${namespace}-${i}`, host, port: node(i).clusterPort, routes },
      });
      servers.push({ file: path.join(dir, `nats-server-${i}.conf`), text, url: `nats://${node(i).clientHost}:${node(i).port}` });
    }
  } else {
    const text = buildNatsConfig({ namespace, host, port, ...users, storeDir: path.resolve(storeDir || path.join(dir, 'jetstream')) });
    servers.push({ file: path.join(dir, 'nats-server.conf'), text, url: `nats://${connectHost}:${port}` });
  }
  const urls = servers.map((s) => s.url);
  for (const server of servers) writePrivateFile(server.file, server.text);
  const envFile = path.join(dir, 'services.env');
  writePrivateFile(envFile, servicesEnv({ namespace, urls, ...users, replicas: cluster ? CLUSTER_REPLICAS : undefined }));
  const clientFile = path.join(dir, 'client.json');
  writePrivateFile(clientFile, clientJson({ urls, ...users }));
  return { dir, serverConfigs: servers.map((s) => s.file), servicesEnv: envFile, clientJson: clientFile, urls };
}

class UsageError extends Error {}

function integerOption(values, name, min, max) {
  if (values[name] === undefined) return undefined;
  const raw = values[name];
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
  return value;
}

function parseCommandLine(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        namespace: { type: 'string' },
        cluster: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'connect-host': { type: 'string' },
        'store-dir': { type: 'string' },
        'node-hosts': { type: 'string' },
        'if-missing': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (values.help) return { help: true };
  if (!values.out) throw new UsageError('--out DIR is required');
  const namespace = values.namespace ?? DEFAULT_NAMESPACE;
  if (!NAMESPACE_PATTERN.test(namespace)) throw new UsageError(`--namespace must match ${NAMESPACE_PATTERN.source} (got '${namespace}')`);
  const cluster = integerOption(values, 'cluster', 3, 15);
  const port = integerOption(values, 'port', 1, 65535 - (cluster ?? 1) + 1) ?? DEFAULT_PORT;
  for (const name of ['host', 'connect-host', 'store-dir']) {
    if (values[name] !== undefined && !/^\S+$/.test(values[name])) throw new UsageError(`--${name} must not be empty or contain spaces`);
  }
  const host = values.host ?? '127.0.0.1';
  const nodeHosts = values['node-hosts']?.split(',').map((h) => h.trim());
  if (nodeHosts && (!cluster || nodeHosts.length !== cluster || nodeHosts.some((h) => !/^[\w.-]+$/.test(h)))) {
    throw new UsageError('--node-hosts takes one host name per --cluster node, comma-separated');
  }
  return {
    nodeHosts,
    out: values.out,
    namespace,
    cluster,
    host,
    port,
    connectHost: values['connect-host'] ?? defaultConnectHost(host),
    storeDir: values['store-dir'],
    ifMissing: Boolean(values['if-missing']),
  };
}

function shellPath(file) {
  const relative = path.relative(process.cwd(), file);
  const shown = relative && !relative.startsWith('..') ? `./${relative}` : file;
  return /^[\w./+-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, "'\\''")}'`;
}

function main(argv) {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`nats-config: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const existing = path.resolve(options.out, options.cluster ? 'nats-server-1.conf' : 'nats-server.conf');
  if (options.ifMissing && fs.existsSync(existing)) {
    console.log(`nats-config: ${shellPath(existing)} exists; nothing written (--if-missing).`);
    return;
  }
  require('./dependencies').ensureBuilt();
  const written = writeNatsConfig(options);
  const env = shellPath(written.servicesEnv);
  const run = written.serverConfigs.map((file) => `nats-server -c ${shellPath(file)}`);
  console.log(
    [
      `Wrote (each mode 0600, passwords generated):`,
      ...written.serverConfigs.map((f) => `  ${shellPath(f)}   nats-server configuration: JetStream, the services and client roles`),
      `  ${env}   NATS_URL, NATS_USER, NATS_PASSWORD, ROOMKEY_NAMESPACE${options.cluster ? ', ROOMKEY_JETSTREAM_REPLICAS' : ''} for roomkey's services`,
      `  ${shellPath(written.clientJson)}   connect() options for an internal service (the client role)`,
      '',
      options.cluster ? `Run the ${options.cluster} servers (one terminal each, or one per host):` : 'Run NATS:',
      ...run.map((line) => `  ${line}`),
      'Then roomkey:',
      `  set -a; . ${env}; set +a; npm start`,
      'An internal service connects with the client role:',
      `  connect(JSON.parse(fs.readFileSync(${q(written.clientJson)}, 'utf8')))`,
    ].join('\n'),
  );
}

module.exports = { buildNatsConfig, writeNatsConfig, writePrivateFile, randomPassword, userNames, clientJson, parseCommandLine, USAGE };

if (require.main === module) main(process.argv.slice(2));

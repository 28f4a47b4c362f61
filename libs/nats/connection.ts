import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { ConfigError, type CommonConfig } from '@roomkey/config';
import { Namespace } from '@roomkey/contracts';

/** What a service needs to reach its NATS: servers, namespace and credentials (from CommonConfig). */
export type NatsSettings = Pick<CommonConfig, 'natsUrl' | 'namespace' | 'natsAuth' | 'allowOpenNats' | 'production' | 'jetStreamReplicas'>;

export function namespaceOf(settings: Pick<CommonConfig, 'namespace'>): Namespace {
  return new Namespace(settings.namespace);
}

/** The NATS.js options every roomkey connection uses: credentials, TLS, the services' own inboxes. */
export function natsConnectOptions(settings: NatsSettings, name: string): ConnectionOptions {
  const auth = settings.natsAuth;
  const options: ConnectionOptions = {
    servers: settings.natsUrl.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
    // By default every request builds two Error objects up front (RequestError, TimeoutError) to
    // keep the caller's stack: ~17 % of the gateway's CPU under load (npm run bench, --cpu-prof).
    // RpcClient turns every failure into its own UnavailableError, so those stacks are never seen.
    noAsyncTraces: true,
    inboxPrefix: namespaceOf(settings).serviceInboxPrefix,
  };
  if (auth.user !== undefined) Object.assign(options, { user: auth.user, pass: auth.pass });
  if (auth.token !== undefined) options.token = auth.token;
  if (auth.creds !== undefined) options.authenticator = credsAuthenticator(new TextEncoder().encode(auth.creds));
  if (auth.tls) options.tls = { ...auth.tls };
  return options;
}

function usesCredentials(settings: NatsSettings): boolean {
  const auth = settings.natsAuth;
  return auth.user !== undefined || auth.token !== undefined || auth.creds !== undefined || auth.tls?.cert !== undefined;
}

/** Opens a NATS connection that keeps reconnecting for ever; fails at start with a clear sentence. */
export async function connectToNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  let connection: NatsConnection;
  try {
    connection = await connect(natsConnectOptions(settings, name));
  } catch (error) {
    throw natsStartError(settings, error);
  }
  assertNatsIsNotOpen(settings, connection);
  return connection;
}

/** In production, a NATS that asks for no credentials makes every client roomkey's administrator. */
export function assertNatsIsNotOpen(settings: NatsSettings, connection: NatsConnection): void {
  if (!settings.production || settings.allowOpenNats) return;
  if (connection.info?.auth_required) return;
  void connection.close();
  throw new ConfigError(
    `The NATS at ${settings.natsUrl} asks for no credentials, so any client on it could mint tokens and read secrets: ` +
      `secure it (npm run nats-config; NATS_USER/NATS_PASSWORD, NATS_CREDS or NATS_TOKEN) or set ROOMKEY_ALLOW_OPEN_NATS=1 to accept that`,
  );
}

function natsStartError(settings: NatsSettings, error: unknown): Error {
  const message = (error as Error).message ?? String(error);
  const refused = /authorization|authentication|permissions/i.test(message) || (error as { name?: string }).name === 'AuthorizationError';
  if (refused) {
    const variable = settings.natsAuth.creds
      ? 'NATS_CREDS'
      : settings.natsAuth.user
        ? 'NATS_USER/NATS_PASSWORD'
        : settings.natsAuth.token
          ? 'NATS_TOKEN'
          : 'NATS_USER/NATS_PASSWORD (or NATS_CREDS or NATS_TOKEN)';
    const what = usesCredentials(settings) ? 'refused the credentials in' : 'needs credentials: set';
    return new ConfigError(`The NATS at ${settings.natsUrl} ${what} ${variable} (${message})`);
  }
  return new Error(
    `Cannot reach NATS at ${settings.natsUrl} (${message}). Start one with 'nats-server -js' ` +
      `(Debian package nats-server) or point NATS_URL at a running server.`,
  );
}

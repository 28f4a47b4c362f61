import { connect, type NatsConnection } from '@nats-io/transport-node';

/** Opens a NATS connection that keeps reconnecting for ever; fails at start with a clear sentence. */
export async function connectToNats(natsUrl: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: natsUrl,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: false,
      // By default every request builds two Error objects up front (RequestError, TimeoutError) to
      // keep the caller's stack: ~17 % of the gateway's CPU under load (npm run bench, --cpu-prof).
      // RpcClient turns every failure into its own UnavailableError, so those stacks are never seen.
      noAsyncTraces: true,
    });
  } catch (error) {
    throw new Error(
      `Cannot reach NATS at ${natsUrl} (${(error as Error).message}). Start one with 'nats-server -js' ` +
        `(Debian package nats-server) or point NATS_URL at a running server.`,
    );
  }
}

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
    });
  } catch (error) {
    throw new Error(
      `Cannot reach NATS at ${natsUrl} (${(error as Error).message}). Start one with 'nats-server -js' ` +
        `(Debian package nats-server) or point NATS_URL at a running server.`,
    );
  }
}

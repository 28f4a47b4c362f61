/** The process wrapper of every service's main.ts: start, report, and stop cleanly on a signal. */
import { ConfigError } from '@roomkey/config';
import { shutdownTracing } from './tracing';

interface Closable {
  close(): Promise<void>;
}

/** sysexits' EX_CONFIG; scripts/supervisor.js gives up at once on it. */
export const EXIT_CONFIGURATION_ERROR = 78;

export async function runService(name: string, start: () => Promise<Closable>): Promise<void> {
  let app: Closable;
  try {
    app = await start();
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : (error as Error).message;
    process.stderr.write(`roomkey ${name} could not start: ${message}\n`);
    // A configuration error will not fix itself: a supervisor should not restart the service.
    process.exit(error instanceof ConfigError ? EXIT_CONFIGURATION_ERROR : 1);
  }
  // One line a supervisor (or a test) can wait for.
  process.stdout.write(`roomkey ${name} ready (pid ${process.pid})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: give up waiting
    stopping = true;
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app
      .close()
      // The spans of the last requests are sent before the process exits.
      .then(() => shutdownTracing())
      .then(() => process.exit(0))
      .catch((error: Error) => {
        process.stderr.write(`roomkey ${name}: error while stopping on ${signal}: ${error.message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

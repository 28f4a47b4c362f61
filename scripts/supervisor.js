// Keeps roomkey's services running under `npm start`: a service that dies is restarted with
// back-off and a log line while the others keep serving; one that keeps dying at start (a
// configuration error, say) stops everything with its last words as the reason. Plain Node.
'use strict';
const { spawn } = require('node:child_process');

/** A service that ran this long before dying had started fine: its next failure counts afresh. */
const STARTED_AFTER_MS = 10_000;
/** This many deaths in a row, each within STARTED_AFTER_MS of its start, and we give up. */
const MAX_FAILED_STARTS = 3;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
const REMEMBERED_LINES = 5;
/** A service's exit code for a configuration error (libs/nats/run-service.ts): restarting cannot help. */
const EXIT_CONFIGURATION_ERROR = 78;

class Supervisor {
  /**
   * @param {Array<{name: string, command: string, args: string[]}>} services
   * @param {{env: object, onOutput: (name: string, stream: 'stdout'|'stderr', line: string) => void,
   *          log: (line: string) => void, onGiveUp: (reason: string) => void}} options
   */
  constructor(services, options) {
    this.options = options;
    this.stopping = false;
    this.units = services.map((service) => ({ ...service, child: null, startedAt: 0, failedStarts: 0, restartTimer: null, lastLines: [] }));
  }

  start() {
    for (const unit of this.units) this.spawn(unit);
  }

  spawn(unit) {
    unit.startedAt = Date.now();
    const child = spawn(unit.command, unit.args, { env: this.options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    unit.child = child;
    for (const stream of ['stdout', 'stderr']) {
      let buffered = '';
      child[stream].on('data', (chunk) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop();
        for (const line of lines) {
          if (stream === 'stderr') unit.lastLines = [...unit.lastLines, line].slice(-REMEMBERED_LINES);
          this.options.onOutput(unit.name, stream, line);
        }
      });
    }
    child.once('exit', (code, signal) => this.exited(unit, code, signal));
  }

  exited(unit, code, signal) {
    unit.child = null;
    if (this.stopping) return;
    const how = signal || `exit code ${code}`;
    unit.failedStarts = Date.now() - unit.startedAt < STARTED_AFTER_MS ? unit.failedStarts + 1 : 1;
    if (unit.failedStarts >= MAX_FAILED_STARTS || code === EXIT_CONFIGURATION_ERROR) {
      const words = unit.lastLines.filter((l) => l.trim()).slice(-1)[0];
      this.options.onGiveUp(
        code === EXIT_CONFIGURATION_ERROR
          ? `the ${unit.name} service cannot start${words ? `: ${words.trim()}` : ''}`
          : `the ${unit.name} service died ${unit.failedStarts} times right after starting (last: ${how})${words ? `: ${words.trim()}` : ''}`,
      );
      return;
    }
    const delay = Math.min(FIRST_BACKOFF_MS * 2 ** (unit.failedStarts - 1), MAX_BACKOFF_MS);
    this.options.log(`roomkey: the ${unit.name} service stopped (${how}); restarting it in ${(delay / 1000).toFixed(2)} s, the others keep serving`);
    unit.restartTimer = setTimeout(() => {
      unit.restartTimer = null;
      if (!this.stopping) this.spawn(unit);
    }, delay);
  }

  /** True when every service is running now. */
  allRunning() {
    return this.units.every((unit) => unit.child !== null);
  }

  /** SIGTERM to every service (SIGKILL after `graceMs`); resolves when all have exited. */
  stop(graceMs = 10_000) {
    this.stopping = true;
    return Promise.all(
      this.units.map((unit) => {
        clearTimeout(unit.restartTimer);
        const child = unit.child;
        if (!child) return undefined;
        return new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
        });
      }),
    );
  }

  /** The PID of a service's current process (tests kill it to see it come back). */
  pid(name) {
    return this.units.find((unit) => unit.name === name)?.child?.pid;
  }
}

module.exports = { Supervisor, STARTED_AFTER_MS, MAX_FAILED_STARTS };

/**
 * The progress line: on a terminal one line rewritten in place (step, phase, live rate, time
 * left); elsewhere (CI, a log file) one line per step and per result.
 */
export class Progress {
  private readonly started = Date.now();
  private readonly tty = Boolean(process.stdout.isTTY);
  private step = 0;
  private stepStarted = Date.now();
  private plannedCurrent = 0;
  private label = '';
  private lineShown = false;

  constructor(private readonly planned: number[]) {}

  /** Begins the next planned step (its planned duration is the `planned` entry of the same index). */
  begin(label: string): void {
    this.plannedCurrent = this.planned[this.step] ?? 0;
    this.step++;
    this.stepStarted = Date.now();
    this.label = label;
    if (this.tty) this.show('');
    else process.stdout.write(`${this.prefix()} ${label}\n`);
  }

  update(detail: string): void {
    if (this.tty) this.show(detail);
  }

  /** A result line that stays on screen. */
  done(summary: string): void {
    this.clear();
    process.stdout.write(`${this.prefix()} ${this.label}: ${summary}\n`);
  }

  note(text: string): void {
    this.clear();
    process.stdout.write(`${text}\n`);
  }

  private prefix(): string {
    return `[${clock((Date.now() - this.started) / 1000)} ${String(this.step).padStart(2)}/${this.planned.length}]`;
  }

  private remainingSeconds(): number {
    const inStep = (Date.now() - this.stepStarted) / 1000;
    const later = this.planned.slice(this.step).reduce((sum, s) => sum + s, 0);
    return Math.max(0, this.plannedCurrent - inStep) + later;
  }

  private show(detail: string): void {
    const line = `${this.prefix()} ${this.label}${detail ? ` — ${detail}` : ''} · about ${clock(this.remainingSeconds())} left`;
    const width = process.stdout.columns || 120;
    process.stdout.write(`\r\x1b[K${line.slice(0, width - 1)}`);
    this.lineShown = true;
  }

  private clear(): void {
    if (this.tty && this.lineShown) process.stdout.write('\r\x1b[K');
    this.lineShown = false;
  }
}

export function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Ctrl-C (SIGINT) and SIGTERM stop a run at its next safe point — the next episode end, where a checkpoint holds
 * everything a resumed run needs — after writing a checkpoint there, instead of losing the work since the last one.
 * The process then exits with the shell's code for that signal (128 + its number: 130, 143) and a line saying
 * what was kept. The same signal a second time stops at once, without a checkpoint, and says so.
 * (test/run/signals.test.ts: a resumed run's log equals an uninterrupted run's.)
 */
import * as os from 'os';

export type StopSignal = 'SIGINT' | 'SIGTERM';
const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/** The exit code a shell reports for a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export const exitCodeOf = (signal: StopSignal): number => 128 + os.constants.signals[signal];

/** Thrown by a run that stopped on a signal; the CLI exits with `exitCode`. */
export class RunInterrupted extends Error {
  readonly exitCode: number;

  constructor(
    readonly signal: StopSignal,
    message: string,
  ) {
    super(message);
    this.name = 'RunInterrupted';
    this.exitCode = exitCodeOf(signal);
  }
}

/** How often the training loop lets signal handlers run (they run between event-loop turns, not inside a step). */
const YIELD_MS = 50;

export class GracefulStop {
  /** The signal received, once one was. */
  signal: StopSignal | undefined;
  private lastYield = Date.now();
  private readonly handler = (signal: StopSignal): void => this.onSignal(signal);

  /** `what`: the run, for the messages. */
  constructor(private readonly what: string) {
    for (const s of SIGNALS) process.on(s, this.handler);
  }

  private onSignal(signal: StopSignal): void {
    if (this.signal) {
      console.error(
        `[seer] ${signal} again: ${this.what} stops now, without a checkpoint; --resume continues from ` +
          'its last checkpoint',
      );
      process.exit(exitCodeOf(signal));
    }
    this.signal = signal;
    console.error(
      `[seer] ${signal}: ${this.what} stops at the end of this episode, after writing a checkpoint ` +
        `(${signal === 'SIGINT' ? 'Ctrl-C' : signal} again stops at once, without one)`,
    );
  }

  /**
   * Lets a pending signal's handler run: the training loop is synchronous, so without an event-loop turn a signal
   * would wait for the end of the run. Cheap: at most one turn every 50 ms.
   */
  async poll(): Promise<void> {
    if (Date.now() - this.lastYield < YIELD_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = Date.now();
  }

  dispose(): void {
    for (const s of SIGNALS) process.removeListener(s, this.handler);
  }
}

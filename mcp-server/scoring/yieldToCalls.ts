/**
 * Gives the event loop a turn, so tool calls that came in meanwhile are answered between two long
 * pieces of synchronous work (a million-customer sort, a pass over a set) instead of after all of
 * them: a scoring or an aggregate never holds up the calls that answer from the previous set.
 */
export function yieldToCalls(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * How long a scoring computes before waiting calls get a turn. Reads answer in a few
 * milliseconds, so a call that arrives while the book is scored waits about this long.
 */
export const SLICE_MS = 50;

/**
 * One long computation cut into slices: `pause()` gives the event loop a turn once `sliceMs`
 * have passed since the last turn and costs nothing otherwise, and `run` steps a generator (a
 * model fit in `core/`, which yields between evaluations of its objective) with such pauses.
 * Awaiting a promise that is already settled gives no turn: a loop over chunks read ahead, or
 * over values in memory, needs these pauses to let calls in.
 */
export class Slices {
  private last = performance.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  async pause(): Promise<void> {
    if (performance.now() - this.last < this.sliceMs) return;
    await yieldToCalls();
    this.last = performance.now();
  }

  async run<T>(steps: Generator<unknown, T>): Promise<T> {
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await this.pause();
    }
  }
}

/**
 * Gives the event loop a turn, so tool calls that came in meanwhile are answered between two long
 * pieces of synchronous work (a million-customer sort, a pass over a set) instead of after all of
 * them: a scoring or an aggregate never holds up the calls that answer from the previous set.
 */
export function yieldToCalls(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

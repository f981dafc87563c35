/**
 * Timestamps are stored as ISO 8601 UTC text to the second (`2026-06-30T23:59:59Z`). Every
 * bound compared against them must have the same form: `toISOString()` adds milliseconds, and
 * `…59.000Z` sorts before `…59Z`, which would drop rows at the boundary.
 */
export function storedTime(moment: Date | number): string {
  return new Date(moment).toISOString().replace(/\.\d{3}Z$/, "Z");
}

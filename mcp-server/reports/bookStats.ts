/**
 * The book's headline numbers now live in `store/bookStats.ts`, next to the other queries the
 * tools share; this module keeps the CLI's imports working.
 */
export { bookStats, type BookStats, type OwnerStats } from "../store/bookStats.js";

/**
 * The customer health index (CHI) of every scope of a score set at once: the whole book and each
 * account manager's customers, from one read of the set in storage order.
 *
 * A customer's frequency and value components are mid-rank percentiles of their purchase rate and
 * average spend among all the set's rated customers, so no scope can be averaged before the whole
 * set is ranked. Ranking in SQL took two window sorts of the set per scope (6-8 s for a million
 * customers, again after every write that carries the set over); here the set is read once, the
 * two columns sorted once, and each customer ranked by binary search with the same formulas as one
 * customer's profile (`core/kpi.ts`), so the book's mean and a profile's index agree exactly.
 */
import { yieldToCalls } from "./yieldToCalls.js";
import {
  customerHealthIndex,
  midRankPercentile,
  rankCounts,
  type ChiBand,
  type CustomerHealth,
} from "../../core/kpi.js";
import { ratedPiece } from "../store/kpiQueries.js";
import { setRowPieces } from "../store/setTables.js";
import type { Store } from "../store/store.js";

/** Means over a scope's rated customers and their counts per band. */
export interface ChiTotals {
  customers: number;
  meanIndex: number | null;
  meanFrequency: number | null;
  meanValue: number | null;
  meanRetention: number | null;
  healthy: number;
  watch: number;
  atRisk: number;
}

/** The purchase rates and average spends of a set's rated customers, each sorted ascending. */
export interface ChiColumns {
  rates: Float64Array;
  spends: Float64Array;
}

/** A set's CHI: its sorted columns (for one customer's percentiles) and the totals of every scope. */
export interface SetChi {
  columns: ChiColumns;
  book: ChiTotals;
  /** Per owner, keyed by `ownerKey`. */
  owners: Map<string, ChiTotals>;
}

/** Customers ranked between two turns of the event loop: other calls are answered in between. */
const YIELD_EVERY = 50_000;

/** Customer ids read per piece: memory follows the piece, not the set. */
const PIECE_ROWS = 100_000;

/**
 * How owners are matched: as SQLite's NOCASE collation does (the tools' owner filters), which folds
 * ASCII letters only.
 */
export function ownerKey(owner: string): string {
  return owner.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

class Sums {
  customers = 0;
  index = 0;
  frequency = 0;
  value = 0;
  retention = 0;
  readonly bands: Record<ChiBand, number> = { healthy: 0, watch: 0, "at-risk": 0 };

  add(health: CustomerHealth): void {
    this.customers++;
    this.index += health.index;
    this.frequency += health.components.frequency;
    this.value += health.components.value;
    this.retention += health.components.retention;
    this.bands[health.band]++;
  }

  totals(): ChiTotals {
    const mean = (sum: number) => (this.customers === 0 ? null : sum / this.customers);
    return {
      customers: this.customers,
      meanIndex: mean(this.index),
      meanFrequency: mean(this.frequency),
      meanValue: mean(this.value),
      meanRetention: mean(this.retention),
      healthy: this.bands.healthy,
      watch: this.bands.watch,
      atRisk: this.bands["at-risk"],
    };
  }
}

/** Every scope's CHI of a set (see the module comment). */
export async function setChi(store: Store, setId: number): Promise<SetChi> {
  const rates: number[] = [];
  const spends: number[] = [];
  const churns: number[] = [];
  const ownerOf: number[] = [];
  // Owner names as stored, then folded: a book has a few owners and a million rows naming them.
  const stored = new Map<string, number>();
  const owners = new Map<string, number>();
  for (const [first, last] of await setRowPieces(store.reads, setId, PIECE_ROWS)) {
    for (const row of await ratedPiece(store, setId, first, last)) {
      rates.push(row.rate);
      spends.push(row.spend);
      churns.push(row.churn);
      let owner = -1;
      if (row.owner !== null) {
        owner = stored.get(row.owner) ?? -1;
        if (owner < 0) {
          const key = ownerKey(row.owner);
          owner = owners.get(key) ?? owners.size;
          owners.set(key, owner);
          stored.set(row.owner, owner);
        }
      }
      ownerOf.push(owner);
    }
  }
  const columns: ChiColumns = {
    rates: Float64Array.from(rates).sort(),
    spends: Float64Array.from(spends).sort(),
  };
  const book = new Sums();
  const byOwner = Array.from({ length: owners.size }, () => new Sums());
  const count = rates.length;
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToCalls();
    const rate = rankCounts(columns.rates, rates[i]);
    const spend = rankCounts(columns.spends, spends[i]);
    const health = customerHealthIndex({
      frequencyPercentile: midRankPercentile(rate.below, rate.equal, count),
      valuePercentile: midRankPercentile(spend.below, spend.equal, count),
      churnProbability: churns[i],
    });
    book.add(health);
    if (ownerOf[i] >= 0) byOwner[ownerOf[i]].add(health);
  }
  return {
    columns,
    book: book.totals(),
    owners: new Map([...owners].map(([key, index]) => [key, byOwner[index].totals()])),
  };
}

/** A scope's CHI from its set's: the book's, or one owner's (matched as `ownerKey` does). */
export function scopeOf(chi: SetChi, owner: string | undefined): ChiTotals {
  if (owner === undefined) return chi.book;
  return chi.owners.get(ownerKey(owner)) ?? new Sums().totals();
}

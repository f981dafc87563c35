/**
 * Customers as the purchase models (BG/NBD, MBG/NBD, Pareto/NBD) take them, (x, tx, T), and the
 * grouping that makes fitting a million customers cheap: customers with the same (x, tx, T) add
 * the same term to the likelihood, so each distinct triple is evaluated once with a weight.
 */

/** One customer (or `weight` identical customers) for fitting a purchase model. */
export interface PurchaseRow {
  /** Repeat purchases (purchase periods after the first). */
  x: number;
  /** Time from the first to the last purchase. */
  tx: number;
  /** Time from the first purchase to the end of observation. */
  T: number;
  /** How many customers share these values (default 1). */
  weight?: number;
}

/** Checks that every named parameter of `model` is a positive finite number. */
export function checkPositiveParams(model: string, params: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(params)) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`${model} parameter ${name} must be a positive finite number, got ${value}`);
    }
  }
}

/** Checks a length of time (a horizon t). */
export function checkTime(t: number): void {
  if (!(t >= 0) || !Number.isFinite(t)) throw new RangeError(`time t must be a finite number >= 0, got ${t}`);
}

/** Checks one customer's (x, tx, T), naming the broken rule. */
export function checkCustomer(x: number, tx: number, T: number): void {
  if (!(x >= 0) || !Number.isInteger(x)) {
    throw new RangeError(`frequency x must be a non-negative integer, got ${x}`);
  }
  if (!(tx >= 0) || !Number.isFinite(tx))
    throw new RangeError(`recency tx must be a finite number >= 0, got ${tx}`);
  if (!(T >= 0) || !Number.isFinite(T)) throw new RangeError(`age T must be a finite number >= 0, got ${T}`);
  if (tx > T) throw new RangeError(`recency tx must not exceed age T (tx = ${tx}, T = ${T})`);
}

/** Distinct (x, tx, T) rows with weights, each coordinate stored as an index into its values. */
export interface GroupedRows {
  count: number;
  xIndex: Int32Array;
  txIndex: Int32Array;
  tIndex: Int32Array;
  weight: Float64Array;
  xValues: Float64Array;
  txValues: Float64Array;
  tValues: Float64Array;
  totalWeight: number;
  meanX: number;
  meanT: number;
}

/**
 * Maps numbers to dense indices 0, 1, 2, ... in order of first appearance: an open-addressing
 * hash table on the value's bits, several times faster than a Map for a million lookups.
 */
class ValueIndex {
  private keys: Float64Array;
  private slots: Int32Array;
  private mask: number;
  readonly values: number[] = [];
  private static readonly scratch = new Float64Array(1);
  private static readonly bits = new Uint32Array(ValueIndex.scratch.buffer);

  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.values.length;
  }

  private slotOf(value: number): number {
    ValueIndex.scratch[0] = value;
    const bits = ValueIndex.bits;
    let h = Math.imul(bits[0] ^ Math.imul(bits[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** The index of `value`, adding it if new. */
  indexOf(input: number): number {
    const value = input + 0; // -0 and 0 are one key
    let slot = this.slotOf(value);
    for (;;) {
      const index = this.slots[slot];
      if (index === -1) break;
      if (this.keys[slot] === value) return index;
      slot = (slot + 1) & this.mask;
    }
    const index = this.values.length;
    this.values.push(value);
    this.keys[slot] = value;
    this.slots[slot] = index;
    if (2 * this.values.length > this.slots.length) this.grow();
    return index;
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.values.forEach((value, index) => {
      let slot = this.slotOf(value);
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.keys[slot] = value;
      this.slots[slot] = index;
    });
  }
}

/** Groups rows by unique (x, tx, T); tx is ignored (set to 0) when x = 0, as the likelihood does. */
export function groupRows(rows: readonly PurchaseRow[], model = "fit"): GroupedRows {
  const xIndexer = new ValueIndex();
  const txIndexer = new ValueIndex();
  const tIndexer = new ValueIndex();
  const n = rows.length;
  const rowX = new Int32Array(n);
  const rowTx = new Int32Array(n);
  const rowT = new Int32Array(n);
  const rowWeight = new Float64Array(n);
  let totalWeight = 0;
  let sumX = 0;
  let sumT = 0;
  let allUnitWeights = true;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const weight = row.weight ?? 1;
    if (weight !== 1) allUnitWeights = false;
    checkCustomer(row.x, row.tx, row.T);
    if (!(weight >= 0) || !Number.isFinite(weight)) {
      throw new RangeError(`row ${i}: weight must be a finite number >= 0, got ${weight}`);
    }
    rowX[i] = xIndexer.indexOf(row.x);
    rowTx[i] = txIndexer.indexOf(row.x === 0 ? 0 : row.tx);
    rowT[i] = tIndexer.indexOf(row.T);
    rowWeight[i] = weight;
    totalWeight += weight;
    sumX += weight * row.x;
    sumT += weight * row.T;
  }
  const nTx = txIndexer.size;
  const nT = tIndexer.size;
  if (xIndexer.size * nTx * nT >= Number.MAX_SAFE_INTEGER) {
    throw new RangeError(
      `${model}: too many distinct x, tx and T values to group (more than 2^53 combinations)`,
    );
  }
  const xIndex: number[] = [];
  const txIndex: number[] = [];
  const tIndex: number[] = [];
  const weights: number[] = [];
  if (allUnitWeights) {
    // Sorting the combined keys natively and counting runs beats hashing a million keys.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (rowX[i] * nTx + rowTx[i]) * nT + rowT[i];
    keys.sort();
    for (let i = 0; i < n;) {
      const key = keys[i];
      let j = i + 1;
      while (j < n && keys[j] === key) j++;
      const ti = key % nT;
      const rest = (key - ti) / nT;
      const txi = rest % nTx;
      xIndex.push((rest - txi) / nTx);
      txIndex.push(txi);
      tIndex.push(ti);
      weights.push(j - i);
      i = j;
    }
  } else {
    const groups = new ValueIndex(Math.min(n, 1 << 20));
    for (let i = 0; i < n; i++) {
      const g = groups.indexOf((rowX[i] * nTx + rowTx[i]) * nT + rowT[i]);
      if (g === xIndex.length) {
        xIndex.push(rowX[i]);
        txIndex.push(rowTx[i]);
        tIndex.push(rowT[i]);
        weights.push(rowWeight[i]);
      } else weights[g] += rowWeight[i];
    }
  }
  return {
    count: xIndex.length,
    xIndex: Int32Array.from(xIndex),
    txIndex: Int32Array.from(txIndex),
    tIndex: Int32Array.from(tIndex),
    weight: Float64Array.from(weights),
    xValues: Float64Array.from(xIndexer.values),
    txValues: Float64Array.from(txIndexer.values),
    tValues: Float64Array.from(tIndexer.values),
    totalWeight,
    meanX: totalWeight > 0 ? sumX / totalWeight : 0,
    meanT: totalWeight > 0 ? sumT / totalWeight : 0,
  };
}

/**
 * A stratified subsample of grouped rows for the pilot fit: every customer without repeat
 * purchases (few rows, since they group by T alone) and every k-th of the others, weighted by k,
 * so the subsample's mean log-likelihood estimates the full one.
 */
export function subsampleRows(data: GroupedRows, target: number): GroupedRows {
  const step = Math.max(1, Math.ceil(data.count / target));
  const keep: number[] = [];
  let seen = 0;
  for (let k = 0; k < data.count; k++) {
    if (data.xValues[data.xIndex[k]] === 0) keep.push(k);
    else if (seen++ % step === 0) keep.push(k);
  }
  const weight = new Float64Array(keep.length);
  let totalWeight = 0;
  keep.forEach((k, i) => {
    weight[i] = data.weight[k] * (data.xValues[data.xIndex[k]] === 0 ? 1 : step);
    totalWeight += weight[i];
  });
  return {
    ...data,
    count: keep.length,
    xIndex: Int32Array.from(keep, (k) => data.xIndex[k]),
    txIndex: Int32Array.from(keep, (k) => data.txIndex[k]),
    tIndex: Int32Array.from(keep, (k) => data.tIndex[k]),
    weight,
    totalWeight,
  };
}

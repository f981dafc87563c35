/**
 * Benchmark of the scoring core on a million simulated customers: `npx tsx bench/core.ts`.
 *
 * The customers follow BG/NBD and Gamma-Gamma with CDNOW-like parameters in days. Their purchase
 * times are bucketed into whole days, as real transaction data is, so (x, tx, T) are whole
 * numbers of days. Targets on the 2-core reference machine: both fits in under 5 s together,
 * scoring (P(alive), conditional expected purchases and CLV for everyone) in under 2 s.
 */

import { bgNbdConditionalExpected, bgNbdPAlive, fitBgNbd, type BgNbdParams } from "../core/bgNbd.js";
import { CLV_DEFAULTS, DAYS_PER_MONTH, portfolioLifetimeValue } from "../core/clv.js";
import { fitGammaGamma, type GammaGammaParams } from "../core/gammaGamma.js";
import { createRng } from "../core/random.js";
import { simulateBgNbdPurchaseTimes, simulateGammaGammaSpend } from "../core/simulate.js";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const TRUE_BG_NBD: BgNbdParams = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 };
const TRUE_GAMMA_GAMMA: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };

interface Row {
  x: number;
  tx: number;
  T: number;
  monetary: number;
}

function simulate(count: number, seed: number): Row[] {
  const rng = createRng(seed);
  const rows: Row[] = new Array(count);
  for (let i = 0; i < count; i++) {
    // Acquired uniformly over a year, observed for one to two years.
    const T = 365 + rng.int(366);
    const times = simulateBgNbdPurchaseTimes(TRUE_BG_NBD, T, rng);
    // Whole days, as in transaction data: purchases on the first day or on the same day merge.
    let x = 0;
    let lastDay = 0;
    for (const time of times) {
      const day = Math.min(T, Math.ceil(time));
      if (day > lastDay) {
        x++;
        lastDay = day;
      }
    }
    let monetary = 0;
    if (x > 0) {
      const values = simulateGammaGammaSpend(TRUE_GAMMA_GAMMA, x, rng);
      let sum = 0;
      for (const value of values) sum += value;
      monetary = Math.round((sum / x) * 100) / 100;
    }
    rows[i] = { x, tx: lastDay, T, monetary };
  }
  return rows;
}

/** Wall-clock seconds, and this process's CPU seconds (meaningful when other work shares the machine). */
const cpuSeconds: number[] = [];
function time<T>(run: () => T): [T, number] {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = run();
  const cpu = process.cpuUsage(cpuStart);
  cpuSeconds.push((cpu.user + cpu.system) / 1e6);
  return [result, (performance.now() - start) / 1000];
}

const timings: [string, number, string][] = [];

const [rows, simulateSeconds] = time(() => simulate(CUSTOMERS, 20240601));
timings.push(["simulate customers", simulateSeconds, `${CUSTOMERS.toLocaleString("en")} customers`]);

const [bgNbd, bgNbdSeconds] = time(() => fitBgNbd(rows));
timings.push([
  "fitBgNbd",
  bgNbdSeconds,
  `r=${bgNbd.r.toFixed(3)} alpha=${bgNbd.alpha.toFixed(2)} a=${bgNbd.a.toFixed(3)} b=${bgNbd.b.toFixed(3)} ` +
    `converged=${bgNbd.converged} iterations=${bgNbd.iterations}`,
]);

const [gammaGamma, gammaGammaSeconds] = time(() => fitGammaGamma(rows));
timings.push([
  "fitGammaGamma",
  gammaGammaSeconds,
  `p=${gammaGamma.p.toFixed(2)} q=${gammaGamma.q.toFixed(2)} v=${gammaGamma.v.toFixed(2)} ` +
    `on ${gammaGamma.customers.toLocaleString("en")} returning, converged=${gammaGamma.converged}`,
]);

const [meanPAlive, pAliveSeconds] = time(() => {
  let sum = 0;
  for (const row of rows) sum += bgNbdPAlive(bgNbd, row.x, row.tx, row.T);
  return sum / rows.length;
});
timings.push(["bgNbdPAlive, one call per customer", pAliveSeconds, `mean ${meanPAlive.toFixed(4)}`]);

const horizon = CLV_DEFAULTS.horizonMonths * DAYS_PER_MONTH;
const [expected, expectedSeconds] = time(() => {
  let sum = 0;
  for (const row of rows) sum += bgNbdConditionalExpected(bgNbd, horizon, row.x, row.tx, row.T);
  return sum;
});
timings.push([
  "bgNbdConditionalExpected (12 months), one call per customer",
  expectedSeconds,
  `total ${expected.toFixed(0)}`,
]);

const [portfolio, portfolioSeconds] = time(() =>
  portfolioLifetimeValue(bgNbd, gammaGamma, rows, { unit: "days" }),
);
timings.push([
  "portfolioLifetimeValue (P(alive) + expected + CLV)",
  portfolioSeconds,
  `total CLV ${portfolio.totals.discountedValue.toFixed(0)}, purchases ${portfolio.totals.expectedPurchases.toFixed(0)}`,
]);

const fitTotal = bgNbdSeconds + gammaGammaSeconds;
const nameWidth = Math.max(...timings.map(([name]) => name.length), 40);
console.log(`${"step".padEnd(nameWidth)}  wall s   cpu s  notes`);
timings.forEach(([name, seconds, note], i) =>
  console.log(
    `${name.padEnd(nameWidth)}  ${seconds.toFixed(3).padStart(6)}  ${cpuSeconds[i].toFixed(3).padStart(6)}  ${note}`,
  ),
);
const verdict = (seconds: number, target: number) =>
  `${seconds.toFixed(3)} s (target < ${target} s): ${seconds < target ? "ok" : "SLOW"}`;
console.log(`\nfits (fitBgNbd + fitGammaGamma): ${verdict(fitTotal, 5)}`);
console.log(
  `scoring (portfolioLifetimeValue: P(alive), expected purchases and CLV for everyone): ${verdict(portfolioSeconds, 2)}`,
);
console.log(`node ${process.version}, ${CUSTOMERS.toLocaleString("en")} customers`);

/**
 * `crm kpi`: the four relationship-maintenance indices and first-month activation for the book or
 * one account manager, with their monthly series and the cohort retention table. Every figure is a
 * SQL aggregate per month (`store/kpiQueries.ts`) turned into an index by `core/kpi.ts`.
 */
import { activationRate, emotionIndex, monthIndex, retentionRow } from "../../core/kpi.js";
import type { KpiReport } from "../contract/kpi.js";
import {
  clvSum,
  emotionCounts,
  retentionCounts,
  scoreSetsByMonth,
  serviceCounts,
  someOwnerNames,
  storedOwnerName,
} from "../store/kpiQueries.js";
import type { Store } from "../store/store.js";
import { slaOf } from "../store/ticketQueries.js";
import {
  kpiMonths,
  kpiSummary,
  scopeChi,
  scopeCohorts,
  serviceSummary,
  SERVICE_QUANTILES,
  KpiPeriodError,
  kpiLines,
} from "../scoring/kpi.js";
import { ensureScores, type ScoreSet } from "../scoring/scoreCache.js";

export { KpiPeriodError, kpiLines };

/** What `kpiReport` covers. */
export interface KpiReportOptions {
  /** An account manager (matched case-insensitively); the whole book when absent. */
  owner?: string;
  /** First month, YYYY-MM (default: 11 months before `to`). */
  from?: string;
  /** Last month, YYYY-MM (default: the as-of month). */
  to?: string;
  /** The as-of moment: nothing after it counts. */
  asOf: Date;
  /** The score set for `asOf`, when the caller has it already. */
  set?: ScoreSet;
  /** The clock scoring stamps a new set with. */
  now?: () => Date;
}

/** The owner as stored, or an actionable error naming the book's owners. */
export async function resolveKpiOwner(store: Store, owner: string | undefined): Promise<string | undefined> {
  if (owner === undefined) return undefined;
  const stored = await storedOwnerName(store, owner.trim());
  if (stored !== undefined) return stored;
  const owners = await someOwnerNames(store);
  throw new KpiPeriodError(
    `no customers have the owner "${owner}"; owners in this book: ${owners.join(", ") || "(none)"}. Omit --owner for the whole book.`,
  );
}

/**
 * The indices of the book (or one owner) as of `asOf`, with one row per month of the period and
 * the retention table of each monthly cohort of new customers in it. CHI and the 12-month LTV of a
 * past month come from the score set stored for a date in that month, when there is one: the churn
 * probabilities behind CHI exist only for scored dates, and no model is refitted to fill the gaps.
 */
export async function kpiReport(store: Store, options: KpiReportOptions): Promise<KpiReport> {
  const owner = await resolveKpiOwner(store, options.owner);
  const months = kpiMonths(options.asOf, options.from, options.to);
  const set = options.set ?? (await ensureScores(store, options.asOf, options.now));
  const sla = await slaOf(store);
  const [summary, service, emotion, cohorts, retention, stored] = await Promise.all([
    kpiSummary(store, set, { owner, months }),
    serviceCounts(store, months, months.asOf, owner, sla, "month", SERVICE_QUANTILES),
    emotionCounts(store, months, { owner }, "month"),
    scopeCohorts(store, set, months, owner),
    retentionCounts(store, set.id, months, months.asOf, owner),
    scoreSetsByMonth(store, months, set.horizonDays, set.modelVersion),
  ]);
  // The as-of month's point is the set this report is about, whatever else was stored that month.
  const snapshots = new Map(stored.map((row) => [row.month, row]));
  snapshots.set(set.asOf.slice(0, 7), {
    month: set.asOf.slice(0, 7),
    id: set.id,
    asOf: set.asOf,
    computedAt: set.computedAt,
    dataVersion: set.dataVersion,
  });
  const history = new Map<string, { index: number | null; customers: number; asOf: string; clv: number }>();
  for (const snapshot of snapshots.values()) {
    if (!months.months.includes(snapshot.month)) continue;
    const [chi, clv] = await Promise.all([
      scopeChi(store, snapshot, owner),
      clvSum(store, snapshot.id, owner),
    ]);
    history.set(snapshot.month, {
      index: chi.meanIndex,
      customers: chi.customers,
      asOf: snapshot.asOf.slice(0, 10),
      clv: clv.clv,
    });
  }

  const monthRows = months.months.map((month) => {
    const se = serviceSummary(
      service.find((row) => row.bucket === month),
      sla,
    );
    const feelings = emotion.find((row) => row.bucket === month);
    const ei = feelings ? emotionIndex(feelings) : null;
    const cohort = cohorts.find((row) => row.month === month) ?? {
      month,
      customers: 0,
      eligible: 0,
      activated: 0,
    };
    const snapshot = history.get(month);
    return {
      month,
      chi: snapshot
        ? { index: snapshot.index, customers: snapshot.customers, score_set_as_of: snapshot.asOf }
        : null,
      ltv_12_months: snapshot ? snapshot.clv : null,
      service: {
        tickets: se.tickets,
        first_response_median_hours: se.first_response_hours.median,
        first_response_p90_hours: se.first_response_hours.p90,
        resolution_rate: se.resolution_rate,
        resolution_median_hours: se.resolution_hours_median,
        breaching: se.breaching.any,
      },
      emotion: {
        index: ei?.index ?? null,
        nps: ei?.nps ?? null,
        nps_responses: feelings?.npsResponses ?? 0,
        reviews: feelings?.reviews ?? 0,
      },
      activation: {
        new_customers: cohort.customers,
        eligible: cohort.eligible,
        activated: cohort.activated,
        rate: activationRate(cohort),
      },
    };
  });

  const asOfMonth = monthIndex(months.asOf.slice(0, 7));
  const cohortRows = cohorts.map((cohort) => {
    const buyers = new Map(
      retention
        .filter((row) => row.month === cohort.month)
        .map((row) => [row.offset, row.buyers] as [number, number]),
    );
    return {
      cohort: cohort.month,
      customers: cohort.customers,
      eligible: cohort.eligible,
      activated: cohort.activated,
      activation_rate: activationRate(cohort),
      retention: retentionRow(cohort.customers, buyers, asOfMonth - monthIndex(cohort.month) + 1),
    };
  });

  const notes: string[] = [];
  const missing = monthRows.filter((row) => row.chi === null).map((row) => row.month);
  if (missing.length > 0) {
    notes.push(
      `CHI and 12-month LTV need a score set (churn probabilities and CLV) as of a date in the month; none is stored for ${missing.length} of ${monthRows.length} months ` +
        `(${missing[0]}${missing.length > 1 ? ` to ${missing[missing.length - 1]}` : ""}). ` +
        "Scoring a date adds one (e.g. `crm kpi --as-of <last day of the month>`); the store keeps the few newest sets.",
    );
  }
  if (summary.service.tickets === 0) notes.push(summary.service.note!);
  if (summary.emotion.index === null)
    notes.push("no NPS answers or labelled reviews in the period: no emotion index");
  return { ...summary, months: monthRows, cohorts: cohortRows, notes };
}

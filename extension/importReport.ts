/** The import kinds `crm import` takes (the CLI's own list; kept here so the extension imports no CLI code). */
export const IMPORT_KINDS = [
  { kind: "transactions", description: "orders: customer, date, amount (creates new customers)" },
  { kind: "customers", description: "customer records: id, name, company, email, owner, ..." },
  { kind: "interactions", description: "calls, emails and meetings with known customers" },
  { kind: "feedback", description: "survey, NPS, review, ticket and complaint rows" },
  { kind: "tickets", description: "service tickets: customer, kind, opened, first response, resolved" },
  { kind: "events", description: "web and store events: customer, time, type, product category" },
] as const;

export type ImportKindName = (typeof IMPORT_KINDS)[number]["kind"];

/** The subset of the CLI's `--json` import report the extension shows. */
export interface ImportReportSummary {
  file: string;
  kind: string;
  committed: boolean;
  rowsRead: number;
  inserted: number;
  updated: number;
  duplicates: number;
  customersCreated: number;
  skippedWithoutCustomer: number;
  errorCount: number;
  errors: { file: string; line: number; column: string | null; value: string | null; reason: string }[];
  seconds: number;
}

/** Arguments after `--db PATH` for `crm import`. */
export function importArgs(kind: ImportKindName, file: string): string[] {
  return ["import", kind, file, "--json"];
}

/** Reads the CLI's JSON report; undefined when stdout holds none (the CLI failed before importing). */
export function parseImportReport(stdout: string): ImportReportSummary | undefined {
  const start = stdout.indexOf("{");
  if (start < 0) return undefined;
  try {
    const report = JSON.parse(stdout.slice(start)) as ImportReportSummary;
    return typeof report.rowsRead === "number" ? report : undefined;
  } catch {
    return undefined;
  }
}

const count = (value: number) => value.toLocaleString("en-US");

/** The one-line notification for a finished import. */
export function describeImport(report: ImportReportSummary): string {
  const name = report.file.split(/[\\/]/).pop() ?? report.file;
  if (report.errorCount > 0) {
    const first = report.errors[0];
    const where = first
      ? ` First: line ${first.line}${first.column ? `, column "${first.column}"` : ""}: ${first.reason}.`
      : "";
    return `Nothing imported from ${name}: ${count(report.errorCount)} invalid rows.${where} Fix them and import again.`;
  }
  const parts = [
    `${count(report.rowsRead)} rows read`,
    `${count(report.inserted)} inserted`,
    ...(report.updated > 0 ? [`${count(report.updated)} updated`] : []),
    `${count(report.duplicates)} duplicates skipped`,
    ...(report.kind === "transactions" ? [`${count(report.customersCreated)} customers created`] : []),
    ...(report.skippedWithoutCustomer > 0
      ? [`${count(report.skippedWithoutCustomer)} without a customer skipped`]
      : []),
  ];
  return `Imported ${report.kind} from ${name}: ${parts.join(", ")} (${report.seconds.toFixed(1)} s).`;
}

/** The full report as Markdown lines for the output channel (errors with file, line and column). */
export function importReportLines(report: ImportReportSummary): string[] {
  const lines = [describeImport(report)];
  for (const error of report.errors) {
    lines.push(
      `  ${error.file}:${error.line}${error.column ? `, column "${error.column}"` : ""}:${error.value === null ? "" : ` value ${JSON.stringify(error.value)}:`} ${error.reason}`,
    );
  }
  if (report.errorCount > report.errors.length)
    lines.push(`  … and ${count(report.errorCount - report.errors.length)} more`);
  return lines;
}

import type { Command } from "commander";
import { SingleBar } from "cli-progress";
import { COMMON_ENCODINGS, UnknownEncodingError, checkEncoding } from "../../import/encoding.js";
import { IMPORT_KINDS, type ImportKind } from "../../import/fields.js";
import { importFile, type ImportReport } from "../../import/importFile.js";
import { DATE_FORMATS, type DateFormat } from "../../import/values.js";
import { INPUT_RULES } from "../../limits.js";
import { UserError } from "../errors.js";
import { formatCount, printJson } from "../output.js";
import type { CliContext } from "../context.js";

function collectMapping(value: string, previous: Record<string, string>): Record<string, string> {
  const index = value.indexOf("=");
  if (index <= 0 || index === value.length - 1) {
    throw new UserError(`--map ${value}: write it as field=Header, e.g. --map customer=CustomerID`);
  }
  return { ...previous, [value.slice(0, index).trim()]: value.slice(index + 1).trim() };
}

/** The one-line summary printed after every import. */
export function summariseImport(report: ImportReport): string {
  const parts = [
    `${formatCount(report.rowsRead)} rows read`,
    `${formatCount(report.inserted)} inserted`,
    ...(report.updated > 0 ? [`${formatCount(report.updated)} updated`] : []),
    `${formatCount(report.duplicates)} skipped as duplicates`,
    ...(report.kind === "transactions" ? [`${formatCount(report.customersCreated)} customers created`] : []),
    ...(report.skippedWithoutCustomer > 0
      ? [`${formatCount(report.skippedWithoutCustomer)} skipped without a customer`]
      : []),
  ];
  const verdict =
    report.errorCount > 0 ? "not imported" : report.dryRun ? "dry run, nothing written" : "imported";
  return `${report.kind} from ${report.file}: ${verdict}: ${parts.join(", ")} (${report.seconds.toFixed(1)} s)`;
}

export function registerImportCommand(program: Command, context: CliContext): void {
  program
    .command("import")
    .description(
      "import customers, transactions, interactions, feedback, service tickets or events from a CSV or whitespace-separated file",
    )
    .argument("<kind>", `what the file holds: ${IMPORT_KINDS.join(", ")}`)
    .argument("<file>", "the file to import")
    .option(
      "--format <format>",
      "csv or whitespace (columns separated by spaces, as in the CDNOW files)",
      "csv",
    )
    .option("--delimiter <char>", "CSV delimiter (detected from the header when omitted)")
    .option("--columns <names>", "comma-separated column names for a file without a header line")
    .option("--map <field=Header>", "take a field from the named column (repeatable)", collectMapping, {})
    .option("--date-format <format>", `how dates are written: ${DATE_FORMATS.join(", ")}`, "auto")
    .option(
      "--encoding <name>",
      `the file's encoding when it is not UTF-8, e.g. ${COMMON_ENCODINGS.join(", ")} (UTF-16 with a byte-order mark is detected)`,
    )
    .option("--skip-missing-customer", "skip rows that name no customer (guest purchases) instead of failing")
    .option("--dry-run", "validate and count without writing anything")
    .option("--json", "print the full report as JSON")
    .addHelpText(
      "after",
      `
Examples:
  crm import transactions CDNOW_master.txt --format whitespace
  crm import transactions OnlineRetail.csv --map external_id=InvoiceNo --map customer=CustomerID \\
      --map date=InvoiceDate --map quantity=Quantity --map unit_price=UnitPrice --date-format mdy \\
      --skip-missing-customer
  crm import customers 客户.csv --encoding gbk

Every value is checked, and one invalid row means nothing is imported:
${INPUT_RULES.filter((rule) => rule.only !== "tools")
  .map((rule) => `  ${rule.what}: ${rule.rule}`)
  .join("\n")}`,
    )
    .action(async (kind: string, file: string, options) => {
      if (!IMPORT_KINDS.includes(kind as ImportKind))
        throw new UserError(`unknown kind "${kind}"; use one of ${IMPORT_KINDS.join(", ")}`);
      if (options.format !== "csv" && options.format !== "whitespace")
        throw new UserError(`--format ${options.format}: use csv or whitespace`);
      if (!DATE_FORMATS.includes(options.dateFormat))
        throw new UserError(`--date-format ${options.dateFormat}: use one of ${DATE_FORMATS.join(", ")}`);
      if (options.encoding !== undefined) {
        try {
          checkEncoding(options.encoding);
        } catch (error) {
          if (error instanceof UnknownEncodingError)
            throw new UserError(`--encoding ${options.encoding}: ${error.message}`);
          throw error;
        }
      }
      const store = await context.openStore();
      const showProgress = process.stderr.isTTY && !options.json;
      const bar = showProgress
        ? new SingleBar({
            format: "importing [{bar}] {percentage}% | {value}/{total} MB",
            stream: process.stderr,
            hideCursor: true,
          })
        : null;
      let started = false;
      try {
        const report = await importFile(store, {
          kind: kind as ImportKind,
          file,
          format: options.format,
          delimiter: options.delimiter,
          columns: options.columns?.split(",").map((name: string) => name.trim()),
          map: options.map,
          dateFormat: options.dateFormat as DateFormat,
          encoding: options.encoding,
          dryRun: Boolean(options.dryRun),
          skipMissingCustomer: Boolean(options.skipMissingCustomer),
          onProgress: (bytes, total) => {
            if (!bar) return;
            const megabytes = (value: number) => Math.round(value / 1e5) / 10;
            if (!started) {
              bar.start(megabytes(total), 0);
              started = true;
            }
            bar.update(megabytes(bytes));
          },
        });
        bar?.stop();
        if (report.committed) await context.afterWrite(store);
        if (options.json) printJson(report);
        else {
          for (const error of report.errors) {
            const where = error.column
              ? `${error.file}:${error.line}, column "${error.column}"`
              : `${error.file}:${error.line}`;
            const value = error.value === null ? "" : ` value ${JSON.stringify(error.value)}:`;
            process.stderr.write(`  ${where}:${value} ${error.reason}\n`);
          }
          if (report.errorCount > report.errors.length) {
            process.stderr.write(
              `  … and ${formatCount(report.errorCount - report.errors.length)} more errors\n`,
            );
          }
          process.stdout.write(`${summariseImport(report)}\n`);
        }
        if (report.errorCount > 0) {
          throw new UserError(
            `${formatCount(report.errorCount)} invalid rows in ${file}; nothing was imported. Fix them and run the import again.`,
          );
        }
      } finally {
        bar?.stop();
      }
    });
}

import { z } from "zod";
import { asOfInput, ownerInput, scoreSetOutput } from "./common.js";
import { kpiReportOutput } from "./kpi.js";

export const KPI_REPORT = "kpi_report";

const monthInput = z
  .string()
  .regex(/^\d{4}-\d{2}$/, "a month is written YYYY-MM")
  .optional();

export const kpiReportInput = {
  owner: ownerInput,
  from: monthInput.describe("First month, YYYY-MM. Default: 11 months before `to`."),
  to: monthInput.describe("Last month, YYYY-MM. Default: the as-of month."),
  as_of: asOfInput,
};

export const kpiReportToolOutput = kpiReportOutput.extend({ scores: scoreSetOutput });
export type KpiReportToolResult = z.infer<typeof kpiReportToolOutput>;

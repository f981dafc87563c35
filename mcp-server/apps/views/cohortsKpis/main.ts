import type { KpiReport } from "../../../contract/kpi.js";
import type { PortfolioOverviewResult } from "../../../contract/portfolioOverview.js";
import { chooseLanguage } from "../shared/i18n.js";
import { startRenderedView } from "../shared/host.js";
import { renderCohortsKpis } from "./render.js";
import "./style.css";

startRenderedView<PortfolioOverviewResult | KpiReport>("cohorts-kpis", (overview, locale) =>
  renderCohortsKpis(overview, chooseLanguage(locale)),
);

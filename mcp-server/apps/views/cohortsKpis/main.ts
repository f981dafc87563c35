import type { KpiReport } from "../../../contract/kpi.js";
import type { PortfolioOverviewResult } from "../../../contract/portfolioOverview.js";
import { chooseLanguage } from "../shared/i18n.js";
import { escapeHtml } from "../shared/html.js";
import { startView } from "../shared/host.js";
import { renderCohortsKpis } from "./render.js";
import "./style.css";

const root = document.getElementById("app") as HTMLElement;
let overview: PortfolioOverviewResult | KpiReport | null = null;
let failure: string | null = null;

function draw(): void {
  if (failure) root.innerHTML = `<p class="error" role="alert">${escapeHtml(failure)}</p>`;
  else if (overview) root.innerHTML = renderCohortsKpis(overview, chooseLanguage(host.locale()));
}

const host = startView({
  name: "cohorts-kpis",
  onResult(structured) {
    overview = structured as PortfolioOverviewResult | KpiReport;
    failure = null;
    draw();
  },
  onError(message) {
    failure = message;
    draw();
  },
  onContextChange: draw,
});

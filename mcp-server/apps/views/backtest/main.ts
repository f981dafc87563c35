import type { ServerStatusResult } from "../../../contract/serverStatus.js";
import type { BacktestResult } from "../../../scoring/backtest.js";
import { chooseLanguage } from "../shared/i18n.js";
import { escapeHtml } from "../shared/html.js";
import { startView } from "../shared/host.js";
import { renderBacktest } from "./render.js";
import "./style.css";

const root = document.getElementById("app") as HTMLElement;
let status: ServerStatusResult | BacktestResult | null = null;
let failure: string | null = null;

function draw(): void {
  if (failure) root.innerHTML = `<p class="error" role="alert">${escapeHtml(failure)}</p>`;
  else if (status) root.innerHTML = renderBacktest(status, chooseLanguage(host.locale()));
}

const host = startView({
  name: "backtest",
  onResult(structured) {
    status = structured as ServerStatusResult | BacktestResult;
    failure = null;
    draw();
  },
  onError(message) {
    failure = message;
    draw();
  },
  onContextChange: draw,
});

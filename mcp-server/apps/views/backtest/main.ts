import type { ServerStatusResult } from "../../../contract/serverStatus.js";
import type { BacktestResult } from "../../../scoring/backtest.js";
import { chooseLanguage } from "../shared/i18n.js";
import { startRenderedView } from "../shared/host.js";
import { renderBacktest } from "./render.js";
import "./style.css";

startRenderedView<ServerStatusResult | BacktestResult>("backtest", (status, locale) =>
  renderBacktest(status, chooseLanguage(locale)),
);

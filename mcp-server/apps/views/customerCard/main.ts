import type { GetCustomerResult } from "../../../contract/getCustomer.js";
import { chooseLanguage } from "../shared/i18n.js";
import { escapeHtml } from "../shared/html.js";
import { startView } from "../shared/host.js";
import { renderCustomerCard } from "./render.js";
import "./style.css";

const root = document.getElementById("app") as HTMLElement;
let card: GetCustomerResult | null = null;
let failure: string | null = null;

function draw(): void {
  if (failure) root.innerHTML = `<p class="error" role="alert">${escapeHtml(failure)}</p>`;
  else if (card)
    root.innerHTML = renderCustomerCard(card, chooseLanguage(host.locale(), card.customer.language));
}

const host = startView({
  name: "customer-card",
  onResult(structured) {
    card = structured as GetCustomerResult;
    failure = null;
    draw();
  },
  onError(message) {
    failure = message;
    draw();
  },
  onContextChange: draw,
});

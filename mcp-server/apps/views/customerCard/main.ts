import type { GetCustomerResult } from "../../../contract/getCustomer.js";
import { chooseLanguage } from "../shared/i18n.js";
import { startRenderedView } from "../shared/host.js";
import { renderCustomerCard } from "./render.js";
import "./style.css";

startRenderedView<GetCustomerResult>("customer-card", (card, locale) =>
  renderCustomerCard(card, chooseLanguage(locale, card.customer.language)),
);

import type { DraftFollowUpResult } from "../../../contract/draftFollowUp.js";
import type { FindAtRiskCustomersResult } from "../../../contract/findAtRiskCustomers.js";
import type { GetCustomerResult } from "../../../contract/getCustomer.js";
import { escapeHtml } from "../shared/html.js";
import { startView } from "../shared/host.js";
import { chooseLanguage } from "../shared/i18n.js";
import { revealOnceFitted } from "../shared/reveal.js";
import { emptyBoardState, renderAtRiskBoard, saveMessage, type BoardState } from "./render.js";
import "./style.css";

const root = document.getElementById("app") as HTMLElement;
let board: FindAtRiskCustomersResult | null = null;
let failure: string | null = null;
let state: BoardState = emptyBoardState();
/** The arguments the host called the tool with: a new filter keeps the rest (sort, limit, as-of). */
let toolArgs: Record<string, unknown> = {};

function language() {
  return chooseLanguage(host.locale(), board?.customers[0]?.customer.language);
}

function draw(): void {
  if (failure) root.innerHTML = `<p class="error" role="alert">${escapeHtml(failure)}</p>`;
  else if (board) root.innerHTML = renderAtRiskBoard(board, state, language());
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The as-of date the board was drawn for, so the card and the draft speak of the same day. */
function asOf(): Record<string, string> {
  return board ? { as_of: board.scores.as_of } : {};
}

async function openCard(customerId: string): Promise<void> {
  state = { ...state, card: { customerId, loading: true }, draft: null };
  draw();
  try {
    const result = (await host.callTool("get_customer", {
      customer_id: customerId,
      ...asOf(),
    })) as GetCustomerResult;
    if (state.card?.customerId === customerId)
      state = { ...state, card: { customerId, loading: false, result } };
  } catch (error) {
    state = { ...state, card: { customerId, loading: false, error: message(error) } };
  }
  draw();
  // Keyboard and screen-reader users land on the card they opened, with the way back first.
  root.querySelector<HTMLElement>('[data-action="back"]')?.focus();
}

async function draftFollowUp(customerId: string, save: boolean): Promise<void> {
  const previous = state.draft?.customerId === customerId ? state.draft : null;
  state = { ...state, draft: { ...(previous ?? {}), customerId, loading: true, saveMessage: undefined } };
  draw();
  try {
    const args = { customer_id: customerId, ...asOf(), ...(save ? { save: true } : {}) };
    const result = (await host.callTool("draft_follow_up", args)) as DraftFollowUpResult;
    state = {
      ...state,
      draft: {
        customerId,
        loading: false,
        result,
        saveMessage: save ? saveMessage(result, null, language()) : undefined,
      },
    };
  } catch (error) {
    // Saving is refused unless the server runs with --allow-writes: show its words, keep the draft.
    state = {
      ...state,
      draft: save
        ? {
            ...(previous ?? { customerId }),
            customerId,
            loading: false,
            saveMessage: saveMessage(null, message(error), language()),
          }
        : { customerId, loading: false, error: message(error) },
    };
  }
  draw();
  revealOnceFitted(root.querySelector(".draft"));
}

root.addEventListener("click", (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
  if (!target) return;
  const customerId = target.dataset.customer ?? "";
  switch (target.dataset.action) {
    case "open":
      void openCard(customerId);
      break;
    case "draft":
      void draftFollowUp(customerId, false);
      break;
    case "save":
      void draftFollowUp(customerId, true);
      break;
    case "close-draft":
      state = { ...state, draft: null };
      draw();
      break;
    case "back": {
      const opened = state.card?.customerId;
      state = { ...state, card: null, draft: null };
      draw();
      if (opened)
        root
          .querySelector<HTMLElement>(`[data-action="open"][data-customer="${CSS.escape(opened)}"]`)
          ?.focus();
      break;
    }
  }
});

/**
 * Applies the filters to the rows on screen at once, then asks find_at_risk_customers for the
 * whole book's matches (the first page only held the top of the list).
 */
async function refilter(): Promise<void> {
  const { owner, stage, segment } = state.filters;
  const args: Record<string, unknown> = { ...toolArgs, ...asOf() };
  delete args.cursor;
  args.owner = owner || undefined;
  args.lifecycle_stage = stage || undefined;
  args.segment = segment || undefined;
  for (const key of Object.keys(args)) if (args[key] === undefined) delete args[key];
  const filters = state.filters;
  state = { ...state, refresh: { loading: true } };
  draw();
  try {
    const result = (await host.callTool("find_at_risk_customers", args)) as FindAtRiskCustomersResult;
    if (state.filters !== filters) return;
    board = result;
    state = { ...state, refresh: null };
  } catch (error) {
    if (state.filters !== filters) return;
    state = { ...state, refresh: { loading: false, error: message(error) } };
  }
  draw();
}

root.addEventListener("change", (event) => {
  const target = event.target as HTMLSelectElement;
  const filter = target.dataset.filter as keyof BoardState["filters"] | undefined;
  if (!filter || !board) return;
  const owners = board.customers
    .map((row) => row.customer.owner)
    .filter((owner): owner is string => Boolean(owner));
  state = {
    ...state,
    knownOwners: [...new Set([...state.knownOwners, ...owners])],
    filters: { ...state.filters, [filter]: target.value },
  };
  void refilter().then(() =>
    root.querySelector<HTMLSelectElement>(`select[data-filter="${filter}"]`)?.focus(),
  );
});

const host = startView({
  name: "at-risk-board",
  onResult(structured) {
    board = structured as FindAtRiskCustomersResult;
    failure = null;
    state = emptyBoardState();
    draw();
  },
  onError(text) {
    failure = text;
    draw();
  },
  onContextChange: draw,
  onInput(args) {
    toolArgs = args;
  },
});

import type { SegmentCustomersResult } from "../../../contract/segmentCustomers.js";
import { escapeHtml } from "../shared/html.js";
import { startView } from "../shared/host.js";
import { chooseLanguage } from "../shared/i18n.js";
import { emptyExplorerState, LISTABLE, renderSegmentExplorer, type ExplorerState } from "./render.js";
import "./style.css";

const root = document.getElementById("app") as HTMLElement;
let segments: SegmentCustomersResult | null = null;
let failure: string | null = null;
let state: ExplorerState = emptyExplorerState();

function draw(): void {
  if (failure) root.innerHTML = `<p class="error" role="alert">${escapeHtml(failure)}</p>`;
  else if (segments) root.innerHTML = renderSegmentExplorer(segments, state, chooseLanguage(host.locale()));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function scope(): Record<string, unknown> {
  if (!segments) return {};
  return { as_of: segments.scores.as_of, ...(segments.owner ? { owner: segments.owner } : {}) };
}

async function switchSegmentation(by: string): Promise<void> {
  try {
    segments = (await host.callTool("segment_customers", {
      by,
      samples_per_segment: 10,
      ...scope(),
    })) as SegmentCustomersResult;
    state = emptyExplorerState();
  } catch (error) {
    failure = message(error);
  }
  draw();
}

/**
 * Lists a page of a segment's customers (all of them, page by page, through segment_customers'
 * members_of); the page on screen stays while the next one loads.
 */
async function loadMembers(key: string, page: number): Promise<void> {
  const listable = segments ? LISTABLE.has(segments.by) : false;
  const shown = state.selected === key ? state.members?.result : undefined;
  state = { selected: key, members: listable ? { loading: true, page, result: shown } : null };
  draw();
  if (!listable || !segments) return;
  try {
    const answer = (await host.callTool("segment_customers", {
      by: segments.by,
      members_of: key,
      page,
      ...scope(),
    })) as SegmentCustomersResult;
    if (state.selected === key && state.members?.page === page)
      state = {
        selected: key,
        members: answer.members
          ? { loading: false, page, result: answer.members }
          : { loading: false, page, error: "segment_customers returned no members" },
      };
  } catch (error) {
    if (state.selected === key && state.members?.page === page)
      state = { selected: key, members: { loading: false, page, result: shown, error: message(error) } };
  }
  draw();
}

root.addEventListener("click", (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
  if (!target) return;
  if (target.dataset.action === "segment" && target.dataset.segment)
    void loadMembers(target.dataset.segment, 1);
  if (target.dataset.action === "page" && state.selected && target.dataset.page) {
    const direction = target.dataset.direction;
    void loadMembers(state.selected, Number(target.dataset.page)).then(() => {
      // Keyboard users stay on the pager: on the same button, or the other at the last page.
      const buttons = [...root.querySelectorAll<HTMLButtonElement>(".pager button")];
      (
        buttons.find((button) => button.dataset.direction === direction && !button.disabled) ??
        buttons.find((button) => !button.disabled)
      )?.focus();
    });
  }
  if (target.dataset.action === "by" && target.dataset.by) void switchSegmentation(target.dataset.by);
});

const host = startView({
  name: "segment-explorer",
  onResult(structured) {
    segments = structured as SegmentCustomersResult;
    failure = null;
    state = emptyExplorerState();
    draw();
  },
  onError(text) {
    failure = text;
    draw();
  },
  onContextChange: draw,
});

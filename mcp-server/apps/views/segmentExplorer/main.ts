import type { FindAtRiskCustomersResult } from "../../../contract/findAtRiskCustomers.js";
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

/** Lists a segment's customers: all of them through find_at_risk_customers where it can filter by it. */
async function selectSegment(key: string): Promise<void> {
  const filter = segments ? LISTABLE[segments.by] : undefined;
  state = { selected: key, members: filter ? { loading: true } : null };
  draw();
  if (!filter) return;
  try {
    const result = (await host.callTool("find_at_risk_customers", {
      [filter]: key,
      min_risk: 0,
      include_lost: true,
      limit: 25,
      ...scope(),
    })) as FindAtRiskCustomersResult;
    if (state.selected === key) state = { selected: key, members: { loading: false, result } };
  } catch (error) {
    if (state.selected === key) state = { selected: key, members: { loading: false, error: message(error) } };
  }
  draw();
}

root.addEventListener("click", (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
  if (!target) return;
  if (target.dataset.action === "segment" && target.dataset.segment)
    void selectSegment(target.dataset.segment);
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

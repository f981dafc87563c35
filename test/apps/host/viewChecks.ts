/**
 * What the browser tests check in a mounted view: the numbers it drew (its `data-value`
 * attributes) against a tool's structuredContent, its colours against a host's palette, and the
 * language of its own words.
 */
import type { FrameLocator } from "playwright-core";
import { expect } from "vitest";
import { HOST_PALETTES } from "./protocol.js";

// What the callbacks passed to evaluate see in the browser (the root tsconfig has no DOM).
declare function getComputedStyle(element: unknown): { color: string; backgroundColor: string };

export const CJK = /[\u3400-\u9fff]/;
/** How long a view may take to redraw after a host change (generous: CI runs test files in parallel). */
export const POLL = { timeout: 10_000 };
/** The largest view a host should have to load (the budget). */
export const VIEW_BUDGET_BYTES = 150 * 1024;

/** Every number in a JSON value, at any depth. */
export function numbersIn(value: unknown, found = new Set<number>()): Set<number> {
  if (typeof value === "number") found.add(value);
  else if (Array.isArray(value)) for (const item of value) numbersIn(item, found);
  else if (value && typeof value === "object")
    for (const item of Object.values(value)) numbersIn(item, found);
  return found;
}

/** The exact values behind the numbers drawn in `scope` (its `data-value` attributes), in page order. */
export async function drawnValues(frame: FrameLocator, scope = "body"): Promise<number[]> {
  return frame
    .locator(`${scope} [data-value]`)
    .evaluateAll((elements) => elements.map((element) => Number(element.getAttribute("data-value"))));
}

/**
 * Asserts that a view drew numbers, and only numbers the tool's structuredContent holds (or the
 * few `derived` ones the test computes from it the way the view must).
 */
export async function expectNumbersFrom(
  frame: FrameLocator,
  structured: unknown,
  scope = "body",
  derived: number[] = [],
): Promise<number[]> {
  const drawn = await drawnValues(frame, scope);
  expect(drawn.length, `numbers drawn in ${scope}`).toBeGreaterThan(0);
  const known = numbersIn(structured);
  for (const value of derived) known.add(value);
  expect(drawn.filter((value) => !known.has(value))).toEqual([]);
  return drawn;
}

export function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

/** The text and background colours a view paints its body with. */
export async function bodyColours(frame: FrameLocator): Promise<{ text: string; background: string }> {
  return frame.locator("body").evaluate((body) => {
    const style = getComputedStyle(body);
    return { text: style.color, background: style.backgroundColor };
  });
}

/** The host's palette for a theme, as computed colours. */
export function hostColours(theme: "light" | "dark"): { text: string; background: string } {
  return {
    text: rgb(HOST_PALETTES[theme]["--color-text-primary"]!),
    background: rgb(HOST_PALETTES[theme]["--color-background-primary"]!),
  };
}

/**
 * The view's own words: its headings and table headers (customer data may be in either language;
 * pass a selector without h1 for a view whose h1 is a customer's name).
 */
export async function labels(frame: FrameLocator, selector = "h1, h2, th"): Promise<string[]> {
  const texts = await frame.locator(selector).allInnerTexts();
  return texts.map((text) => text.trim()).filter((text) => /\p{L}/u.test(text));
}

/** Labels in English words: no Chinese, some lower-case Latin (so "RFM", "R 1", "#" do not count). */
export async function untranslatedLabels(frame: FrameLocator, selector?: string): Promise<string[]> {
  return (await labels(frame, selector)).filter((text) => !CJK.test(text) && /[a-z]/.test(text));
}

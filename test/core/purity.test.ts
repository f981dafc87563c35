import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const CORE = join(REPO_ROOT, "core");
const FORBIDDEN = [
  /^node:/,
  /^sqlite3$/,
  /^vscode$/,
  /^openai$/,
  /^fs$/,
  /^path$/,
  /^os$/,
  /^child_process$/,
  /^crypto$/,
];
const CLOCKS = [/\bDate\.now\s*\(/, /new Date\(\s*\)/, /\bMath\.random\s*\(/, /\bperformance\.now\s*\(/];

function importsOf(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g)].map(
    (match) => match[1],
  );
  const dynamic = [...source.matchAll(/(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g)].map(
    (match) => match[1],
  );
  return [...specifiers, ...dynamic];
}

describe("core purity", () => {
  const files = readdirSync(CORE).filter((name) => name.endsWith(".ts"));

  it("has source files to check", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)("%s imports only other core files", (name) => {
    const source = readFileSync(join(CORE, name), "utf8");
    for (const specifier of importsOf(source)) {
      expect(
        FORBIDDEN.some((pattern) => pattern.test(specifier)),
        `${name} imports ${specifier}`,
      ).toBe(false);
      expect(specifier.startsWith("./"), `${name} imports ${specifier}, outside core/`).toBe(true);
    }
  });

  it.each(files)("%s reads no clock and no unseeded randomness", (name) => {
    const source = readFileSync(join(CORE, name), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    for (const pattern of CLOCKS) expect(pattern.test(source), `${name} matches ${pattern}`).toBe(false);
  });
});

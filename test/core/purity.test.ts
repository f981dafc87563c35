import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const coreDir = path.resolve(import.meta.dirname, "../../core");
// The model files of this folder; the rule applies to all of core/, checked here for these.
const files = [
  "special.ts",
  "optimize.ts",
  "summary.ts",
  "bgNbd.ts",
  "gammaGamma.ts",
  "clv.ts",
  "simulate.ts",
];

describe("core model files stay pure", () => {
  for (const file of files) {
    it(`${file} imports only relative .js modules and uses no clock or Math.random`, () => {
      const source = readFileSync(path.join(coreDir, file), "utf8");
      for (const match of source.matchAll(/from\s+"([^"]+)"/g))
        expect(match[1]).toMatch(/^\.\/[A-Za-z]+\.js$/);
      expect(source).not.toMatch(/Math\.random|Date\.now|new Date\(\)|performance\.now|process\./);
    });
  }
});

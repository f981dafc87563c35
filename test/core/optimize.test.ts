import { describe, expect, it } from "vitest";
import { bfgs, minimize, nelderMead, type Objective } from "../../core/optimize.js";

const rosenbrock: Objective = {
  value: ([x, y]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  valueAndGradient: ([x, y], gradient) => {
    gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    gradient[1] = 200 * (y - x * x);
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
  },
};

describe("minimisers", () => {
  it("BFGS finds the Rosenbrock minimum and reports why it stopped", () => {
    const result = bfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.reason).toMatch(/tolerance/);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it("Nelder-Mead finds the Rosenbrock minimum without gradients", () => {
    const result = nelderMead({ value: rosenbrock.value }, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it("keeps iterates inside the bounds", () => {
    const bounded = { lower: [2, -10], upper: [10, 10] };
    for (const result of [bfgs(rosenbrock, [5, 5], bounded), nelderMead(rosenbrock, [5, 5], bounded)]) {
      expect(result.x[0]).toBeCloseTo(2, 6);
      expect(result.x[1]).toBeCloseTo(4, 4);
    }
  });

  it("multi-start keeps the best start and is deterministic", () => {
    // Two basins: a shallow one at x = -1 and the global minimum at x = 2.
    const twoWells: Objective = {
      value: ([x]) => Math.min((x + 1) ** 2 + 1, (x - 2) ** 2),
      valueAndGradient: ([x], gradient) => {
        const left = (x + 1) ** 2 + 1;
        const right = (x - 2) ** 2;
        gradient[0] = left < right ? 2 * (x + 1) : 2 * (x - 2);
        return Math.min(left, right);
      },
    };
    const first = minimize(twoWells, [[-2], [3]]);
    expect(first.x[0]).toBeCloseTo(2, 6);
    expect(first.starts).toHaveLength(2);
    expect(minimize(twoWells, [[-2], [3]])).toEqual(first);
    expect(minimize(twoWells, [[-2], [3]], { screenIterations: 2 }).x[0]).toBeCloseTo(2, 6);
  });

  it("reports failure instead of pretending to converge", () => {
    const result = bfgs(rosenbrock, [-1.2, 1], { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/iteration cap/);
    const notFinite = bfgs({ value: () => NaN, valueAndGradient: () => NaN }, [0]);
    expect(notFinite.converged).toBe(false);
    expect(notFinite.reason).toMatch(/not finite/);
  });
});

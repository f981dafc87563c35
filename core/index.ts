/**
 * CRM Assistant's scoring core: customer-base models and CRM analytics as pure functions.
 * No I/O, no clock, no randomness beyond the seeds you pass.
 */
export * from "./summary.js";
export * from "./bgNbd.js";
export * from "./mbgNbd.js";
export * from "./paretoNbd.js";
export * from "./purchaseModel.js";
export { type FitDiagnostics, type ModelFitQuality } from "./modelFit.js";
export { type PurchaseRow } from "./purchaseRows.js";
export * from "./gammaGamma.js";
export * from "./clv.js";
export * from "./simulate.js";
export * from "./activity.js";
export * from "./rfm.js";
export * from "./lifecycle.js";
export * from "./risk.js";
export * from "./churnFeatures.js";
export * from "./churnCalibration.js";
export * from "./evaluation.js";
export * from "./valueTiers.js";
export * from "./feedback.js";
export * from "./kpi.js";
export * from "./sentiment.js";
export * from "./themes.js";
export * from "./kmeans.js";
export * from "./i18n.js";
export * from "./random.js";
export { lgamma, lbeta, logSumExp, logAddExp, hyp2f1 } from "./special.js";
export { minimize, nelderMead, bfgs, runSteps, type Steps } from "./optimize.js";

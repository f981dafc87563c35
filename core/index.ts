/**
 * CRM Assistant's scoring core: customer-base models and CRM analytics as pure functions.
 * No I/O, no clock, no randomness beyond the seeds you pass.
 */
export * from "./random.js";

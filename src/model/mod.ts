/**
 * Model: encoders (f_small, hierarchical f_big, flat baseline), the position
 * classifier, and the dense (fully convolutional) embedding.
 *
 * @module
 */
export * from "./encoder.ts";
export * from "./dense.ts";
export * from "./classifier.ts";

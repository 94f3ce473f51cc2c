/**
 * Registers tfjs-core's gradient functions (needed for training on any backend).
 *
 * tfjs-core's Node build omits them and its ES modules lack the file extensions Deno
 * requires, so setup (`npm install` -> scripts/bundle_gradients.mjs) bundles them into
 * `.build/tfjs_gradients.js`. Import this module for its side effect.
 *
 * @module
 */
import "../../.build/tfjs_gradients.js";

// Entry point bundled by scripts/bundle_gradients.mjs into .build/tfjs_gradients.js.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";

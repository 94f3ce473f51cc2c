/**
 * Render every figure on synthetic inputs into a folder (default /tmp/plot_check), to look at.
 * Run: `deno run -A tests/lab/plot/_render_all.ts [folder]`.
 *
 * @module
 */

import * as plot from "../../../src/lab/plot/mod.ts";
import * as synthetic from "./_synthetic.ts";

const folder = Deno.args[0] ?? "/tmp/plot_check";
const { embeddings, labels } = synthetic.syntheticEmbeddings();
const figures: Record<string, plot.Figure> = {
  auroc_table: plot.aurocTable(synthetic.syntheticAurocRows()),
  ablation_bars: plot.ablationBars(synthetic.syntheticAblationRows(), { title: "Effect of the losses" }),
  lambda_curve: plot.lambdaCurve(synthetic.syntheticLambdaRows()),
  roc_curves: plot.rocCurves(synthetic.syntheticRocCurves(), { title: "Image-level ROC, bottle" }),
  training_curves: plot.trainingCurves(synthetic.syntheticTrainingLog()),
  embedding_pca: plot.embeddingPca(embeddings, 64, labels),
  anomaly_map_panel: plot.anomalyMapPanel(synthetic.syntheticAnomalyItem(256)),
  anomaly_map_gallery: plot.anomalyMapGallery(
    [synthetic.syntheticAnomalyItem(128, 7), synthetic.syntheticAnomalyItem(128, 8, false)],
    { title: "Best and worst cases", columns: 1 },
  ),
};
for (const [name, figure] of Object.entries(figures)) {
  const t = performance.now();
  const saved = await figure.save(`${folder}/${name}`);
  console.log(`${saved.png} ${figure.width}x${figure.height} ${(performance.now() - t).toFixed(0)} ms`);
}
await Deno.writeTextFile(`${folder}/auroc_table.md`, plot.aurocTableMarkdown(synthetic.syntheticAurocRows()));

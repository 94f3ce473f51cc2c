import { timeTorchReference } from "../../../src/lab/bench/torch_reference.ts";
import { assert, assertEquals } from "../../assert.ts";

async function fakePython(body: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/python`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("timeTorchReference reads the script's JSON line and passes threads and steps", async () => {
  const python = await fakePython(
    `echo "torch 1.13 threads $2: median ..." >&2; echo '{"torch": "1.13", "threads": '$2', "steps": '$3', ` +
      `"median_step_seconds": 1.5, "min_step_seconds": 1.4, "max_step_seconds": 1.9, "step_seconds": [1.5]}'`,
  );
  const r = await timeTorchReference({ python, threads: 2, steps: 7 });
  assert(!("skipped" in r), JSON.stringify(r));
  if ("skipped" in r) return;
  assertEquals([r.threads, r.steps, r.median_step_seconds, r.python], [2, 7, 1.5, python]);
});

Deno.test("timeTorchReference says why it skipped: no interpreter, no torch, no timing", async () => {
  const none = await timeTorchReference({ python: "/nonexistent/python3", threads: 2, steps: 5 });
  assert("skipped" in none && none.skipped.includes("could not be started"), JSON.stringify(none));
  const noTorch = await timeTorchReference({
    python: await fakePython(`echo "ModuleNotFoundError: No module named 'torch'" >&2; exit 1`),
    threads: 2,
    steps: 5,
  });
  assert("skipped" in noTorch && noTorch.skipped.endsWith("torch is not installed"), JSON.stringify(noTorch));
  const garbage = await timeTorchReference({ python: await fakePython("echo hello"), threads: 2, steps: 5 });
  assert("skipped" in garbage && garbage.skipped.includes("printed no timing"), JSON.stringify(garbage));
});

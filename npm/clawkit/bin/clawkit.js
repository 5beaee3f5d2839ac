#!/usr/bin/env node
// The `clawkit` command of the npm package: finds the binary that npm installed for this
// platform (one optional dependency per os/cpu, as esbuild and Biome ship theirs) and runs
// it with the same arguments, standard streams and exit code.
"use strict";
const { spawnSync } = require("child_process");

const key = `${process.platform}-${process.arch}`;
const supported = ["linux-x64", "linux-arm64", "darwin-arm64", "darwin-x64", "win32-x64", "win32-arm64"];
if (!supported.includes(key)) {
  console.error(`clawkit: no build for ${key} (there are: ${supported.join(", ")}). Build it with \`cargo install --locked clawkit\`.`);
  process.exit(2);
}
const exe = process.platform === "win32" ? "clawkit.exe" : "clawkit";
let bin;
try {
  bin = require.resolve(`@clawkit/${key}/bin/${exe}`);
} catch {
  console.error(`clawkit: the package @clawkit/${key} is missing: npm installs it as an optional dependency (not with --omit=optional or --no-optional). Reinstall: npm install clawkit`);
  process.exit(2);
}
const run = spawnSync(bin, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
if (run.error) {
  console.error(`clawkit: cannot run ${bin}: ${run.error.message}`);
  process.exit(2);
}
if (run.signal) {
  process.kill(process.pid, run.signal);
}
process.exit(run.status ?? 1);

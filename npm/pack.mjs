// Builds the npm packages from release binaries, ready to publish:
//   node npm/pack.mjs OUT_DIR linux-x64=target/.../clawkit [win32-x64=...clawkit.exe ...]
// writes OUT_DIR/clawkit-<version>.tgz (the launcher) and one clawkit-<platform>-<version>.tgz
// per binary given (`os`/`cpu` set, so npm installs only the one that fits).
import { execFileSync } from "node:child_process";
import { copyFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [outArg, ...bins] = process.argv.slice(2);
if (!outArg || bins.length === 0) {
  console.error("usage: node npm/pack.mjs OUT_DIR PLATFORM=BINARY...");
  process.exit(2);
}
const out = resolve(outArg);
const launcher = JSON.parse(readFileSync(join(here, "clawkit/package.json"), "utf8"));
const npm = process.env.CLAWKIT_NPM || "npm";
mkdirSync(out, { recursive: true });

function pack(dir) {
  execFileSync(npm, ["pack", "--pack-destination", out], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
}

for (const spec of bins) {
  const [platform, binary] = spec.split("=");
  const name = `@clawkit/${platform}`;
  if (!(name in launcher.optionalDependencies)) {
    console.error(`pack.mjs: ${platform} is not one of ${Object.keys(launcher.optionalDependencies).join(", ")}`);
    process.exit(2);
  }
  const [os, cpu] = platform.split("-");
  const dir = join(out, "build", platform);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "bin"), { recursive: true });
  const exe = os === "win32" ? "clawkit.exe" : "clawkit";
  copyFileSync(resolve(binary), join(dir, "bin", exe));
  chmodSync(join(dir, "bin", exe), 0o755);
  writeFileSync(join(dir, "package.json"), JSON.stringify({
    name,
    version: launcher.version,
    description: `The clawkit binary for ${platform}`,
    license: launcher.license,
    repository: launcher.repository,
    os: [os],
    cpu: [cpu],
    files: [`bin/${exe}`],
    preferUnplugged: true,
  }, null, 2) + "\n");
  pack(dir);
}
pack(join(here, "clawkit"));

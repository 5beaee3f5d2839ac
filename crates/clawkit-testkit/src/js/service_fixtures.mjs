// Writes the service definitions a real OpenClaw package generates, by calling its own dist
// code: buildGatewayInstallPlan + buildSystemdUnit / buildLaunchAgentPlist / buildTaskScript.
// argv: <package dir> <out dir> <port>; the environment is the service's input environment.
import fs from "node:fs";
import path from "node:path";

const [pkg, outDir, port] = process.argv.slice(2);
const dist = path.join(pkg, "dist");
const files = fs.readdirSync(dist);
const load = async (prefix) => {
  const f = files.find((n) => n.startsWith(prefix) && /\.m?js$/.test(n));
  return f ? import(path.join(dist, f)) : undefined;
};
// The plan resolves the entry point from the running script.
process.argv[1] = path.join(pkg, "openclaw.mjs");
const exported = (mod, name) => Object.values(mod).find((v) => typeof v === "function" && v.name === name);
const helpers = await load("daemon-install-helpers-");
const unit = await load("systemd-unit-");
const plist = await load("launchd-plist-");
const tasks = await load("schtasks-layout-");
const build = exported(helpers, "buildGatewayInstallPlan");
const env = { ...process.env };
const plan = async (platform) =>
  build({ env, port: Number(port), runtime: "node", runtimePath: process.execPath, platform });
const linux = await plan("linux");
fs.writeFileSync(path.join(outDir, "unit"), exported(unit, "buildSystemdUnit")({ description: "OpenClaw Gateway", ...linux }));
// Older releases keep the launchd and Windows builders elsewhere: those files are skipped.
if (plist) {
  const darwin = await plan("darwin");
  fs.writeFileSync(
    path.join(outDir, "plist"),
    exported(plist, "buildLaunchAgentPlist")({ label: "ai.openclaw.gateway", ...darwin, stdoutPath: "/tmp/openclaw/gateway.log", stderrPath: "/tmp/openclaw/gateway.err.log" }),
  );
}
if (tasks) {
  const win = await plan("win32");
  fs.writeFileSync(path.join(outDir, "cmd"), exported(tasks, "buildTaskScript")({ description: "OpenClaw Gateway", ...win }));
}

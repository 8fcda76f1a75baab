// Builds techmarketd from the repository (it embeds web/dist, which
// `npm test` builds first) and starts two demo markets on free ports: one
// that publishes posts at once, one that holds them for review. Their
// addresses and sample tokens reach the tests through the environment.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const repo = resolve(import.meta.dirname, "..", "..");
const run = promisify(execFile);

async function buildServer(out: string): Promise<void> {
  await run("go", ["build", "-o", out, "./cmd/techmarketd"], { cwd: repo });
}

interface Market {
  url: string;
  tokens: Record<string, string>;
  stop: () => Promise<void>;
}

async function startMarket(bin: string, extra: string[]): Promise<Market> {
  const data = await mkdtemp(join(tmpdir(), "techmarket-portal-test-"));
  const proc: ChildProcess = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--data", data, "--demo", ...extra], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`techmarketd did not start in time:\n${log}`)), 60_000);
    proc.stderr!.setEncoding("utf8");
    proc.stderr!.on("data", (chunk: string) => {
      log += chunk;
      const m = log.match(/msg=serving addr=(127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(`http://${m[1]}`);
      }
    });
    proc.on("exit", (code) => reject(new Error(`techmarketd exited with ${code}:\n${log}`)));
  });
  // After startup, keep draining stderr so the server never blocks on a full pipe.
  proc.stderr!.on("data", () => {});
  const tokens: Record<string, string> = {};
  for (const line of (await readFile(join(data, "demo-tokens.txt"), "utf8")).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const [role, secret] = line.split("\t");
    if (role && secret) tokens[role] = secret;
  }
  return {
    url,
    tokens,
    stop: async () => {
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
      await rm(data, { recursive: true, force: true });
    },
  };
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "techmarket-portal-bin-"));
  const bin = join(dir, "techmarketd");
  await buildServer(bin);
  const [open, reviewed] = await Promise.all([startMarket(bin, []), startMarket(bin, ["--review"])]);
  process.env.TM_URL = open.url;
  process.env.TM_TOKENS = JSON.stringify(open.tokens);
  process.env.TM_REVIEW_URL = reviewed.url;
  process.env.TM_REVIEW_TOKENS = JSON.stringify(reviewed.tokens);
  return async () => {
    await Promise.all([open.stop(), reviewed.stop()]);
    await rm(dir, { recursive: true, force: true });
  };
}

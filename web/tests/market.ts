// What the tests share: the markets global-setup started, a signed-in
// browser context, the API called directly (Connect protocol, JSON) to
// arrange what a test is not about, and a screenshot for the record.
import type { Browser, BrowserContext, Page, TestInfo } from "@playwright/test";

export type Role = "operator" | "agency" | "enterprise";

export interface Market {
  url: string;
  token: (role: Role) => string;
}

function market(urlVar: string, tokensVar: string): Market {
  const url = process.env[urlVar];
  const tokens = JSON.parse(process.env[tokensVar] ?? "{}") as Record<string, string>;
  if (!url) throw new Error(`${urlVar} is not set: run the tests with npm test (global-setup starts the server)`);
  return {
    url,
    token: (role) => {
      const t = tokens[role];
      if (!t) throw new Error(`no ${role} token in the demo market`);
      return t;
    },
  };
}

/** The market that publishes posts at once. */
export const open = () => market("TM_URL", "TM_TOKENS");
/** The market run with --review: posts wait for an operator. */
export const reviewed = () => market("TM_REVIEW_URL", "TM_REVIEW_TOKENS");

/** A browser context at the market, signed in as `role` (or anonymous). */
export async function contextFor(browser: Browser, m: Market, role?: Role): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: m.url, viewport: { width: 1280, height: 900 } });
  if (role) {
    // The portal keeps its token in sessionStorage; put it there before any page script runs.
    await ctx.addInitScript((token) => sessionStorage.setItem("techmarket.token", token), m.token(role));
  }
  return ctx;
}

/** Calls one RPC over the Connect protocol; the JSON answer, or throws with the server's error. */
export async function rpc<T = Record<string, unknown>>(m: Market, method: string, body: unknown, role?: Role): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json", "Connect-Protocol-Version": "1" };
  if (role) headers.Authorization = `Bearer ${m.token(role)}`;
  const res = await fetch(`${m.url}/techmarket.v1.${method}`, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A word no other test uses, so tests running side by side stay apart. */
export function unique(): string {
  return Math.random().toString(36).slice(2, 8);
}

export async function shoot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

// (a) Anyone searches the market, opens a listing and reads its matches
// with the reasons for each.
import { expect, test } from "@playwright/test";
import { contextFor, open, rpc, shoot } from "./market";

test("search the market, open an offer, see its matches explained", async ({ browser }, info) => {
  const ctx = await contextFor(browser, open());
  const page = await ctx.newPage();
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "科技大市场" })).toBeVisible();

  await page.getByRole("searchbox", { name: "关键词检索" }).fill("焦炉煤气 制氢");
  await page.getByRole("button", { name: "检索" }).click();
  await expect(page).toHaveURL(/q=/);
  const hits = page.locator(".hit");
  await expect(hits.first()).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: /共 \d+ 条/ })).toBeVisible();
  // Facet counts stand beside the filters.
  await expect(page.locator(".filters .facet-count").first()).toBeVisible();
  // The searched terms are marked in the snippets.
  await expect(hits.locator("mark").first()).toBeVisible();

  const first = hits.first().getByRole("link");
  const title = (await first.textContent())!.trim();
  await first.click();
  await expect(page).toHaveURL(/\/offers\//);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByRole("heading", { name: "匹配的技术需求" })).toBeVisible();

  const match = page.locator("article.match").first();
  await expect(match).toBeVisible();
  await expect(match.locator(".score-value")).toHaveText(/\d+%/);
  // Every score part has its bar and its reason, in Chinese.
  await expect(match.locator(".part dt", { hasText: "内容相关" })).toBeVisible();
  await expect(match.locator(".part dt", { hasText: "行业" })).toBeVisible();
  await expect(match.locator(".part-reason").filter({ hasText: /个行业相同|没有相同的行业/ })).toBeVisible();
  await expect(match.locator(".part .bar").first()).toBeVisible();

  // A real address: reloading opens the same listing.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await shoot(page, info, "listing-with-matches");
  await ctx.close();
});

test("the market reads in English on request and works at phone width", async ({ browser }, info) => {
  const ctx = await contextFor(browser, open());
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto("/?kind=demands");
  await page.getByRole("button", { name: "菜单" }).click();
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Technology market" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "Technology demands" })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator(".hit").first()).toBeVisible();
  // Nothing is wider than the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shoot(page, info, "phone-english");
  await ctx.close();
});

test("a match that breaks a hard constraint says so in words", async ({ browser }, info) => {
  const m = open();
  // Find a demand one of whose matches breaks a constraint (readiness, price or modes).
  const { demands } = await rpc<{ demands: { name: string }[] }>(m, "DemandService/ListDemands", { pageSize: 100 });
  let found: { demand: string; title: string } | undefined;
  for (const d of demands) {
    const { matches } = await rpc<{ matches: { title: string; parts: { feature: string }[] }[] }>(m, "MatchService/MatchOffers", { demand: d.name, limit: 10 });
    const broken = matches.find((x) => x.parts.some((p) => p.feature === "constraints"));
    if (broken) {
      found = { demand: d.name, title: broken.title };
      break;
    }
  }
  expect(found, "the demo market has a near fit that breaks a constraint").toBeDefined();

  const ctx = await contextFor(browser, m);
  const page = await ctx.newPage();
  await page.goto(`/${found!.demand}`);
  const card = page.locator("article.match").filter({ has: page.getByRole("link", { name: found!.title, exact: true }) });
  const notice = card.getByRole("note");
  await expect(notice).toContainText("不满足硬性条件");
  await expect(notice).toContainText(/低于要求的 \d 级|没有共同的转化方式|起价为预算的/);
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: info.outputPath("broken-constraint.png") });
  await ctx.close();
});

test("a call refused for load is retried after the server's RetryInfo delay", async ({ browser }, info) => {
  const ctx = await contextFor(browser, open());
  const page = await ctx.newPage();
  // The first search is answered as an overloaded server would, with
  // RESOURCE_EXHAUSTED and RetryInfo{retry_delay: 0.2s}; later ones pass.
  const retryInfo = Buffer.from([0x0a, 0x05, 0x10, ...varint(200_000_000)]).toString("base64");
  let calls = 0;
  await page.route("**/techmarket.v1.MatchService/SearchOffers", async (route) => {
    if (++calls === 1) {
      await route.fulfill({
        status: 429,
        contentType: "application/json",
        body: JSON.stringify({ code: "resource_exhausted", message: "rate limited", details: [{ type: "google.rpc.RetryInfo", value: retryInfo }] }),
      });
    } else {
      await route.continue();
    }
  });
  await page.goto("/");
  await expect(page.locator(".hit").first()).toBeVisible();
  expect(calls).toBe(2);
  await shoot(page, info, "after-retry");
  await ctx.close();
});

/** Protobuf's base-128 varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

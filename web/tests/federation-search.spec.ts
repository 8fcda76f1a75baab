// (b) A market linked to another searches its listings too: each hit of
// the other market is marked with its home market, the origin filter
// narrows to one market, and a linked listing's page says where it lives
// and offers no changes, not even to this market's operators.
import { expect, test } from "@playwright/test";
import { contextFor, shoot } from "./market";
import { LINK, linkedHits, linkMarkets } from "./federation";

test("search finds the linked market's offers with their home badge; the page is read-only", async ({ browser }, info) => {
  const { here } = await linkMarkets();
  await linkedHits(here, "offers", "焦炉煤气 制氢");
  const ctx = await contextFor(browser, here, "operator");
  const page = await ctx.newPage();
  await page.goto("/");
  await page.getByRole("searchbox", { name: "关键词检索" }).fill("焦炉煤气 制氢");
  await page.getByRole("button", { name: "检索" }).click();
  const hits = page.locator(".hit");
  await expect(hits.first()).toBeVisible();

  // Operators are offered every link by name, from ListLinks.
  const origin = page.getByRole("group", { name: "来源" });
  await origin.getByLabel(`${LINK} 市场`).check();
  await expect(page).toHaveURL(new RegExp(`origin=${LINK}`));
  const badge = `来自 ${LINK} 市场`;
  await expect(hits.first().getByText(badge)).toBeVisible();
  await expect(hits.filter({ hasNot: page.getByText(badge) })).toHaveCount(0);
  await shoot(page, info, "search-linked");

  // This market alone: no badges.
  await origin.getByLabel("本市场").check();
  await expect(page).toHaveURL(/origin=local/);
  await expect(hits.first()).toBeVisible();
  await expect(hits.getByText(badge)).toHaveCount(0);

  await origin.getByLabel(`${LINK} 市场`).check();
  const first = hits.first().getByRole("link");
  const title = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  const notice = page.getByRole("note", { name: "来自关联市场" });
  await expect(notice).toContainText(`关联市场“${LINK}”`);
  await expect(notice).toContainText(/在那里的编号为 offers\//);
  await expect(notice).toContainText(/最近一次同步：/);
  // Kept at home: none of the owner's actions, even for an operator here.
  await expect(page.getByRole("heading", { name: "管理本条" })).toHaveCount(0);
  for (const action of ["编辑", "发布", "下架", "删除"]) {
    await expect(page.getByRole("main").getByRole("button", { name: action, exact: true })).toHaveCount(0);
    await expect(page.getByRole("main").getByRole("link", { name: action, exact: true })).toHaveCount(0);
  }
  await expect(page.getByText("联系方式由原市场保管")).toBeVisible();
  await expect(page.getByRole("heading", { name: "请求对接介绍" })).toBeVisible();
  await shoot(page, info, "linked-listing");
  await ctx.close();
});

test("anyone sees the home badge on hits and matches, and is asked to sign in for an introduction", async ({ browser }, info) => {
  const { here } = await linkMarkets();
  await linkedHits(here, "demands", "焦炉煤气");
  const ctx = await contextFor(browser, here);
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto("/?kind=demands&q=%E7%84%A6%E7%82%89%E7%85%A4%E6%B0%94");
  const badge = `来自 ${LINK} 市场`;
  const linked = page.locator(".hit").filter({ has: page.getByText(badge) });
  await expect(linked.first()).toBeVisible();
  // The origin filter offers the linked market once the results have shown it.
  await page.locator(".filters summary").click();
  await expect(page.getByRole("group", { name: "来源" }).getByLabel(`${LINK} 市场`)).toBeVisible();
  await linked.first().getByRole("link").click();
  await expect(page.getByRole("note", { name: "来自关联市场" })).toBeVisible();
  await expect(page.getByText("登录后可请求对接介绍")).toBeVisible();
  // Matches of the linked market's listings among this market's own carry the badge too.
  await expect(page.locator("article.match").filter({ has: page.getByText(badge) }).first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shoot(page, info, "linked-demand-phone");
  await ctx.close();
});

// (d) On a market that reviews posts, an operator approves one from the
// review queue and it is published.
import { expect, test } from "@playwright/test";
import { contextFor, reviewed, rpc, shoot, unique } from "./market";

test("an operator approves a post from the review queue", async ({ browser }, info) => {
  const m = reviewed();
  const title = `兰炭尾气综合利用制甲醇技术需求 ${unique()}`;
  const created = await rpc<{ demand: { name: string; state: string } }>(m, "DemandService/CreateDemand", {
    demand: { title, industries: ["coal-chemical"], region: "REGION_WUHAI", summary: "兰炭生产尾气富含氢气和一氧化碳，寻求制甲醇技术。" },
    publish: true,
  }, "enterprise");
  expect(created.demand.state).toBe("LISTING_STATE_IN_REVIEW");

  const ctx = await contextFor(browser, m, "operator");
  const page = await ctx.newPage();
  await page.goto("/review");
  await expect(page.getByRole("heading", { level: 1, name: "审核队列" })).toBeVisible();
  const item = page.getByRole("article", { name: title });
  await expect(item).toBeVisible();
  await shoot(page, info, "review-queue");

  await item.getByRole("button", { name: `通过：${title}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `已通过并发布：${title}` })).toBeVisible();
  await expect(item).toBeHidden();

  await page.goto(`/${created.demand.name}`);
  await expect(page.locator(".state-published")).toBeVisible();
  await ctx.close();
});

// Statistics count this market's own listings and those of each linked
// market apart.
import { expect, test } from "@playwright/test";
import { contextFor, shoot } from "./market";
import { LINK, linkMarkets } from "./federation";

test("the statistics show listings by origin", async ({ browser }, info) => {
  const { here } = await linkMarkets();
  const ctx = await contextFor(browser, here, "operator");
  const page = await ctx.newPage();
  await page.goto("/stats");
  const byOrigin = page.getByRole("region", { name: "按来源" });
  await expect(byOrigin).toContainText("本市场");
  await expect(byOrigin).toContainText(`${LINK} 市场`);
  await byOrigin.scrollIntoViewIfNeeded();
  await shoot(page, info, "stats-by-origin");
  await ctx.close();
});

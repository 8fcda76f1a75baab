// (e) An operator plans a matchmaking event's agenda; it renders as a
// grid of slots × tables and downloads as CSV.
import { expect, test } from "@playwright/test";
import { contextFor, open, rpc, shoot, unique } from "./market";

interface Named { name: string }

test("an event's agenda renders as slots × tables", async ({ browser }, info) => {
  const m = open();
  const start = Date.UTC(2027, 2, 15, 1, 0); // 09:00 China time
  const slot = (i: number) => ({
    startTime: new Date(start + i * 30 * 60_000).toISOString(),
    endTime: new Date(start + (i + 1) * 30 * 60_000).toISOString(),
  });
  const title = `乌海市氢能与煤化工技术对接会 ${unique()}`;
  const { event } = await rpc<{ event: Named }>(m, "EventService/CreateEvent", {
    event: { title, venue: "乌海市科技馆", slots: [slot(0), slot(1), slot(2)], tables: 3 },
  }, "operator");
  // Register a few demands and the offers that fit them best.
  const { demands } = await rpc<{ demands: Named[] }>(m, "DemandService/ListDemands", { pageSize: 4, industry: "coal-chemical" });
  for (const d of demands) {
    await rpc(m, "EventService/RegisterListing", { event: event.name, listing: d.name }, "operator");
    const { matches } = await rpc<{ matches: Named[] }>(m, "MatchService/MatchOffers", { demand: d.name, limit: 2 });
    for (const o of matches) {
      await rpc(m, "EventService/RegisterListing", { event: event.name, listing: o.name }, "operator").catch((e: Error) => {
        if (!/already/i.test(e.message)) throw e;
      });
    }
  }

  const ctx = await contextFor(browser, m, "operator");
  const page = await ctx.newPage();
  await page.goto("/events");
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByText("尚未排定日程。")).toBeVisible();
  await page.getByRole("button", { name: "排定日程" }).click();

  const grid = page.getByRole("table");
  await expect(grid.getByRole("columnheader", { name: "3 号桌" })).toBeVisible();
  await expect(grid.getByRole("rowheader")).toHaveCount(3);
  await expect(grid.locator(".meeting").first()).toBeVisible();
  await expect(grid.getByRole("rowheader").first()).toContainText("09:00");
  await shoot(page, info, "agenda");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "下载 CSV" }).click();
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);
  await ctx.close();
});

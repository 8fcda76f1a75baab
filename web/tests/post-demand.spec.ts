// (b) An enterprise posts a demand: as it types, the server checks the
// draft, saves it, reports its quality and shows the offers it would get.
import { expect, test } from "@playwright/test";
import { contextFor, open, rpc, shoot, unique } from "./market";

test("an enterprise posts a demand and sees its quality report and matches", async ({ browser }, info) => {
  const ctx = await contextFor(browser, open(), "enterprise");
  const page = await ctx.newPage();
  await page.goto("/post");
  await expect(page.getByRole("heading", { level: 1, name: "发布技术需求" })).toBeVisible();

  const title = `焦炉煤气制氢提纯技术需求 ${unique()}`;
  await page.getByLabel("标题").fill(title);
  await page.getByLabel("摘要").fill("利用焦化厂富余焦炉煤气制取燃料电池级氢气，寻求变压吸附提纯成套技术。");
  await page.getByLabel("详细介绍").fill("我公司焦炉煤气富余约2万立方米每小时，希望通过变压吸附(PSA)提纯制取99.999%以上的燃料电池级氢气，供应加氢站。");
  await page.getByRole("checkbox", { name: "氢能" }).check();
  await page.getByRole("checkbox", { name: "煤焦化工" }).check();
  await page.getByLabel("地区").selectOption({ label: "乌海市" });

  // The draft saves itself and its quality report and matches appear.
  await expect(page.getByRole("status").filter({ hasText: "草稿已自动保存" })).toBeVisible();
  const quality = page.getByRole("region", { name: "信息质量报告" });
  await expect(quality.getByText(/质量得分 \d+%/)).toBeVisible();
  await expect(quality.locator(".issue").first()).toBeVisible(); // no TRL, no budget yet: there is advice
  const matches = page.getByRole("region", { name: "可能适合的科技成果" });
  await expect(matches.getByRole("link").first()).toBeVisible();
  await shoot(page, info, "demand-draft-live");

  await page.getByRole("button", { name: "发布" }).click();
  await expect(page).toHaveURL(/\/demands\//);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.locator(".state-published")).toBeVisible();
  await expect(page.locator("article.match").first()).toBeVisible();
  await shoot(page, info, "demand-published");
  await ctx.close();
});

test("a poster deletes a draft it no longer wants", async ({ browser }) => {
  const m = open();
  const title = `待删除的草稿 ${unique()}`;
  const { demand } = await rpc<{ demand: { name: string } }>(m, "DemandService/CreateDemand", {
    demand: { title, industries: ["water"], region: "REGION_WUHAI" },
  }, "enterprise");
  const ctx = await contextFor(browser, m, "enterprise");
  const page = await ctx.newPage();
  await page.goto("/mine");
  await page.getByRole("link", { name: title }).click();
  await expect(page.locator(".state-draft")).toBeVisible();
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "删除" }).click();
  await expect(page).toHaveURL(/\/mine$/);
  await expect(page.getByRole("heading", { name: "我的发布" })).toBeVisible();
  await expect(page.getByRole("link", { name: title })).toBeHidden();
  await expect(rpc(m, "DemandService/GetDemand", { name: demand.name }, "enterprise")).rejects.toThrow(/not_found|permission_denied/);
  await ctx.close();
});

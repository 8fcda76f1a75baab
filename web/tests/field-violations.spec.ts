// (f) A field the server refuses shows the server's own words beside it:
// the portal does not pre-empt the rules, the server's validation speaks.
import { expect, test } from "@playwright/test";
import { contextFor, open, shoot } from "./market";

test("the server's field violations show next to their fields", async ({ browser }, info) => {
  const ctx = await contextFor(browser, open(), "agency");
  const page = await ctx.newPage();
  await page.goto("/post/offer");
  await expect(page.getByRole("heading", { level: 1, name: "发布科技成果" })).toBeVisible();

  await page.getByLabel("标题").fill("   "); // blank to the server, not to a browser check
  await page.getByRole("checkbox", { name: "氢能" }).check();
  await page.getByLabel("地区").selectOption({ label: "乌海市" });
  await page.getByLabel("技术成熟度（TRL）").fill("12");

  const trl = page.getByLabel("技术成熟度（TRL）");
  // The server's "trl: must be a readiness level from 1 to 9, got 12", in Chinese.
  await expect(page.locator("#trl-error")).toHaveText("成熟度须为 1 到 9 级，填写的是 12");
  await expect(trl).toHaveAttribute("aria-invalid", "true");
  await expect(trl).toHaveAccessibleDescription(/填写的是 12/);
  await expect(page.locator("#title-error")).toHaveText("不能为空");

  // Publishing anyway lists the problems, each a link to its field.
  await page.getByRole("button", { name: "发布" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "处需要修改" });
  await expect(summary).toBeVisible();
  await summary.getByRole("link", { name: /技术成熟度（TRL）：.*填写的是 12/ }).click();
  await expect(trl).toBeFocused();
  await shoot(page, info, "field-violations");

  // In English, the server's own words.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("#trl-error")).toHaveText("must be a readiness level from 1 to 9, got 12");
  await page.getByRole("button", { name: "中文" }).click();

  // Fixed, the problem goes away.
  await trl.fill("7");
  await expect(page.locator("#trl-error")).toBeHidden();
  await ctx.close();
});

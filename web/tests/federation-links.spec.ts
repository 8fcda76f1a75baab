// (a) Operators see the markets theirs follows and how each link stands;
// an operator of one market issues a peer token, an operator of the other
// adds the link with it, pauses, resumes and removes it.
import { expect, test } from "@playwright/test";
import { contextFor, open, reviewed, shoot, unique } from "./market";
import { addrOf, LINK, linkMarkets } from "./federation";

test("the links page shows the link to the open market caught up", async ({ browser }, info) => {
  const { here } = await linkMarkets();
  const ctx = await contextFor(browser, here, "operator");
  const page = await ctx.newPage();
  await page.goto("/");
  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "链接市场" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "链接市场" })).toBeVisible();
  const card = page.getByRole("article", { name: new RegExp(`^${LINK} `) });
  await expect(card).toContainText("同步中");
  await expect(card).toContainText("已同步到最新");
  await expect(card).toContainText(/已应用 [\d,]+ 条/);
  await expect(card).toContainText("拒收 0 条");
  await expect(card).toContainText(/最近联系：/);
  await shoot(page, info, "links-caught-up");
  await ctx.close();
});

test("an operator issues a scoped peer token; the other market adds, pauses, resumes and removes the link", async ({ browser }, info) => {
  const u = unique();
  const org = `乌海科技大市场（审核版）${u}`;
  const home = await contextFor(browser, open(), "operator");
  const tokens = await home.newPage();
  await tokens.goto("/tokens");
  await tokens.getByLabel("机构").fill(org);
  await tokens.getByLabel("角色").selectOption({ label: "关联市场" });
  await tokens.getByRole("group", { name: "共享的类别" }).getByLabel("科技成果").check();
  await tokens.getByRole("button", { name: "发放" }).click();
  const secret = (await tokens.locator("code.secret").textContent())!.trim();
  expect(secret).toMatch(/^tmk_/);
  await expect(tokens.getByRole("row", { name: new RegExp(org) })).toContainText("关联市场");
  await shoot(tokens, info, "peer-token-issued");

  const name = `kf-${u}`;
  const ctx = await contextFor(browser, reviewed(), "operator");
  const page = await ctx.newPage();
  await page.goto("/links");
  // Without a token the server says what is missing, beside the field.
  await page.getByLabel("名称").fill(name);
  await page.getByLabel("地址").fill(addrOf(open()));
  await page.getByRole("button", { name: "添加", exact: true }).click();
  await expect(page.locator('[data-field-error="link-token"]')).toBeVisible();
  await page.getByLabel("对方发放的令牌").fill(secret);
  await page.getByRole("button", { name: "添加", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `已添加“${name}”` })).toBeVisible();

  const card = page.getByRole("article", { name: new RegExp(`^${name} `) });
  // The page reads the health again every few seconds: no reload needed.
  await expect(card).toContainText("已同步到最新");
  await expect(card).toContainText(/已应用 [1-9][\d,]* 条/);
  await shoot(page, info, "link-added");

  await card.getByRole("button", { name: `暂停：${name}` }).click();
  await expect(card).toContainText("已暂停");
  await card.getByRole("button", { name: `恢复：${name}` }).click();
  await expect(card).toContainText("同步中");

  page.once("dialog", (d) => d.accept());
  await card.getByRole("button", { name: `移除：${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `已移除“${name}”` })).toBeVisible();
  await expect(card).toHaveCount(0);
  await shoot(page, info, "link-removed");
  await ctx.close();
  await home.close();
});

// Signing in by keyboard with a pasted token; a wrong token is refused
// in words; the token lives in sessionStorage only.
import { expect, test } from "@playwright/test";
import { contextFor, open, shoot } from "./market";

test("sign in with a token by keyboard and see who you are", async ({ browser }, info) => {
  const m = open();
  const ctx = await contextFor(browser, m);
  const page = await ctx.newPage();
  await page.goto("/");
  // The skip link is the first stop of the keyboard.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "跳到主要内容" })).toBeFocused();

  await page.getByRole("link", { name: "登录" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "登录" })).toBeFocused();
  const field = page.getByLabel("访问令牌");
  await field.focus();
  await page.keyboard.type("tmk_not-a-real-token");
  await page.keyboard.press("Enter");
  await expect(page.getByText("令牌无效或已被吊销")).toBeVisible();
  await expect(field).toHaveAttribute("aria-invalid", "true");

  await field.fill(m.token("enterprise"));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/mine$/);
  await expect(page.getByRole("link", { name: /乌海市示例化工有限公司/ })).toBeVisible();

  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "当前身份" })).toBeVisible();
  await expect(page.getByRole("main").getByText("企业", { exact: true })).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem("techmarket.token"))).toBeNull();
  expect(await page.evaluate(() => sessionStorage.getItem("techmarket.token"))).toBe(m.token("enterprise"));
  await shoot(page, info, "signed-in");

  await page.getByRole("main").getByRole("button", { name: "退出" }).click();
  await expect(page.getByRole("heading", { name: "当前身份" })).toBeHidden();
  expect(await page.evaluate(() => sessionStorage.getItem("techmarket.token"))).toBeNull();
  await ctx.close();
});

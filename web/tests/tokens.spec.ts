// An operator issues a token to a new agency, which signs in with it;
// revoked, the token no longer works.
import { expect, test } from "@playwright/test";
import { contextFor, open, shoot, unique } from "./market";

test("an operator issues a token, the agency signs in, the token is revoked", async ({ browser }, info) => {
  const m = open();
  const org = `乌海职业技术学院技术转移中心 ${unique()}`;
  const ops = await contextFor(browser, m, "operator");
  const page = await ops.newPage();
  await page.goto("/tokens");
  await page.getByLabel("机构").fill(org);
  await page.getByLabel("角色").selectOption({ label: "技术转移机构" });
  await page.getByRole("button", { name: "发放" }).click();
  const secret = (await page.locator("code.secret").textContent())!.trim();
  expect(secret).toMatch(/^tmk_/);
  await expect(page.getByRole("rowheader", { name: org })).toBeVisible();
  await shoot(page, info, "token-issued");

  const agency = await contextFor(browser, m);
  const signin = await agency.newPage();
  await signin.goto("/signin");
  await signin.getByLabel("访问令牌").fill(secret);
  await signin.getByRole("button", { name: "登录" }).click();
  await expect(signin).toHaveURL(/\/mine$/);
  await expect(signin.getByText(org).first()).toBeVisible();

  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: `吊销：${org}` }).click();
  await expect(page.getByRole("row", { name: new RegExp(org) }).getByText(/已于 .* 吊销/)).toBeVisible();

  // A revoked token is refused at once: the next page load signs the agency out.
  await signin.reload();
  await expect(signin.getByRole("banner").getByRole("link", { name: "登录" })).toBeVisible();
  await agency.close();
  await ops.close();
});

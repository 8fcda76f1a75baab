// (c) An enterprise of the reviewed market asks for an introduction to
// the poster of an offer it sees through the link; the poster at the
// open market (the demo offers are posted by its operator organisation)
// accepts with a word; the answer and the poster's contact come back.
import { expect, test } from "@playwright/test";
import { contextFor, rpc, shoot, unique } from "./market";
import { linkMarkets, linkedOffer } from "./federation";

test("an introduction asked on one market is answered on the other and comes back with the contact", async ({ browser }, info) => {
  const { home, here } = await linkMarkets();
  const offer = await linkedOffer(here, "焦炉煤气 LNG");
  const u = unique();
  const message = `我们是乌海的化工企业，想了解工艺包许可条件（${u}）`;

  const asker = await contextFor(browser, here, "enterprise");
  const page = await asker.newPage();
  await page.goto(`/${offer.name}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(offer.title);
  const form = page.locator("section", { has: page.getByRole("heading", { name: "请求对接介绍" }) });
  // An empty message is refused beside the field.
  await form.getByRole("button", { name: "发送请求" }).click();
  await expect(form.locator('[data-field-error="intro-message"]')).toContainText("请填写留言");
  await form.getByLabel("留言").fill(message);
  await form.getByRole("button", { name: "发送请求" }).click();
  await expect(form.getByRole("status")).toContainText("请求已发出");
  await shoot(page, info, "introduction-asked");

  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "对接介绍" }).click();
  const mine = page.getByRole("region", { name: /我发出的请求/ }).getByRole("article").filter({ hasText: u });
  await expect(mine).toContainText(offer.title);
  await expect(mine).toContainText(/待转达|已转达，待答复/);

  // At home, the poster's operators see who asked, from which market, and answer.
  const poster = await contextFor(browser, home, "operator");
  const homePage = await poster.newPage();
  await homePage.goto("/introductions");
  const asked = homePage.getByRole("region", { name: /对我的条目的请求/ }).getByRole("article").filter({ hasText: u });
  await expect(asked).toContainText("乌海市示例化工有限公司（演示）");
  await expect(asked).toContainText("乌海科技大市场（审核版）");
  await asked.getByLabel("简短答复（可选）").fill(`欢迎来电洽谈 ${u}`);
  await asked.getByRole("button", { name: "同意并提供联系方式" }).click();
  await expect(asked).toContainText("已同意");
  await shoot(homePage, info, "introduction-answered");

  // The answer travels back with the follower; read the page again until it has.
  const { offer: homeOffer } = await rpc<{ offer: { contact: { phone: string } } }>(
    home, "OfferService/GetOffer", { name: (await rpc<{ offer: { linkedFrom: { name: string } } }>(here, "OfferService/GetOffer", { name: offer.name })).offer.linkedFrom.name }, "operator");
  await page.setViewportSize({ width: 360, height: 780 });
  await expect(async () => {
    await page.reload();
    await expect(mine).toContainText("已同意", { timeout: 1_000 });
  }).toPass();
  await expect(mine).toContainText(`欢迎来电洽谈 ${u}`);
  await expect(mine.locator(".intro-contact")).toContainText(homeOffer.contact.phone);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shoot(page, info, "introduction-accepted");
  await poster.close();
  await asker.close();
});

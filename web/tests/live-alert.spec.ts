// (c) An enterprise keeps its page open; an agency publishes an offer
// that fits the enterprise's demand; the alert shows without a reload.
import { expect, test } from "@playwright/test";
import { contextFor, open, rpc, shoot, unique } from "./market";

test("an agency's new offer alerts the enterprise live", async ({ browser }, info) => {
  const m = open();
  const tag = unique();
  // A need nothing in the demo market answers, so the new offer ranks first.
  const need = {
    title: `葡萄酒酒渣提取白藜芦醇与原花青素 ${tag}`,
    summary: "利用葡萄酒酿造后的酒渣和葡萄籽，提取白藜芦醇、原花青素等高值成分。",
    description: "乌海葡萄酒厂每年产生酒渣约3000吨，寻求酒渣中白藜芦醇和原花青素的提取纯化技术，产品纯度95%以上。",
    keywords: ["酒渣", "白藜芦醇", "原花青素", "葡萄籽"],
    industries: ["agriculture", "biomedicine"],
    region: "REGION_WUHAI",
  };
  await rpc(m, "DemandService/CreateDemand", { demand: need, publish: true }, "enterprise");

  const enterprise = await contextFor(browser, m, "enterprise");
  const watching = await enterprise.newPage();
  await watching.goto("/mine");
  await expect(watching.getByText("正在实时接收提醒")).toBeVisible();
  const feed = watching.getByRole("log", { name: "匹配提醒" });
  await expect(watching.getByRole("link", { name: need.title })).toBeVisible();

  const agency = await contextFor(browser, m, "agency");
  const posting = await agency.newPage();
  await posting.goto("/post");
  const offerTitle = `葡萄酒渣白藜芦醇与原花青素提取纯化技术 ${tag}`;
  await posting.getByLabel("标题").fill(offerTitle);
  await posting.getByLabel("摘要").fill("从葡萄酒酒渣和葡萄籽中提取白藜芦醇与原花青素，纯度95%以上。");
  await posting.getByLabel("详细介绍").fill("以葡萄酒酒渣、葡萄籽为原料，经超声辅助提取、大孔树脂纯化，白藜芦醇和原花青素纯度达95%以上，已在酒厂中试。");
  await posting.getByLabel("关键词").fill("酒渣、白藜芦醇、原花青素、葡萄籽");
  await posting.getByRole("checkbox", { name: "现代农业" }).check();
  await posting.getByRole("checkbox", { name: "生物医药及蒙中医药" }).check();
  await posting.getByLabel("地区").selectOption({ label: "内蒙古其他盟市" });
  await expect(posting.getByRole("status").filter({ hasText: "草稿已自动保存" })).toBeVisible();
  await posting.getByRole("button", { name: "发布" }).click();
  await expect(posting.locator(".state-published")).toBeVisible();

  // The enterprise's page, never reloaded, shows the alert.
  await expect(feed.getByRole("link", { name: offerTitle })).toBeVisible({ timeout: 45_000 });
  await expect(watching.getByRole("link", { name: /我的/ }).locator(".badge")).toBeHidden(); // seen while open
  await shoot(watching, info, "alert-arrived");
  await agency.close();
  await enterprise.close();
});

// The monthly submission workflow in the browser: a zone submits a month, the coordinator
// returns it, the zone fixes the figures and resubmits, the coordinator approves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, signIn, signOut } from "./browser.mjs";

const base = process.env.BASE_URL;

/** The cell of 经开组团 in January on the 2024 board. */
function januaryOfEtdz(page) {
  return page.locator("#board tbody tr", { hasText: "经开组团" }).locator("td").first();
}

async function board(page) {
  await page.goto(base + "/submissions?year=2024");
  await page.getByRole("heading", { name: "月度报送" }).waitFor();
}

test("submit, return, fix, resubmit, approve", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });

    // The zone: January 2024 is late (nobody has reported it); submit it.
    await signIn(page, "zone-etdz");
    await board(page);
    const cell = januaryOfEtdz(page);
    assert.match(await cell.innerText(), /逾期/);
    await Promise.all([page.waitForURL(/submissions/), cell.getByRole("button", { name: "提交" }).click()]);
    assert.match(await januaryOfEtdz(page).innerText(), /已提交/);
    await signOut(page);

    // The coordinator returns it with a reason.
    await signIn(page, "jfj");
    await board(page);
    await januaryOfEtdz(page).getByLabel("退回原因").fill("缺少光电企业数据");
    await Promise.all([page.waitForURL(/submissions/), januaryOfEtdz(page).getByRole("button", { name: "退回" }).click()]);
    assert.match(await januaryOfEtdz(page).innerText(), /已退回/);
    await signOut(page);

    // The zone sees why, uploads the missing figures and resubmits.
    await signIn(page, "zone-etdz");
    await board(page);
    assert.match(await page.locator(".reminders").innerText(), /被退回:缺少光电企业数据/);
    const list = await (await page.request.get(base + "/api/v1/enterprises?zone=etdz&industry=optoelectronics")).json();
    const uscc = list.items[0].uscc;
    const dir = mkdtempSync(join(tmpdir(), "leapfrog-e2e-"));
    const file = join(dir, "经开组团2024年1月.csv");
    writeFileSync(file, `统一社会信用代码,月份,营业收入(万元)\n${uscc},2024年1月,1234.5\n`);
    await page.setInputFiles("#file", file);
    await Promise.all([page.waitForURL(/imported=1/), page.getByRole("button", { name: "上传导入" }).click()]);
    assert.match(await page.getByRole("status").innerText(), /已导入 1 行/);
    await Promise.all([page.waitForURL(/submissions/), januaryOfEtdz(page).getByRole("button", { name: "提交" }).click()]);
    assert.match(await januaryOfEtdz(page).innerText(), /已提交/);
    // Submitted is not approved: the month is in the provisional figures only.
    const cellOf = async (figures) => {
      const rows = await (await page.request.get(base + "/api/v1/progress?month=2024-01&figures=" + figures)).json();
      return rows.find((r) => r.industry === "optoelectronics" && r.zone === "etdz");
    };
    assert.equal((await cellOf("official"))?.value ?? null, null, "a submitted month is not official yet");
    assert.equal((await cellOf("provisional")).value, 1234.5);
    await signOut(page);

    // The coordinator approves; the month now counts in the official figures.
    await signIn(page, "jfj");
    await board(page);
    await Promise.all([page.waitForURL(/submissions/), januaryOfEtdz(page).getByRole("button", { name: "审核通过" }).click()]);
    assert.match(await januaryOfEtdz(page).innerText(), /审核通过/);
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/board.png", fullPage: true });
    const rows = await (await page.request.get(base + "/api/v1/progress?month=2024-01")).json();
    const etdz = rows.find((r) => r.industry === "optoelectronics" && r.zone === "etdz");
    assert.equal(etdz.value, 1234.5, "the approved month is official, to the 元: " + JSON.stringify(etdz));
  } finally {
    await browser.close();
  }
});

test("a zone writes its progress note on a key task", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    await signIn(page, "zone-etdz");
    await page.getByRole("link", { name: "重点任务" }).click();
    await page.getByRole("heading", { name: /重点任务与保障措施/ }).waitFor();
    await page.selectOption("#month", "2023-06");
    await page.waitForURL(/month=2023-06/);
    const row = page.locator("#tasks tbody tr", { hasText: "实施项目提速行动" });
    assert.match(await row.innerText(), /新区经济发展局/);
    assert.match(await row.innerText(), /行政审批局/);
    await row.getByLabel("本单位2023年6月进展").fill("经开组团新开工亿元以上项目 3 个");
    await Promise.all([page.waitForURL(/saved=1/), row.getByRole("button", { name: "保存进展" }).click()]);
    assert.match(await page.getByRole("status").innerText(), /已保存/);
    assert.match(await page.locator("#tasks tbody tr", { hasText: "实施项目提速行动" }).innerText(), /经开组团:经开组团新开工亿元以上项目 3 个/);
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/tasks.png", fullPage: true });
  } finally {
    await browser.close();
  }
});

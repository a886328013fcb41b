// The monthly submission workflow in the browser: a zone explains its month's review flags and
// submits it, the coordinator returns it, the zone fixes the figures, explains the new flag and
// resubmits, the coordinator accepts the explanations and approves.
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

/** The flags page of 经开组团's January 2024. */
async function flagsPage(page) {
  await page.getByRole("heading", { name: /审核提示/ }).waitFor();
  assert.match(await page.locator("h1").innerText(), /经开组团 · 2024年1月/);
}

test("submit with flags explained, return, fix, explain again, accept and approve", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });

    // The zone: January 2024 is late (nobody has reported it). Submitting it is refused: every
    // enterprise that reported in December has not in January (审核规则 "上月填报本月未报").
    await signIn(page, "zone-etdz");
    await board(page);
    const cell = januaryOfEtdz(page);
    assert.match(await cell.innerText(), /逾期/);
    await Promise.all([page.waitForURL(/submissions\/etdz\/2024-01/), cell.getByRole("button", { name: "提交" }).click()]);
    await flagsPage(page);
    assert.match(await page.getByRole("alert").innerText(), /审核提示尚未说明/);
    const missing = await page.locator("#flags tbody tr", { hasText: "上月填报本月未报" }).count();
    assert.ok(missing > 1, "every December reporter is missing in January: " + missing);
    // One explanation for all of them at once.
    await page.getByLabel(`为全部 ${missing} 条“上月填报本月未报”填写同一说明`).fill("春节前后停产,1-2月合并报送");
    await Promise.all([page.waitForURL(/saved=/), page.getByRole("button", { name: `保存 ${missing} 条说明` }).click()]);
    assert.match(await page.getByRole("status").innerText(), new RegExp(`已保存 ${missing} 条`));
    assert.match(await page.locator("#tally").innerText(), new RegExp(`待审核 ${missing}`));
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/review-zone.png", fullPage: false });
    await board(page);
    assert.match(await januaryOfEtdz(page).innerText(), new RegExp(`审核提示 ${missing} 条`));
    await Promise.all([page.waitForURL(/submissions\?year/), januaryOfEtdz(page).getByRole("button", { name: "提交" }).click()]);
    assert.match(await januaryOfEtdz(page).innerText(), /已提交/);
    await signOut(page);

    // The coordinator returns it with a reason.
    await signIn(page, "jfj");
    await board(page);
    await januaryOfEtdz(page).getByLabel("退回原因").fill("缺少光电企业数据");
    await Promise.all([page.waitForURL(/submissions/), januaryOfEtdz(page).getByRole("button", { name: "退回" }).click()]);
    assert.match(await januaryOfEtdz(page).innerText(), /已退回/);
    await signOut(page);

    // The zone sees why and uploads one enterprise's revenue, a tenth above December's: its
    // missing flag goes; its tax, blank now after a value in December, is a new flag to explain.
    await signIn(page, "zone-etdz");
    await board(page);
    assert.match(await page.locator(".reminders").innerText(), /被退回:缺少光电企业数据/);
    const list = await (await page.request.get(base + "/api/v1/enterprises?zone=etdz&industry=optoelectronics")).json();
    const uscc = list.items[0].uscc;
    const history = await (await page.request.get(base + "/api/v1/enterprises/" + uscc)).json();
    const december = history.months.find((m) => m.month === "2023-12").revenue;
    const revenue = Math.round(december * 1.1 * 100) / 100;
    const dir = mkdtempSync(join(tmpdir(), "leapfrog-e2e-"));
    const file = join(dir, "经开组团2024年1月.csv");
    writeFileSync(file, `统一社会信用代码,月份,营业收入(万元)\n${uscc},2024年1月,${revenue}\n`);
    await page.setInputFiles("#file", file);
    await Promise.all([page.waitForURL(/imported=1/), page.getByRole("button", { name: "上传导入" }).click()]);
    assert.match(await page.getByRole("status").innerText(), /已导入 1 行/);
    await januaryOfEtdz(page).getByRole("link", { name: /审核提示/ }).click();
    await flagsPage(page);
    assert.equal(await page.locator("#flags tbody tr", { hasText: "上月填报本月未报" }).count(), missing - 1);
    const taxRow = page.locator("#flags tbody tr", { hasText: "上月有值本月为零" });
    assert.equal(await taxRow.count(), 1);
    assert.match(await taxRow.innerText(), /待说明/);
    await taxRow.getByRole("textbox").fill("1月税款于2月缴纳");
    await Promise.all([page.waitForURL(/saved=1/), taxRow.getByRole("button", { name: "保存说明" }).click()]);
    assert.match(await page.locator("#flags tbody tr", { hasText: "上月有值本月为零" }).innerText(), /待审核/);
    await board(page);
    await Promise.all([page.waitForURL(/submissions\?year/), januaryOfEtdz(page).getByRole("button", { name: "提交" }).click()]);
    assert.match(await januaryOfEtdz(page).innerText(), /已提交/);
    // Submitted is not approved: the month is in the provisional figures only.
    const cellOf = async (figures) => {
      const rows = await (await page.request.get(base + "/api/v1/progress?month=2024-01&figures=" + figures)).json();
      return rows.find((r) => r.industry === "optoelectronics" && r.zone === "etdz");
    };
    assert.equal((await cellOf("official"))?.value ?? null, null, "a submitted month is not official yet");
    assert.equal((await cellOf("provisional")).value, revenue);
    await signOut(page);

    // The coordinator cannot approve before deciding each explanation: the approval lands on the
    // flags; one explanation is accepted on its own, the rest at once; then the month is approved.
    await signIn(page, "jfj");
    await board(page);
    await Promise.all([page.waitForURL(/review|2024-01/), januaryOfEtdz(page).getByRole("button", { name: "审核通过" }).click()]);
    await flagsPage(page);
    assert.match(await page.getByRole("alert").innerText(), /尚未认可/);
    const tax = page.locator("#flags tbody tr", { hasText: "上月有值本月为零" });
    assert.match(await tax.innerText(), /1月税款于2月缴纳/);
    await Promise.all([page.waitForURL(/saved=1/), tax.getByRole("button", { name: /^认可/ }).click()]);
    assert.match(await page.locator("#flags tbody tr", { hasText: "上月有值本月为零" }).innerText(), /已认可/);
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/review-coordinator.png", fullPage: false });
    await Promise.all([page.waitForURL(/saved=/), page.getByRole("button", { name: /认可全部 \d+ 条待审核的说明/ }).click()]);
    assert.match(await page.locator("#tally").innerText(), new RegExp(`已认可 ${missing}`));
    await board(page);
    await Promise.all([page.waitForURL(/submissions\?year/), januaryOfEtdz(page).getByRole("button", { name: "审核通过" }).click()]);
    assert.match(await januaryOfEtdz(page).innerText(), /审核通过/);
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/board.png", fullPage: true });
    const rows = await (await page.request.get(base + "/api/v1/progress?month=2024-01")).json();
    const etdz = rows.find((r) => r.industry === "optoelectronics" && r.zone === "etdz");
    assert.equal(etdz.value, revenue, "the approved month is official, to the 元: " + JSON.stringify(etdz));

    // The data-quality page counts the month's flags; the year's flags export with their words.
    await page.goto(base + "/data-quality?year=2024");
    await page.getByRole("heading", { name: /数据质量/ }).waitFor();
    const line = page.locator("#quality tbody tr", { hasText: "2024年1月" });
    assert.match(await line.innerText(), new RegExp(`\\b${missing}\\b`));
    assert.match(await page.locator("#benford").innerText(), /经开组团/);
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/data-quality.png", fullPage: true });
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

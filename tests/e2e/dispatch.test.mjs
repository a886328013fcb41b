// The monthly dispatch in the browser: a zone reports a project's month with a photo and raises
// a problem for the 行政审批局, the coordinator sees the project red with its reason, and the
// department resolves the problem, which turns its light green.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, signIn, signOut } from "./browser.mjs";

const base = process.env.BASE_URL;
// A one-pixel PNG: the server decodes every photo, so this must be a real image.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

function problemLight(page, code) {
  return page.locator("#lights tbody tr", { hasText: code }).locator('td[data-label="问题"]');
}

test("report a month with a photo, see it red, resolve the problem", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    // This month in China: a problem resolved today counts as resolved in its dispatch (an
    // earlier month's dispatch shows it as it stood at that month's end).
    const month = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
    const [y, m] = month.split("-").map(Number);

    // The zone picks one of its projects and reports January.
    await signIn(page, "zone-etdz");
    const projects = await (await page.request.get(base + "/api/v1/projects")).json();
    assert.ok(projects.length > 0 && projects.every((p) => p.zone === "etdz" || p.zone === "linkong"), "only its own zone's");
    const code = projects[0].code;
    await page.goto(`${base}/projects/${code}?month=${month}`);
    await page.getByLabel(`${y}年${m}月完成投资(万元)`).fill("1234.56");
    await page.getByLabel("形象进度").fill("主体结构施工");
    await Promise.all([page.waitForURL(/saved=1/), page.getByRole("button", { name: "保存月报" }).click()]);
    const reports = page.locator("#reports");
    assert.match(await reports.innerText(), new RegExp(`${y}年${m}月[\\s\\S]*1234\\.56[\\s\\S]*主体结构施工`));

    const dir = mkdtempSync(join(tmpdir(), "leapfrog-e2e-"));
    const photo = join(dir, "现场.png");
    writeFileSync(photo, Buffer.from(PNG, "base64"));
    await page.setInputFiles("#photo", photo);
    await Promise.all([page.waitForURL(/saved=1/), page.getByRole("button", { name: "上传照片" }).click()]);
    const thumb = page.locator("#photos img").first();
    assert.match(await thumb.getAttribute("src"), /thumb=1/);
    const shown = await page.request.get(base + (await thumb.getAttribute("src")));
    assert.equal(shown.headers()["content-type"], "image/jpeg");

    await page.getByLabel("需协调解决的问题").fill("施工许可待核发");
    await page.getByLabel("责任部门").selectOption({ label: "行政审批局" });
    await page.getByLabel("解决期限").fill(`${month}-01`);
    await Promise.all([page.waitForURL(/saved=1/), page.getByRole("button", { name: "提出问题" }).click()]);
    assert.match(await page.locator("#problems").innerText(), /施工许可待核发[\s\S]*逾期/);
    await signOut(page);

    // The coordinator sees it red, with the reason in words.
    await signIn(page, "jfj");
    await page.goto(`${base}/dispatch?month=${month}`);
    const row = page.locator("#lights tbody tr", { hasText: code });
    assert.match(await problemLight(page, code).innerText(), /红/);
    assert.ok((await row.innerText()).includes(`问题“施工许可待核发”应于${month}-01前解决,尚未解决(责任部门:行政审批局)`));
    await signOut(page);

    // The 行政审批局 resolves it; the light turns green.
    await signIn(page, "dept-approval");
    await page.goto(`${base}/projects/${code}?month=${month}`);
    const problems = page.locator("#problems tbody tr", { hasText: "施工许可待核发" });
    await problems.getByLabel("办理结果").fill("已核发施工许可证");
    await Promise.all([page.waitForURL(/saved=1/), problems.getByRole("button", { name: "已解决" }).click()]);
    assert.match(await page.locator("#problems").innerText(), /已解决[\s\S]*已核发施工许可证/);
    await page.goto(`${base}/dispatch?month=${month}`);
    assert.match(await problemLight(page, code).innerText(), /绿/);
    // The department's own page offers no report form: reporting is the zone's.
    await page.goto(`${base}/projects/${code}?month=${month}`);
    assert.equal(await page.locator("#report-form").count(), 0);
  } finally {
    await browser.close();
  }
});

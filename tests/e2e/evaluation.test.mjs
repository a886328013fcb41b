// The per-mu evaluation in the browser: the demo enterprise opens its own published result and
// objects to it; the coordinator opens the year's final results and another enterprise's
// explanation, which says what alone would lift it a class, then decides the objection; an
// enterprise cannot open another's result.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, signOut } from "./browser.mjs";

const base = process.env.BASE_URL;

test("an enterprise objects to its result; the coordinator explains another's and decides", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    // 2023 is under publication (公示): the enterprise sees its own result only, and objects.
    await signIn(page, "qiye");
    await page.goto(base + "/evaluation?year=2023");
    assert.match(await page.locator("h1").innerText(), /公示中/);
    const mineRows = page.locator("#evaluation tbody tr");
    assert.equal(await mineRows.count(), 1, "only its own result");
    await Promise.all([page.waitForURL(/\/evaluation\/[0-9A-Z]{18}/), mineRows.first().locator("a").click()]);
    const own = page.url().match(/\/evaluation\/([0-9A-Z]{18})/)[1];
    await page.fill("#objection-text", "研发经费少计了一笔,请核实。");
    await Promise.all([page.waitForURL(/run=/), page.click("#object button")]);
    assert.match(await page.locator(".objection").first().innerText(), /待处理[\s\S]*研发经费少计/);
    const mine = page.url();
    await signOut(page);

    // The coordinator: 2022's final results, another enterprise graded C explained.
    await signIn(page, "jfj");
    await page.goto(base + "/evaluation?year=2022");
    assert.match(await page.locator("h1").innerText(), /已定稿/);
    const row = page
      .locator("#evaluation tbody tr", { hasText: /\bC\b/ })
      .filter({ hasNot: page.locator(`a[href*="${own}"]`) })
      .first();
    await Promise.all([page.waitForURL(/\/evaluation\/[0-9A-Z]{18}/), row.locator("a").click()]);
    assert.match(await page.locator("#result").innerText(), /C类\(规范转型\)[\s\S]*第 \d+ \/ \d+ 名/);
    const lines = await page.locator("#lines tbody tr").allInnerTexts();
    assert.ok(lines.length >= 2, "every indicator of its scale");
    assert.ok(lines.some((l) => /即可升一级/.test(l)), lines.join("\n"));
    assert.match(await page.locator("#history").innerText(), /2021年/);
    const other = page.url().match(/\/evaluation\/([0-9A-Z]{18})/)[1];

    // ... and decides the enterprise's objection.
    await page.goto(mine);
    await page.fill(".objection input[name=decision]", "经核实,研发经费数据无误。");
    await Promise.all([page.waitForURL(/run=/), page.click(".objection button")]);
    assert.match(await page.locator(".objection").first().innerText(), /异议不成立[\s\S]*经核实/);
    await signOut(page);

    // The enterprise may not open another enterprise's result.
    await signIn(page, "qiye");
    const res = await page.request.get(`${base}/api/v1/evaluation/${other}?year=2022`);
    assert.equal(res.status(), 403);
  } finally {
    await browser.close();
  }
});

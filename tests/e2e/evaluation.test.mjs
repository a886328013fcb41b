// The per-mu evaluation in the browser: the coordinator opens the year's results and one
// enterprise's explanation, which says what alone would lift it a class; an enterprise cannot
// open another's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, signOut } from "./browser.mjs";

const base = process.env.BASE_URL;

test("an enterprise's evaluation explained", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    await signIn(page, "jfj");
    await page.goto(base + "/evaluation?year=2022");
    const row = page.locator("#evaluation tbody tr", { hasText: /\bC\b/ }).first();
    await Promise.all([page.waitForURL(/\/evaluation\/[0-9A-Z]{18}/), row.locator("a").click()]);
    assert.match(await page.locator("#result").innerText(), /C类\(规范转型\)[\s\S]*第 \d+ \/ \d+ 名/);
    const lines = await page.locator("#lines tbody tr").allInnerTexts();
    assert.ok(lines.length >= 2, "every indicator of its scale");
    assert.ok(lines.some((l) => /即可升一级/.test(l)), lines.join("\n"));
    const other = page.url().match(/\/evaluation\/([0-9A-Z]{18})/)[1];
    await signOut(page);

    // The demo's enterprise account may not open another enterprise's result.
    await signIn(page, "qiye");
    const res = await page.request.get(`${base}/api/v1/evaluation/${other}?year=2022`);
    assert.equal(res.status(), 403);
  } finally {
    await browser.close();
  }
});

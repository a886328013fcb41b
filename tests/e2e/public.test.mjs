// The public page (/public), as anyone sees it without signing in: the plan's progress in tables
// with status in words, and no WCAG 2.1 AA violation found by axe-core, at desktop and phone
// sizes; every control reachable from the keyboard.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { launch } from "./browser.mjs";

const base = process.env.BASE_URL;
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** The axe-core violations of the page at WCAG 2.1 A and AA, as readable lines. */
async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

test("the public page shows the plan's progress without sign-in, accessibly", async () => {
  const browser = await launch();
  try {
    for (const viewport of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
      // axe-core is injected as a script: the page's CSP (rightly) forbids that, so the test's
      // browser bypasses it.
      const context = await browser.newContext({ viewport, locale: "zh-CN", bypassCSP: true });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      const response = await page.goto(base + "/public");
      assert.equal(response.status(), 200);
      assert.match(await page.locator("h1").innerText(), /数据截至/);
      const industries = page.locator("#public-industries tbody tr");
      assert.ok((await industries.count()) > 3, "a row per industry");
      const total = await page.locator("#public-industries tbody tr", { hasText: "合计" }).first().innerText();
      assert.match(total, /超序时|略滞后|滞后|不予公布/, "the status in words: " + total);
      assert.match(await page.locator("#public-projects").innerText(), /绿灯[\s\S]*黄灯[\s\S]*红灯/);
      // The chart is drawn, described for screen readers, and its figures are in the table beside it.
      await page.locator("#chart-public canvas").first().waitFor();
      assert.match(await page.locator("#chart-public").getAttribute("aria-label"), /\S/);
      assert.deepEqual(errors, []);
      // Nothing here names an enterprise.
      assert.doesNotMatch(await page.locator("main").innerText(), /有限公司/);
      const found = await violations(page);
      assert.deepEqual(found, [], `WCAG 2.1 AA at ${viewport.width}px:\n${found.join("\n")}`);
      // The first Tab reaches the skip link, which takes the reader to the content.
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("href")), "#main");
      if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/public-${viewport.width}.png`, fullPage: true });
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

// The cockpit as a user meets it: open it, change the month, click through a matrix cell to the
// enterprises behind it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch } from "./browser.mjs";

const base = process.env.BASE_URL;

test("cockpit: month picker and drill-down to enterprises", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

    // Signing in: the login page, then back to where the user was going.
    await page.goto(base + "/");
    await page.waitForURL(/\/login/);
    await page.getByLabel("用户名").fill("jfj");
    await page.getByLabel("密码").fill("wrong-password");
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("alert").filter({ hasText: "用户名或密码错误" }).waitFor();
    await page.getByLabel("密码").fill("Ganjiang-2023!");
    await Promise.all([page.waitForURL(base + "/"), page.getByRole("button", { name: "登录" }).click()]);
    await page.getByRole("heading", { name: /驾驶舱/ }).waitFor();
    assert.match(await page.locator("#whoami").innerText(), /经发局统筹员 · 统筹/);
    assert.match(await page.locator(".cutoff").innerText(), /数据截至 2023年12月/);
    // Charts are drawn (ECharts puts a canvas in each box).
    await page.locator("#chart-attainment canvas").first().waitFor();
    await page.locator("#chart-trend canvas").first().waitFor();
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/cockpit.png", fullPage: true });

    // The page itself does not scroll sideways at 1366 wide.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page scrolls horizontally by ${overflow}px`);

    // Change the month: the page reloads for 2022年6月.
    await Promise.all([page.waitForURL(/month=2022-06/), page.selectOption("#month", "2022-06")]);
    assert.match(await page.locator(".cutoff").innerText(), /数据截至 2022年6月/);
    const lights = await page.locator("#matrix td.cell .light").allInnerTexts();
    assert.ok(lights.includes("超序时") && lights.includes("滞后"), "the demo shows cells ahead and behind: " + lights.join(","));

    // Click the optoelectronics × 经开组团 cell.
    const row = page.locator("#matrix tbody tr", { hasText: "光电信息" });
    const cell = row.locator("td").nth(1);
    const ytdInCell = (await cell.locator(".num").innerText()).trim();
    await Promise.all([page.waitForURL(/\/drill\?/), cell.locator("a").click()]);
    await page.getByRole("heading", { name: /光电信息 · 经开组团/ }).waitFor();
    const count = await page.locator("#drill-list tbody tr").count();
    assert.ok(count > 0, "enterprises are listed behind the cell");
    // The cell's 累计 in 亿元 equals the drill-down's 累计 in 万元.
    const ytdWan = await page.locator("#cell-summary div", { hasText: "累计(万元)" }).locator("dd").innerText();
    const asYi = (Number(ytdWan.replace(/,/g, "")) / 10000).toFixed(2);
    assert.equal(asYi, ytdInCell.replace(/,/g, ""));
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/drill.png", fullPage: true });

    // And on to one enterprise's months.
    await Promise.all([page.waitForURL(/\/enterprises\//), page.locator("#drill-list tbody tr a").first().click()]);
    await page.getByRole("heading", { name: "月度数据" }).waitFor();
    // Signing out ends the session: the cockpit asks for a login again.
    await Promise.all([page.waitForURL(/\/login/), page.getByRole("button", { name: "退出" }).click()]);
    await page.goto(base + "/");
    await page.waitForURL(/\/login/);
    assert.deepEqual(errors.filter((e) => !e.includes("401")), []);
  } finally {
    await browser.close();
  }
});

test("cockpit on a phone: one column, the menu behind a button, every figure reachable", async () => {
  const browser = await launch();
  try {
    const signIn = async (page) => {
      await page.goto(base + "/login");
      await page.getByLabel("用户名").fill("leader");
      await page.getByLabel("密码").fill("Ganjiang-2023!");
      await Promise.all([page.waitForURL(base + "/"), page.getByRole("button", { name: "登录" }).click()]);
      await page.locator("#chart-trend canvas").first().waitFor();
    };
    // What the desktop shows, to compare.
    const desk = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    await signIn(desk);
    const deskCells = await desk.locator("#matrix td").allInnerTexts();
    const deskKpis = await desk.locator(".kpis tbody tr").count();
    assert.equal(await desk.locator(".menu-toggle").isVisible(), false, "no menu button on a desktop");

    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "zh-CN", isMobile: true, hasTouch: true });
    await signIn(page);
    if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + "/cockpit-phone.png", fullPage: true });
    // Nothing runs off the side of the page.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page scrolls horizontally by ${overflow}px`);
    // The menu is behind its button.
    const menu = page.locator("#menu");
    assert.equal(await menu.isVisible(), false);
    await page.getByRole("button", { name: "菜单" }).click();
    assert.equal(await menu.isVisible(), true);
    assert.equal(await page.getByRole("button", { name: "菜单" }).getAttribute("aria-expanded"), "true");
    await page.getByRole("button", { name: "菜单" }).click();
    // Charts take the width, one under the other.
    const [a, t] = [await page.locator("#chart-attainment").boundingBox(), await page.locator("#chart-trend").boundingBox()];
    assert.ok(a.width >= 340 && t.width >= 340, `charts ${a.width} and ${t.width} wide`);
    assert.ok(t.y >= a.y + a.height, "the trend chart is under the attainment chart");
    // Every figure of the matrix is there, and its last column can be scrolled into view
    // inside the table's own box.
    assert.deepEqual(await page.locator("#matrix td").allInnerTexts(), deskCells);
    const last = page.locator("#matrix tbody tr").first().locator("td").last();
    await last.scrollIntoViewIfNeeded();
    const box = await last.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390 + 1, `the last column reaches ${box.x + box.width}`);
    // Every target is a readable card, no wider than the screen.
    assert.equal(await page.locator(".kpis tbody tr").count(), deskKpis);
    const card = await page.locator(".kpis tbody tr").first().boundingBox();
    assert.ok(card.width <= 390 && card.height < 400, `a target card is ${card.width}×${card.height}`);
  } finally {
    await browser.close();
  }
});

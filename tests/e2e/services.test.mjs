// Enterprise services in the browser: the demo enterprise orders a service with an attachment
// and gets its number at once; the 行政审批局 is told in its inbox and finds it in its queue,
// opens the file, accepts, answers and resolves it; the enterprise sees the answer and rates it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launch, signIn, signOut } from "./browser.mjs";

const base = process.env.BASE_URL;

// A one-page PDF, enough for the content check the server makes.
const pdf = Buffer.from(
  "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
);

test("an enterprise orders with a file; the department accepts, answers, resolves; the enterprise rates", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    await signIn(page, "qiye");
    await page.goto(base + "/services");
    await Promise.all([page.waitForURL(/\/services\/project-approval$/), page.locator("#item-project-approval a").click()]);
    await page.getByLabel("项目名称").fill("三期厂房");
    await page.getByLabel("审批事项").selectOption("施工许可");
    await page.getByLabel("总投资(万元)").fill("15000");
    await page.getByLabel("附件").setInputFiles({ name: "施工图审查意见.pdf", mimeType: "application/pdf", buffer: pdf });
    await Promise.all([page.waitForURL(/\/tickets\/GJ\d{8}-\d{4}\?saved=ordered/), page.click("#order button")]);
    const number = page.url().match(/\/tickets\/(GJ\d{8}-\d{4})/)[1];
    assert.equal(await page.locator("#ticket-state").innerText(), "已点单");
    assert.match(await page.locator("#answers").innerText(), /三期厂房[\s\S]*施工许可[\s\S]*15000/);
    await signOut(page);

    // The 行政审批局 is told in its inbox (the title bar counts it) and has it in its queue;
    // the message leads to the ticket, whose file downloads as the PDF it is.
    await signIn(page, "dept-approval");
    assert.match(await page.locator("#inbox-link .badge").innerText(), /^\d+$/);
    await page.goto(base + "/tickets?state=ordered");
    const row = page.locator("#tickets tr", { hasText: number });
    assert.match(await row.innerText(), /已点单[\s\S]*已等待/);
    await page.click("#inbox-link");
    const message = page.locator("#messages li", { hasText: number });
    assert.match(await message.innerText(), /新工单[\s\S]*项目审批代办/);
    await Promise.all([page.waitForURL(new RegExp(`/tickets/${number}$`)), message.locator("button").click()]);
    const href = await page.locator("#files a").getAttribute("href");
    const file = await page.request.get(base + href);
    assert.equal(file.status(), 200);
    assert.equal(file.headers()["content-type"], "application/pdf");
    assert.match(file.headers()["content-disposition"], /^attachment/);
    await Promise.all([page.waitForURL(/saved=accept/), page.click("#step-accept button")]);
    assert.equal(await page.locator("#ticket-state").innerText(), "已受理");
    await page.fill("#step-reply textarea", "材料齐全,已进入联合审查。");
    await Promise.all([page.waitForURL(/saved=reply/), page.click("#step-reply button")]);
    await page.fill("#step-resolve textarea", "施工许可证已核发,请到政务服务中心领取。");
    await Promise.all([page.waitForURL(/saved=resolve/), page.click("#step-resolve button")]);
    assert.equal(await page.locator("#ticket-state").innerText(), "已办结");
    await signOut(page);

    // The enterprise reads the answer and rates it.
    await signIn(page, "qiye");
    await page.goto(`${base}/tickets/${number}`);
    assert.match(await page.locator("#history").innerText(), /联合审查[\s\S]*施工许可证已核发/);
    await page.locator("#step-rate input[value='5']").check();
    await page.fill("#step-rate textarea", "办理很快。");
    await Promise.all([page.waitForURL(/saved=rate/), page.click("#step-rate button")]);
    assert.equal(await page.locator("#ticket-state").innerText(), "已评价");
    assert.match(await page.locator("#history").innerText(), /评价[\s\S]*5分/);
    if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/ticket.png`, fullPage: true });
  } finally {
    await browser.close();
  }
});

// Debian's Chromium, started the way this machine's closed network needs (no background traffic).
import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

const PASSWORD = "Ganjiang-2023!";

/** Signs in through the login page (of BASE_URL) as a demo account and waits to leave it. */
export async function signIn(page, login) {
  await page.goto(process.env.BASE_URL + "/login");
  await page.getByLabel("用户名").fill(login);
  await page.getByLabel("密码").fill(PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: "登录" }).click()]);
}

export async function signOut(page) {
  await Promise.all([page.waitForURL(/\/login/), page.getByRole("button", { name: "退出" }).click()]);
}

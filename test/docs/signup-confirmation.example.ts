import type { Page } from 'playwright-core';
import type { MailpitClient } from 'mailpit-api';

/** Signs up through the app's form, then follows the link of the confirmation email. */
export async function signUpAndConfirm(page: Page, mailpit: MailpitClient, email: string): Promise<string> {
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign up' }).click();
  const message = await mailpit.waitForMessage({ query: `to:${email} subject:"Confirm your account"` }, { timeout: 10_000, interval: 200 });
  const link = /https?:\/\/\S+/.exec(message.Text)?.[0];
  if (!link) throw new Error(`no link in the confirmation email ${message.ID}`);
  await page.goto(link);
  return message.ID;
}

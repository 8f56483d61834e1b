/**
 * Small helpers over playwright's auto-waiting locators, so tests read as what a person does. Nothing
 * here sleeps: every wait is a locator wait or `expect.poll`.
 */
import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'

export const WAIT = { timeout: 15_000 }

/** Opens a view from the sidebar and waits until it is shown. */
export async function openView(page: Page, view: 'system' | 'nodes' | 'workflows' | 'storage' | 'explorer' | 'settings'): Promise<void> {
  await page.locator(`.nav-item[data-view="${view}"]`).click()
  await page.locator(`main.content[data-view="${view}"]`).waitFor(WAIT)
}

/** Waits for the app shell (the bridge is connected and the catalog loaded). */
export async function appReady(page: Page): Promise<void> {
  await page.locator('.nav-item[data-view="system"]').waitFor(WAIT)
  await page.locator('[data-testid="health"]').waitFor(WAIT)
}

/** Polls a locator's text until it matches. */
export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? ''
}

export function pollText(page: Page, selector: string) {
  return expect.poll(() => page.locator(selector).first().textContent(WAIT), WAIT)
}

export function pollCount(page: Page, selector: string) {
  return expect.poll(() => page.locator(selector).count(), WAIT)
}

export function pollAttribute(page: Page, selector: string, name: string) {
  return expect.poll(() => page.locator(selector).first().getAttribute(name, WAIT), WAIT)
}

/** A generated form's input by its field label (required fields carry a `*`, free JSON ones a `JSON` tag). */
export function field(form: Locator, label: string): Locator {
  return form.getByLabel(labelPattern(label))
}

function labelPattern(label: string): RegExp {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^${escaped}\\s*\\*?\\s*(JSON)?$`)
}

/** The `.control` wrapper of a generated form's field (label, input, error line). */
export function control(form: Locator, label: string): Locator {
  // An inner `has` locator is matched inside each candidate, so it must not be rooted at `form`.
  return form.locator('.control', { has: form.page().getByLabel(labelPattern(label)) })
}

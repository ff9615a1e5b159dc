// Reading what the page shows, as a script should: numbers from the attributes the app puts beside them
// (data-value, aria-valuenow) rather than from formatted text, and a term's value in a definition list.
import type { Locator } from '@playwright/test';

/** The number in an element's data-value (NaN when it has none). */
export async function dataValue(element: Locator): Promise<number> {
  return Number((await element.getAttribute('data-value')) ?? Number.NaN);
}

/** A progress bar's current value. */
export async function valueNow(progressbar: Locator): Promise<number> {
  return Number((await progressbar.getAttribute('aria-valuenow')) ?? Number.NaN);
}

/** The value (<dd>) a definition list gives for `term` (the <dt> text), wrapped in a <div> or not. */
export function definition(list: Locator, term: string): Locator {
  return list.locator(`xpath=.//dt[normalize-space(.)="${term}"]/following-sibling::dd[1]`);
}

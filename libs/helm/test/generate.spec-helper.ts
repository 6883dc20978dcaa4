// Produces the fixture of expected results with the real helm binary (shared by the generator script and the
// integration test that checks the committed fixture is still what helm prints).
import { HELM_VERSION, installHelm } from '@flux-ts/testbed';
import type { ExpectedFile, TemplateCase } from './cases.spec-helper.ts';
import { renderWithHelm } from './helm-oracle.spec-helper.ts';

/** Installs helm and renders every case with it. */
export async function generateExpected(cases: readonly TemplateCase[]): Promise<ExpectedFile> {
  const helm = await installHelm();
  return { helm: HELM_VERSION, cases: await renderWithHelm(helm, cases) };
}

/** The fixture file's exact text. */
export function fixtureText(file: ExpectedFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

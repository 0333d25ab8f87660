// Every rendered document is parsed back before it is packed: a template that yields broken YAML or
// XML is an error naming the template, not a guest that silently ignores its seed.
import { XMLValidator } from 'fast-xml-parser';
import { parseDocument } from 'yaml';
import { CloudseedError } from '../errors.js';

/** Parses YAML as cloud-init's PyYAML would (YAML 1.1) and returns the top-level mapping. */
export function parseRenderedYaml(text: string, templateFile: string): Record<string, unknown> {
  const document = parseDocument(text, { version: '1.1', uniqueKeys: true });
  const problem = document.errors[0]?.message;
  const value: unknown = problem === undefined ? document.toJS() : undefined;
  if (problem !== undefined || typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CloudseedError('TEMPLATE_INVALID', `template ${templateFile} rendered a document that is not a YAML mapping`, {
      hint: problem ?? 'the document must be a mapping of keys to values',
    });
  }
  return value as Record<string, unknown>;
}

export function checkRenderedXml(text: string, templateFile: string): void {
  const result = XMLValidator.validate(text);
  if (result !== true) {
    const { msg, line, col } = result.err;
    throw new CloudseedError('TEMPLATE_INVALID', `template ${templateFile} rendered XML that does not parse`, {
      hint: `line ${line}, column ${col}: ${msg}`,
    });
  }
}

export function checkCloudConfig(text: string, templateFile: string): void {
  if (!text.startsWith('#cloud-config\n')) {
    throw new CloudseedError('TEMPLATE_INVALID', `template ${templateFile} must start with the line "#cloud-config"`);
  }
  parseRenderedYaml(text, templateFile);
}

// render/: the documents of each VM, from templates/ (or a spec's own template folder).
export { checkDomainValues } from './check-document.js';
export { renderCloudInit, renderDomainXml, renderFleet, renderVm, deriveInstanceId, type CloudInitDocuments, type SeedDocuments } from './render-vm.js';
export { builtinTemplatesDir, forgetCompiledTemplates, templateSetHash } from './template-store.js';
export { yamlValue, xmlValue, shellValue } from './template-helpers.js';

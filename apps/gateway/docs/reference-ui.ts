/**
 * The API reference at /docs: Swagger UI from the `swagger-ui-dist` package, served by the gateway
 * itself (no CDN, works offline). Without JavaScript the page still lists every operation.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OpenApiDocument } from './openapi';

export interface Asset {
  contentType: string;
  body: Buffer;
}

// URLs are relative to /docs so the page also works behind a path prefix. BaseLayout has no top
// bar (whose URL box could load other documents); validatorUrl null keeps it from calling out.
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'docs/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const PACKAGE_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** The UI's files, read from the package on first use and kept (about 2 MB). */
export class ReferenceAssets {
  private readonly cache = new Map<string, Asset>();

  get(file: string): Asset | undefined {
    const cached = this.cache.get(file);
    if (cached) return cached;
    let asset: Asset | undefined;
    if (file === 'initializer.js') asset = { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(INITIALIZER) };
    else if (Object.hasOwn(PACKAGE_FILES, file)) asset = { contentType: PACKAGE_FILES[file], body: readFileSync(join(packageDirectory(), file)) };
    if (asset) this.cache.set(file, asset);
    return asset;
  }
}

function packageDirectory(): string {
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function referencePage(document: OpenApiDocument): string {
  const rows = Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.entries(operations).map(
        ([method, operation]) => `<tr><td>${method.toUpperCase()}</td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(String(operation.summary))}</td></tr>`,
      ),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(document.info.title)} API reference</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
<style>body{margin:0}noscript{display:block;font:15px system-ui;margin:2rem}noscript td{padding:.2rem .6rem;border-bottom:1px solid #ddd}</style>
</head>
<body>
<div id="swagger-ui"></div>
<noscript>
<h1>${escapeHtml(document.info.title)} API</h1>
<p>OpenAPI 3.1: <a href="docs/openapi.json">/docs/openapi.json</a></p>
<table>
${rows}
</table>
</noscript>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/initializer.js"></script>
</body>
</html>
`;
}

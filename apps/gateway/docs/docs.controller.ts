import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import type { FastifyReply } from 'fastify';
import { GATEWAY_CONFIG } from '../infra.module';
import { openApiDocument } from './openapi';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

@Controller('docs')
export class DocsController {
  private readonly document: ReturnType<typeof openApiDocument>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.document = openApiDocument(config.publicUrl);
  }

  @Get('openapi.json')
  json() {
    return this.document;
  }

  /** Browsers get a readable list of the endpoints; tools get the OpenAPI JSON. */
  @Get()
  docs(@Headers('accept') accept: string | undefined, @Res() reply: FastifyReply) {
    if (!accept?.includes('text/html')) return reply.send(this.document);
    const rows = Object.entries(this.document.paths)
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(
          ([method, op]) => `<tr><td>${method.toUpperCase()}</td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary)}</td></tr>`,
        ),
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>roomkey API</title>
<style>body{font:15px system-ui;margin:2rem}td{padding:.2rem .6rem;border-bottom:1px solid #ddd}</style></head>
<body><h1>roomkey API</h1><p>OpenAPI 3.1: <a href="/docs/openapi.json">/docs/openapi.json</a></p><table>${rows}</table></body></html>`);
  }
}

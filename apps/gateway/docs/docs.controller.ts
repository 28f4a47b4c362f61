import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import type { GatewayConfig } from '@roomkey/config';
import { NotFoundError } from '@roomkey/errors';
import type { FastifyReply } from 'fastify';
import { GATEWAY_CONFIG } from '../infra.module';
import { openApiDocument, type OpenApiDocument } from './openapi';
import { ReferenceAssets, referencePage } from './reference-ui';

@Controller('docs')
export class DocsController {
  private readonly document: OpenApiDocument;
  private readonly page: string;
  private readonly assets = new ReferenceAssets();

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.document = openApiDocument(config.publicUrl);
    this.page = referencePage(this.document);
  }

  @Get('openapi.json')
  json() {
    return this.document;
  }

  /** Browsers get the reference UI; tools get the OpenAPI JSON. */
  @Get()
  docs(@Headers('accept') accept: string | undefined, @Res() reply: FastifyReply) {
    if (!accept?.includes('text/html')) return reply.send(this.document);
    return reply.type('text/html; charset=utf-8').send(this.page);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply) {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundError(`No file '${file}' in the API reference`);
    return reply.type(asset.contentType).header('cache-control', 'public, max-age=3600').send(asset.body);
  }
}

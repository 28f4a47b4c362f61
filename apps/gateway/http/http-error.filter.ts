import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendHttpError } from './http-errors';

/** Every error a route throws (and every routing or body-parsing error) leaves through `toHttpError`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendHttpError(http.getResponse<FastifyReply>(), exception, http.getRequest<FastifyRequest>());
  }
}

/**
 * Lets NestJS's NATS transport speak the contract's plain JSON (§5): requests need no NestJS
 * envelope and replies are `{ok: true, ...result}` or `{ok: false, error, message}`.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { namespaceOf, natsConnectOptions, type NatsSettings } from './connection';
import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import type { ConsumerDeserializer, CustomStrategy, IncomingEvent, IncomingRequest, NatsOptions, Serializer, WritePacket } from '@nestjs/microservices';
import { NatsContext, ServerNats } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { MAX_JSON_DEPTH, MalformedJsonBody, jsonNestingExceeds, type Namespace, type ServiceName } from '@roomkey/contracts';
import { logFailure, toWireError, type WireError } from '@roomkey/errors';
import { throwError, type Observable } from 'rxjs';
import { recordFailure, TRACEPARENT_HEADER, TRACESTATE_HEADER, type TraceSpan, type Tracing } from './tracing';
import {
  ACTOR_HEADER,
  attachRequestContext,
  isAcceptableActor,
  isAcceptableRequestId,
  REQUEST_ID_HEADER,
  TIMEOUT_HEADER,
  deadlineOf,
  requestContextOf,
  requestContextOfHost,
  type RequestContext,
} from './request-context';

let requestCounter = 0;
const decoder = new TextDecoder();

export class PlainJsonDeserializer implements ConsumerDeserializer {
  deserialize(message: Msg, options?: { channel?: string; replyTo?: string }): IncomingRequest {
    let data: unknown = {};
    if (message.data.length > 0) {
      // Nesting is measured before JSON.parse builds anything (contract §4).
      const text = decoder.decode(message.data);
      if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) data = new MalformedJsonBody(`nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
      else {
        try {
          data = JSON.parse(text);
        } catch {
          data = new MalformedJsonBody();
        }
      }
    }
    // Nest treats a packet without id as a fire-and-forget event; a NATS reply subject means "request".
    const id = message.reply ? String(++requestCounter) : undefined;
    return { id: id as string, pattern: options?.channel ?? message.subject, data };
  }
}

interface OutgoingPacket {
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

const encoder = new TextEncoder();

export class PlainJsonSerializer implements Serializer<OutgoingPacket, { data: Uint8Array }> {
  serialize(packet: OutgoingPacket): { data: Uint8Array } {
    let body: object;
    if (packet.err !== undefined) {
      body = isWire(packet.err) ? packet.err : toWireError(packet.err);
    } else {
      const result = packet.response;
      body = { ok: true, ...(typeof result === 'object' && result !== null ? result : {}) };
    }
    return { data: encoder.encode(JSON.stringify(body)) };
  }
}

function isWire(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && (value as WireError).ok === false && typeof (value as WireError).error === 'string';
}

/**
 * Every thrown error, typed or not, leaves the service through the one wire mapping, after being
 * logged once (unexpected ones with their stack, the subject and the request id; never on the wire).
 */
@Catch()
export class WireErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const error = logFailure(exception, subjectOf(host), requestContextOfHost(host));
    return throwError(() => toWireError(error));
  }
}

function subjectOf(host: ArgumentsHost): string {
  const context = host.switchToRpc().getContext<NatsContext | undefined>();
  return typeof context?.getSubject === 'function' ? context.getSubject() : 'unknown subject';
}

/** The incoming message's request id (a caller's unacceptable id is ignored). */
function requestIdOf(message: Msg): string | undefined {
  const requestId = message.headers?.get(REQUEST_ID_HEADER);
  return isAcceptableRequestId(requestId) ? requestId : undefined;
}

/** When the caller stops waiting, from its `Roomkey-Timeout-Ms` header. */
function deadlineFrom(message: Msg): number | undefined {
  return deadlineOf(message.headers?.get(TIMEOUT_HEADER) || undefined, Date.now());
}

function actorOf(message: Msg): string | undefined {
  const actor = message.headers?.get(ACTOR_HEADER);
  return isAcceptableActor(actor) ? actor : undefined;
}

/** The longest a stopping replica waits for the requests it holds. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Nest's NATS server less one cost on every message: to support object patterns, Nest tries
 * `JSON.parse(subject)` for each incoming message and builds a SyntaxError when it fails (about 4 %
 * of the issuer's CPU under load, `npm run bench -- --profile`). roomkey's patterns are subjects.
 */
export class SubjectPatternNatsServer extends ServerNats {
  constructor(
    options: Required<NatsOptions>['options'],
    private readonly namespace: Namespace,
    private readonly service: ServiceName,
    /** Undefined (tracing off): messages are handled exactly as without tracing. */
    private readonly tracing?: Tracing,
  ) {
    super(options);
    this.internalSubjects = `${namespace.name}.internal.`;
  }

  private readonly internalSubjects: string;
  private readonly namespacedSubscriptions: Subscription[] = [];

  /**
   * Nest's handling of a message (deserialize, find the handler, reply), with the message's request
   * context attached to the NATS context its handler receives (`@InRequest()`): the `X-Request-Id`
   * header, this service, the `Roomkey-Actor` header — believed on internal subjects only, where
   * only the services role may publish — and, with tracing on, a server span named by the subject,
   * child of the message's W3C `traceparent` (a new trace without one), ended once answered.
   */
  override handleMessage(channel: string, message: Msg): Promise<unknown> {
    const requestId = requestIdOf(message);
    const deadline = deadlineFrom(message);
    const actor = message.subject.startsWith(this.internalSubjects) ? actorOf(message) : undefined;
    const span = this.tracing?.startSpan(message.subject, 'server', traceHeadersOf(message), {
      'messaging.system': 'nats',
      'messaging.operation.type': 'process',
      'messaging.destination.name': message.subject,
    });
    const context: RequestContext = {
      service: this.service,
      ...(requestId === undefined ? {} : { requestId }),
      ...(actor === undefined ? {} : { actor }),
      ...(span === undefined ? {} : { span }),
      ...(deadline === undefined ? {} : { deadline }),
    };
    const handled = this.handleInContext(channel, message, context);
    return span === undefined ? handled : handled.finally(() => span.end());
  }

  /** As Nest's `ServerNats.handleMessage`, but the handler's NATS context carries `request`. */
  private async handleInContext(channel: string, message: Msg, request: RequestContext): Promise<unknown> {
    const context = new NatsContext([message.subject, message.headers]);
    attachRequestContext(context, request);
    // PlainJsonDeserializer: no id for a message without a reply subject (an event).
    const packet = (await this.deserializer.deserialize(message, { channel, replyTo: message.reply })) as Partial<IncomingRequest> & IncomingEvent;
    if (packet.id === undefined) return this.handleEvent(channel, packet, context);
    const publish = this.getPublisher(message, packet.id, context) as (packet: WritePacket) => void;
    const handler = this.getHandlerByPattern(channel);
    if (!handler) return publish({ id: packet.id, status: 'error', err: NO_MESSAGE_HANDLER } as WritePacket);
    return this.handleRequest(context, async () => this.transformToObservable(await handler(packet.data, context)), publish);
  }

  protected override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') || pattern.startsWith('[') ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }

  /**
   * Handlers are declared with the default subjects (`@MessagePattern(Route.subject)`); on the wire
   * each is the deployment's namespaced subject, in the namespace's queue group for this service.
   */
  override bindEvents(client: NatsConnection): void {
    for (const pattern of this.messageHandlers.keys()) {
      const subscription = client.subscribe(this.namespace.subject(pattern), {
        queue: this.namespace.queueGroup(this.service),
        callback: this.getMessageHandler(pattern).bind(this),
      });
      this.namespacedSubscriptions.push(subscription);
    }
  }

  /** Requests taken and not answered yet; a stopping replica answers them before it closes. */
  private inFlight = 0;
  private onDrained?: () => void;

  override getPublisher(message: Msg, id: string, context: NatsContext): (response: unknown) => unknown {
    const publish = super.getPublisher(message, id, context);
    if (!message.reply) return publish;
    this.inFlight++;
    let answered = false;
    const span = requestContextOf(context).span;
    return (response) => {
      if (!answered) {
        answered = true;
        if (--this.inFlight === 0) this.onDrained?.();
      }
      if (span !== undefined) recordReply(span, response);
      return publish(response);
    };
  }

  /**
   * Graceful shutdown (SIGTERM): stop taking requests (other replicas get them), answer every
   * request already taken, then let Nest close the connection.
   */
  override async close(): Promise<void> {
    for (const subscription of this.namespacedSubscriptions.splice(0)) subscription.unsubscribe();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.onDrained = resolve;
        setTimeout(resolve, DRAIN_TIMEOUT_MS).unref();
      });
    }
    await super.close();
  }
}

/** W3C Trace Context of an incoming message (NATS headers; none: undefined). */
function traceHeadersOf(message: Msg): { traceparent?: string; tracestate?: string } | undefined {
  const traceparent = message.headers?.get(TRACEPARENT_HEADER);
  if (!traceparent) return undefined;
  return { traceparent, tracestate: message.headers?.get(TRACESTATE_HEADER) || undefined };
}

/** A handler span learns how its request ended (the wire error code; a server fault marks it failed). */
function recordReply(span: TraceSpan, response: unknown): void {
  const error = (response as OutgoingPacket | undefined)?.err;
  if (error !== undefined) recordFailure(span, isWire(error) ? error.error : 'internal_error');
}

/** NestJS microservice options for a roomkey service: plain JSON, one queue group per service. */
export function natsServerOptions(settings: NatsSettings, service: ServiceName, tracing?: Tracing): CustomStrategy {
  const options = {
    ...natsConnectOptions(settings, `roomkey-${service}`),
    serializer: new PlainJsonSerializer(),
    deserializer: new PlainJsonDeserializer(),
    gracefulShutdown: true,
    gracePeriod: 500,
  } as Required<NatsOptions>['options'];
  return { strategy: new SubjectPatternNatsServer(options, namespaceOf(settings), service, tracing) };
}

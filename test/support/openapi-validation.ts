import addFormats from 'ajv-formats';
import OpenAPIBackend, { Operation } from 'openapi-backend';
import type { Response } from 'supertest';

/**
 * Routes the API document leaves out on purpose; a response from any other route it does not
 * document fails the request that received it.
 */
export const UNDOCUMENTED_ROUTES: { pattern: RegExp; reason: string }[] = [
  { pattern: /^\/i\//, reason: "the hosted page: HTML, its status poll and event stream for the customer's browser, not the merchant API" },
  { pattern: /^\/$/, reason: 'the landing page (HTML) naming the server and linking the docs' },
  { pattern: /^\/docs(\/|$|-json)/, reason: 'the document and Swagger UI themselves' },
  { pattern: /^\/metrics$/, reason: 'Prometheus text format for the scraper' },
  { pattern: /^\/modal\//, reason: "BTCPay's modal script (JavaScript)" },
  { pattern: /^\/plugins\//, reason: 'platform webhooks and pay links (Shopify, WooCommerce), called by those platforms with their own signatures' },
  { pattern: /^\/invoices\//, reason: "BTCPay's hosted-invoice URL: a redirect to /i/:id" },
];

/** What the e2e suites of this process validated, for the coverage test. */
export const validated = new Map<string, Set<number>>();
/** Undocumented routes reached, with the reason they are allowed. */
export const undocumentedReached = new Map<string, string>();

type Document = ConstructorParameters<typeof OpenAPIBackend>[0]['definition'];
type Responses = Record<string, { content?: Record<string, { schema?: unknown }> }>;

const mediaType = (header: string | undefined) => (header ?? '').split(';')[0].trim().toLowerCase();

/**
 * A schema with `properties` and no word on others allows any other field (JSON Schema's default),
 * so an answer with an undocumented field, or a misspelled one beside the documented optional one,
 * would pass. The validator's copy closes them: a field the server sends must be documented.
 * Schemas that say `additionalProperties` (metadata, Greenfield's BTCPay shapes, which BTCPay
 * extends) keep what they say; the inline members of an `allOf` stay open, since each member sees
 * only its own properties.
 */
export function closeObjects(node: unknown, inAllOf = false): void {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item, inAllOf);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (schema.properties && typeof schema.properties === 'object' && !('additionalProperties' in schema) && !inAllOf) {
    schema.additionalProperties = false;
  }
  for (const [key, child] of Object.entries(schema)) closeObjects(child, key === 'allOf');
}

/**
 * Validates real responses against the served OpenAPI document with openapi-backend (ajv). It
 * only compiles `application/json` response schemas, so the copy it gets names each documented
 * media type's schema `application/json`; the media type itself is checked here, against the
 * document as served.
 */
export class OpenApiResponseValidator {
  private constructor(
    private readonly backend: OpenAPIBackend,
    /** `operationId status` -> the media types the served document names. */
    private readonly mediaTypes: Map<string, string[]>,
  ) {}

  static async create(document: Document): Promise<OpenApiResponseValidator> {
    const copy = structuredClone(document) as { paths: Record<string, Record<string, { operationId?: string; responses?: Responses }>> };
    const mediaTypes = new Map<string, string[]>();
    for (const item of Object.values(copy.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op?.responses ?? {})) {
          const entries = Object.entries(response.content ?? {});
          mediaTypes.set(
            `${op.operationId} ${status}`,
            entries.map(([type]) => type),
          );
          if (entries.length === 1) response.content = { 'application/json': entries[0][1] };
        }
      }
    }
    closeObjects(copy);
    // quick: validators compiled on first use, per operation (compiling all of them up front took
    // seconds per app on a busy machine); the document's own validity is checked in openapi.test.ts.
    const backend = new OpenAPIBackend({
      definition: copy as Document,
      strict: true,
      quick: true,
      validate: true,
      ajvOpts: { strict: false },
      // date-time, uri, ...: without them ajv ignores `format` (and warns).
      customizeAjv: (ajv) => {
        addFormats(ajv);
        return ajv;
      },
    });
    await backend.init();
    return new OpenApiResponseValidator(backend, mediaTypes);
  }

  /** Every documented operation id. */
  operationIds(): string[] {
    return this.backend.getOperations().map((op) => op.operationId!);
  }

  operation(method: string, path: string): Operation | undefined {
    return this.backend.matchOperation({ method, path, headers: {} });
  }

  /** Problems with this response, or [] when it is what the document says. */
  check(method: string, url: string, res: Response): string[] {
    const path = new URL(url, 'http://x').pathname;
    const op = this.operation(method, path);
    const where = `${method.toUpperCase()} ${path} -> ${res.status}`;
    if (!op) {
      const allowed = UNDOCUMENTED_ROUTES.find((r) => r.pattern.test(path));
      if (allowed) {
        undocumentedReached.set(`${method.toUpperCase()} ${path.replace(/\/[A-Za-z0-9_-]{16,}/g, '/:id')}`, allowed.reason);
        return [];
      }
      // No route at all: Nest's own 404 (nothing to document). Any other answer is an undocumented route.
      if (res.status === 404 && (res.body as { code?: string })?.code === 'not_found') return [];
      return [`${where}: the route is not in the OpenAPI document`];
    }
    const responses = (op.responses ?? {}) as Responses;
    const documented = responses[String(res.status)];
    if (!documented) return [`${where}: ${op.operationId} does not document status ${res.status} (documents ${Object.keys(responses).join(', ')})`];
    const types = this.mediaTypes.get(`${op.operationId} ${res.status}`) ?? [];
    const got = mediaType(res.headers['content-type']);
    if (types.length === 0) {
      if (res.text) return [`${where}: documented without a body, answered ${got} ${res.text.slice(0, 200)}`];
    } else {
      if (!types.includes(got)) return [`${where}: answered ${got || 'no content type'}, documented ${types.join(', ')}`];
      const result = this.backend.validateResponse(res.body, op, res.status);
      if (!result.valid) {
        return [`${where} (${op.operationId}) does not match the document: ${JSON.stringify(result.errors)} body: ${JSON.stringify(res.body).slice(0, 600)}`];
      }
    }
    const statuses = validated.get(op.operationId!) ?? new Set<number>();
    statuses.add(res.status);
    validated.set(op.operationId!, statuses);
    return [];
  }
}

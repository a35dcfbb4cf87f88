// Request and response shapes of the admin MCP server API (ours; documented in README).
import { z } from "zod";

export const mcpServerId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "lower-case letters, digits, '_', '.', '-' (at most 64)");

// The transport sets these itself; a configured value would break the protocol.
const RESERVED_HEADERS = new Set(["accept", "content-type", "content-length", "host", "mcp-session-id", "mcp-protocol-version", "transfer-encoding", "connection"]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const headerValue = z.string().max(8192).regex(/^[^\r\n\0]*$/, "must not contain line breaks");

export const putMcpServerBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2048).describe("The server's Streamable HTTP endpoint"),
  headers: z
    .record(z.string(), headerValue)
    .superRefine((headers, ctx) => {
      // Checked here rather than as the record's key schema, so the message names the header.
      for (const name of Object.keys(headers)) {
        if (!HEADER_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "not a valid HTTP header name" });
        else if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path: [name], message: "is set by the MCP transport" });
      }
    })
    .refine((headers) => Object.keys(headers).length <= 32, "at most 32 headers")
    .nullable()
    .optional()
    .describe("Sent with every request (e.g. Authorization); stored encrypted, never returned"),
  name: z.string().trim().min(1).max(255).nullable().optional(),
});

export const mcpServerView = z.strictObject({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  has_headers: z.boolean(),
  tools_cached_at: z.number().int().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export const mcpServerList = z.strictObject({ data: z.array(mcpServerView) });

export const mcpToolView = z.strictObject({
  name: z.string(),
  title: z.string().nullable(),
  description: z.string(),
  input_schema: z.record(z.string(), z.unknown()),
  output_schema: z.record(z.string(), z.unknown()).nullable(),
});
export const mcpToolList = z.strictObject({ data: z.array(mcpToolView), cached_at: z.number().int() });

export const putAppMcpServerBody = z.strictObject({
  tools: z.array(z.string().min(1).max(255)).max(1000).nullable().optional().describe("Tool names the app may use; null or absent: all"),
});

export const appMcpServerView = z.strictObject({ app_id: z.string(), server_id: z.string(), tools: z.array(z.string()).nullable() });
export const appMcpServerList = z.strictObject({ data: z.array(appMcpServerView) });

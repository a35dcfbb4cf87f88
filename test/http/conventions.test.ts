import { describe, expect, it } from "vitest";
import { call, expectError } from "../helpers/api";

describe("HTTP conventions", () => {
  it("answers an unknown route with 404 not_found in Dify's envelope and an X-Trace-Id", async () => {
    const res = await call("/api/nope");
    const body = await expectError(res, 404, "not_found");
    expect(body.message).toMatch(/^The requested URL was not found on the server/);
    expect(res.headers.get("X-Trace-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  });

  it("gives every response a distinct X-Trace-Id and Dify's version headers", async () => {
    const a = await call("/health");
    const b = await call("/health");
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual({ status: "ok" });
    expect(a.headers.get("X-Trace-Id")).not.toBe(b.headers.get("X-Trace-Id"));
    expect(a.headers.get("X-Version")).toBe("1.14.2");
    expect(a.headers.get("X-Env")).toBe("PRODUCTION");
  });
});

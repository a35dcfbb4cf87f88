// The test-only document routes are closed unless DEV_DOCUMENT_CHECK=1 (only test/e2e sets it).
import { describe, expect, it } from "vitest";
import { call } from "../../helpers/api";

describe("test-only /_dev routes", () => {
  it("answer 404 in a normal deployment", async () => {
    for (const path of ["/_dev/document-text?name=a.txt", "/_dev/json-body"]) {
      const res = await call(path, { method: "POST", body: "x" });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: "not_found", status: 404 });
    }
  });
});

// Issue 15 item 2: a part Content-Type that is not a valid media type (NUL, control characters,
// non-ASCII) is never stored as a file's mime_type, and no stored value can break a preview's
// Content-Type header.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { appSession, call } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";
import { PNG_1X1, postMultipart } from "../helpers/files";

const BAD_TYPES = ["image/png\u0000x", "image/png\u0001", "image/pñg", "image/ png", "not a type", "日本/語", "image/png\u007f"];

describe("upload media types", () => {
  it("stores a valid media type for every malformed part Content-Type and previews it", async () => {
    const session = await appSession(demoApp("chat"));
    for (const type of BAD_TYPES) {
      const res = await postMultipart(session, "/api/files/upload", [{ name: "file", filename: "a.png", type, data: PNG_1X1 }]);
      const body = (await res.json()) as { id: string; mime_type: string; source_url: string };
      expect(res.status, `${JSON.stringify(type)}: ${JSON.stringify(body)}`).toBe(201);
      expect(body.mime_type).toBe("image/png");
      const row = await env.DB.prepare("SELECT mime_type FROM upload_files WHERE id = ?").bind(body.id).first<{ mime_type: string }>();
      expect(row!.mime_type).toBe("image/png");
      const preview = await call(body.source_url.replace("http://api.test", ""));
      expect(preview.status).toBe(200);
      expect(preview.headers.get("content-type")).toBe("image/png");
      await preview.arrayBuffer();
    }
  });

  it("previews rows stored with any media type without a 5xx", async () => {
    const session = await appSession(demoApp("chat"));
    const res = await postMultipart(session, "/api/files/upload", [{ name: "file", filename: "b.png", type: "image/png", data: PNG_1X1 }]);
    const { id, source_url } = (await res.json()) as { id: string; source_url: string };
    // Values a row written before the fix (or by hand) might hold, plus every ordinary one.
    const stored = [...BAD_TYPES, "text/html\r\nX-Injected: 1", "", "image/png", "application/pdf", "text/html", "audio/mpeg", "video/mp4", "application/octet-stream", "x".repeat(300)];
    for (const mime of stored) {
      await env.DB.prepare("UPDATE upload_files SET mime_type = ? WHERE id = ?").bind(mime, id).run();
      const preview = await call(source_url.replace("http://api.test", ""));
      expect(preview.status, JSON.stringify(mime)).toBe(200);
      const type = preview.headers.get("content-type")!;
      expect(type).toMatch(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/);
      if (mime === "text/html") expect(preview.headers.get("content-disposition")).toMatch(/^attachment/);
      await preview.arrayBuffer();
    }
  });
});

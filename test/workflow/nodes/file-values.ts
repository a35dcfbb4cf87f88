// Dify file values (FileValue) for node tests: a stored upload by default, overridable per test.
import type { FileValue } from "../../../src/workflow/segments";

/** A file named `filename` (extension and related id derived from it unless given). */
export function fileValue(filename: string, over: Partial<FileValue> = {}): FileValue {
  const dot = filename.lastIndexOf(".");
  return {
    dify_model_identity: "__dify__file__",
    id: null,
    tenant_id: "tenant-1",
    type: "document",
    transfer_method: "local_file",
    remote_url: null,
    related_id: `id-${filename}`,
    filename,
    extension: dot > 0 ? filename.slice(dot) : "",
    mime_type: "application/octet-stream",
    size: 1,
    ...over,
  };
}

// The app's file policy from /api/parameters (spec dify-web-api.md §8.3; the legacy `image` shape
// too) and uploads: local files to POST /api/files/upload, links to POST /api/remote-files/upload.
import { api } from "./api";
import { t } from "./i18n";

export type FileType = "image" | "document" | "audio" | "video" | "custom";
export type TransferMethod = "local_file" | "remote_url";

const EXTENSIONS: Record<Exclude<FileType, "custom">, string[]> = {
  image: ["jpg", "jpeg", "png", "webp", "gif", "svg"],
  document: ["txt", "markdown", "md", "mdx", "pdf", "html", "htm", "xlsx", "xls", "docx", "csv", "eml", "msg", "pptx", "xml", "epub", "json"],
  audio: ["mp3", "m4a", "wav", "amr", "mpga"],
  video: ["mp4", "mov", "mpeg", "webm"],
};

export interface FilePolicy {
  enabled: boolean;
  types: FileType[];
  /** Lower-case, no dot: the extensions "custom" allows. */
  customExtensions: string[];
  methods: TransferMethod[];
  limit: number;
  sizeLimitsMb: Record<Exclude<FileType, "custom"> | "custom", number>;
}

export interface SystemParameters {
  file_size_limit?: number;
  image_file_size_limit?: number;
  audio_file_size_limit?: number;
  video_file_size_limit?: number;
}

/** Policy of the chat's `file_upload` feature, or of a file/file-list input's own settings. */
export function filePolicy(config: Record<string, any> | undefined, system: SystemParameters = {}): FilePolicy {
  const image = config?.image ?? {};
  const enabled = !!(config?.enabled || image.enabled);
  const types: FileType[] = config?.allowed_file_types?.length ? config.allowed_file_types : image.enabled ? ["image"] : [];
  const methods: TransferMethod[] = config?.allowed_file_upload_methods ?? config?.allowed_upload_methods ?? image.transfer_methods ?? ["local_file", "remote_url"];
  return {
    enabled,
    types,
    customExtensions: (config?.allowed_file_extensions ?? []).map((e: string) => e.replace(/^\./, "").toLowerCase()),
    methods,
    limit: Number(config?.number_limits ?? image.number_limits ?? 3),
    sizeLimitsMb: {
      image: system.image_file_size_limit ?? 10,
      audio: system.audio_file_size_limit ?? 50,
      video: system.video_file_size_limit ?? 100,
      document: system.file_size_limit ?? 15,
      custom: system.file_size_limit ?? 15,
    },
  };
}

const extensionOf = (name: string) => (name.includes(".") ? name.split(".").pop()!.toLowerCase() : "");

/** The Dify file type the policy files `name` under, or null when the policy refuses it. */
export function typeFor(policy: FilePolicy, name: string): FileType | null {
  const ext = extensionOf(name);
  for (const type of policy.types) {
    if (type === "custom" ? policy.customExtensions.includes(ext) : EXTENSIONS[type].includes(ext)) return type;
  }
  return null;
}

export function acceptAttribute(policy: FilePolicy): string {
  return policy.types.flatMap((type) => (type === "custom" ? policy.customExtensions : EXTENSIONS[type])).map((e) => `.${e}`).join(",");
}

export interface Attachment {
  key: string;
  name: string;
  type: FileType;
  transfer_method: TransferMethod;
  url: string;
  upload_file_id: string;
  status: "uploading" | "done" | "error";
  error?: string;
  previewUrl?: string;
}

/** The mapping chat and completion bodies take (`url` is "" for local files, as Dify's client sends). */
export const toFileMapping = (a: Attachment) => ({ type: a.type, transfer_method: a.transfer_method, url: a.transfer_method === "local_file" ? "" : a.url, upload_file_id: a.upload_file_id });

/** Checks a picked file against the policy; returns an error message or null. */
export function refuse(policy: FilePolicy, file: { name: string; size?: number }): string | null {
  const type = typeFor(policy, file.name);
  if (!type) return t("fileTypeNotAllowed");
  const limit = policy.sizeLimitsMb[type];
  if (file.size !== undefined && file.size > limit * 1024 * 1024) return t("fileTooLarge", { n: limit });
  return null;
}

export async function uploadLocal(file: File): Promise<{ id: string; name: string; source_url?: string }> {
  const form = new FormData();
  form.append("file", file);
  return api("/files/upload", { method: "POST", form });
}

export async function uploadRemote(url: string): Promise<{ id: string; name: string; url: string; mime_type: string }> {
  return api("/remote-files/upload", { method: "POST", body: { url } });
}

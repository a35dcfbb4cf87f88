// Which files an app takes (spec dify-web-api.md §8.2, §8.3): the `file_upload` feature for files
// attached to a message, and each `file` / `file-list` input variable. Mirrors Dify's
// FileUploadConfigManager.convert and file_factory._is_file_valid_with_config, with two deliberate
// differences: a legacy image-only config (`image.enabled`) still counts as enabled, and images sent
// to a variable without an image config must use one of its allowed upload methods (Dify lets any
// method through there, which opens remote fetches a variable never allowed).
import { UnsupportedFileType } from "../../lib/errors";
import { type FileType, normalizeExtension } from "../../lib/file-types";
import { isObject } from "../../lib/json";

export const TRANSFER_METHODS = ["local_file", "remote_url"] as const;
export type TransferMethod = (typeof TRANSFER_METHODS)[number];

export interface ImageConfig {
  numberLimits: number;
  detail: "high" | "low";
  transferMethods: string[];
}

export interface FileUploadConfig {
  /** Empty = any type. */
  allowedFileTypes: string[];
  /** Normalised ("pdf"); files of type custom must use one of these. */
  allowedFileExtensions: string[];
  /** Empty = any method. */
  allowedUploadMethods: string[];
  /** 0 = no limit on the number of files. */
  numberLimits: number;
  image: ImageConfig | null;
}

export interface FileTraits {
  type: FileType | string;
  extension: string;
  transferMethod: string;
}

type Json = Record<string, unknown>;
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
const count = (value: unknown, fallback: number): number => (typeof value === "number" && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : fallback);
const detailOf = (image: unknown): "high" | "low" => (isObject(image) && image.detail === "low" ? "low" : "high");

/** The `file_upload` feature as a config, or null when the app takes no attached files. */
export function featureFileUploadConfig(fileUpload: unknown): FileUploadConfig | null {
  if (!isObject(fileUpload)) return null;
  const image = fileUpload.image;
  if (fileUpload.enabled === true) {
    const methods = strings(fileUpload.allowed_file_upload_methods ?? fileUpload.allowed_upload_methods);
    const numberLimits = count(fileUpload.number_limits, 1);
    return {
      allowedFileTypes: strings(fileUpload.allowed_file_types),
      allowedFileExtensions: strings(fileUpload.allowed_file_extensions).map(normalizeExtension),
      allowedUploadMethods: methods,
      numberLimits,
      image: { numberLimits, detail: detailOf(image), transferMethods: methods },
    };
  }
  // Legacy (classic) shape: only `image`, e.g. our demo chat app.
  if (fileUpload.enabled === undefined && isObject(image) && image.enabled === true) {
    const methods = strings(image.transfer_methods);
    const numberLimits = count(image.number_limits, 3);
    return {
      allowedFileTypes: ["image"],
      allowedFileExtensions: [],
      allowedUploadMethods: methods,
      numberLimits,
      image: { numberLimits, detail: detailOf(image), transferMethods: methods },
    };
  }
  return null;
}

/** The config of a `file` / `file-list` input variable. */
export function variableFileUploadConfig(variable: Json): FileUploadConfig {
  return {
    allowedFileTypes: strings(variable.allowed_file_types),
    allowedFileExtensions: strings(variable.allowed_file_extensions).map(normalizeExtension),
    allowedUploadMethods: strings(variable.allowed_file_upload_methods),
    numberLimits: 0,
    image: null,
  };
}

/** Whether the config lets a file of this (declared) type arrive by this transfer method. */
export function methodAllowed(file: Pick<FileTraits, "type" | "transferMethod">, config: FileUploadConfig): boolean {
  const methods = file.type === "image" && config.image?.transferMethods.length ? config.image.transferMethods : config.allowedUploadMethods;
  return methods.length === 0 || methods.includes(file.transferMethod);
}

/** Dify's check of a file mapping against a config; `type` is the type the mapping declares. */
export function isFileValidWithConfig(file: FileTraits, config: FileUploadConfig): boolean {
  const types = config.allowedFileTypes;
  if (types.length > 0 && !types.includes(file.type) && file.type !== "custom") return false;
  if (file.type === "custom" && !config.allowedFileExtensions.includes(normalizeExtension(file.extension))) return false;
  return methodAllowed(file, config);
}

/** Whether a file of a detected type could later be used with `config` under some declared type. */
function acceptsUpload(file: FileTraits, config: FileUploadConfig): boolean {
  const types = config.allowedFileTypes;
  const extensionListed = config.allowedFileExtensions.includes(normalizeExtension(file.extension));
  const typeOk =
    file.type === "custom"
      ? (types.length === 0 || types.includes("custom")) && extensionListed
      : types.length === 0 || types.includes(file.type) || (types.includes("custom") && extensionListed);
  return typeOk && methodAllowed(file, config);
}

/** Everything in an app that takes files: the file_upload feature and its file input variables. */
export function appFileConfigs(features: Json, userInputForm: unknown[]): FileUploadConfig[] {
  const configs: FileUploadConfig[] = [];
  const feature = featureFileUploadConfig(features.file_upload);
  if (feature) configs.push(feature);
  for (const item of userInputForm) {
    if (!isObject(item)) continue;
    for (const kind of ["file", "file-list"]) {
      if (isObject(item[kind])) configs.push(variableFileUploadConfig(item[kind]));
    }
  }
  return configs;
}

/**
 * Beyond Dify: an upload must fit something in the app that takes files; otherwise an app without
 * file inputs would still be an open file host. → 415 unsupported_file_type.
 */
export function assertAppAcceptsUpload(configs: FileUploadConfig[], file: FileTraits): void {
  if (!configs.some((config) => acceptsUpload(file, config))) throw new UnsupportedFileType();
}

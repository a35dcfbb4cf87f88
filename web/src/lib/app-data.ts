// What every app page loads first (spec dify-web-client.md §4.1): the passport into its cookie,
// then /api/site and /api/parameters in parallel; the site's colours, icon, title and language.
import { api, setShareCode } from "./api";
import { chooseLanguage } from "./i18n";
import { ensurePassport } from "./session";
import { type LinkParams, readLinkParams, shareCodeFromPath } from "./url-params";

export interface Site {
  title: string;
  description: string | null;
  icon_type: "emoji" | "image" | null;
  icon: string | null;
  icon_background: string | null;
  icon_url: string | null;
  chat_color_theme: string | null;
  chat_color_theme_inverted: boolean;
  copyright: string | null;
  privacy_policy: string | null;
  custom_disclaimer: string | null;
  default_language: string;
  show_workflow_steps: boolean;
  use_icon_as_answer_icon: boolean;
}

export interface InputField {
  type: string;
  variable: string;
  label: string;
  required?: boolean;
  max_length?: number | null;
  default?: unknown;
  options?: string[];
  hide?: boolean;
  allowed_file_types?: string[];
  allowed_file_extensions?: string[];
  allowed_file_upload_methods?: string[];
  placeholder?: string;
  description?: string;
}

export interface Parameters {
  opening_statement: string | null;
  suggested_questions: string[];
  suggested_questions_after_answer: { enabled: boolean };
  speech_to_text: { enabled: boolean };
  text_to_speech: { enabled: boolean; voice?: string; autoPlay?: string };
  more_like_this: { enabled: boolean };
  user_input_form: Record<string, Omit<InputField, "type">>[];
  file_upload?: Record<string, any>;
  system_parameters: Record<string, number>;
}

export interface AppData {
  code: string;
  appId: string;
  site: Site;
  params: Parameters;
  fields: InputField[];
  link: LinkParams;
  accessMode: string;
}

/** user_input_form's one-key objects ("old structure") as flat fields. */
export function inputFields(params: Parameters): InputField[] {
  return params.user_input_form.flatMap((item) =>
    Object.entries(item)
      .filter(([type]) => type !== "external_data_tool")
      .map(([type, field]) => ({ ...field, type })),
  );
}

export function applySite(site: Site): void {
  chooseLanguage(site.default_language);
  document.title = site.title;
  const root = document.documentElement.style;
  if (site.chat_color_theme && CSS.supports("color", site.chat_color_theme)) {
    root.setProperty("--theme", site.chat_color_theme);
    // Inverted: the theme colour is light, so text on it is dark.
    root.setProperty("--on-theme", site.chat_color_theme_inverted ? "#101828" : "#ffffff");
  }
}

export async function loadApp(options: { compressedInputs: boolean }): Promise<AppData> {
  const code = shareCodeFromPath();
  setShareCode(code);
  const link = await readLinkParams(options.compressedInputs);
  const accessMode = await ensurePassport({ code, userId: link.system.user_id });
  const [siteInfo, params] = await Promise.all([api<{ app_id: string; site: Site }>("/site"), api<Parameters>("/parameters")]);
  applySite(siteInfo.site);
  return { code, appId: siteInfo.app_id, site: siteInfo.site, params, fields: inputFields(params), link, accessMode };
}

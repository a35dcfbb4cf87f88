// One error type: ApiError carries Dify's `code`, HTTP `status` and `message`; onError writes
// {"code","message","status"}. Each Dify code is a subclass so callers throw by name.
// Codes and default messages: spec dify-web-api.md §3.1/§3.2.

export const NOT_FOUND_MESSAGE =
  "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
export const FORBIDDEN_MESSAGE =
  "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";
export const INTERNAL_ERROR_MESSAGE =
  "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra envelope keys (e.g. `params` naming the invalid field). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, status: this.status, ...this.extra };
  }
}

type ErrorClass = new (message?: string) => ApiError;

function define(status: number, code: string, defaultMessage: string): ErrorClass {
  return class extends ApiError {
    constructor(message?: string) {
      super(status, code, message ?? defaultMessage);
    }
  };
}

// Generic HTTP errors (werkzeug names).
export const BadRequest = define(400, "bad_request", "The browser (or proxy) sent a request that this server could not understand.");
export const Unauthorized = define(401, "unauthorized", "Unauthorized.");
export const Forbidden = define(403, "forbidden", FORBIDDEN_MESSAGE);
export const NotFound = define(404, "not_found", NOT_FOUND_MESSAGE);
export const MethodNotAllowed = define(405, "method_not_allowed", "The method is not allowed for the requested URL.");
export const PayloadTooLarge = define(413, "request_entity_too_large", "The data value transmitted exceeds the capacity limit.");
export const InternalServerError = define(500, "internal_server_error", INTERNAL_ERROR_MESSAGE);

export class InvalidParam extends ApiError {
  constructor(message: string, field?: string) {
    super(400, "invalid_param", message, field === undefined ? undefined : { params: field });
  }
}

// Dify web error codes (api/controllers/web/error.py, controllers/common/errors.py).
export const AppUnavailable = define(400, "app_unavailable", "App unavailable, please check your app configurations.");
export const NotCompletionApp = define(400, "not_completion_app", "Please check if your Completion app mode matches the right API route.");
export const NotChatApp = define(400, "not_chat_app", "Please check if your app mode matches the right API route.");
export const NotWorkflowApp = define(400, "not_workflow_app", "Please check if your Workflow app mode matches the right API route.");
export const ConversationCompleted = define(400, "conversation_completed", "The conversation has ended. Please start a new conversation.");
export const ProviderNotInitialize = define(
  400,
  "provider_not_initialize",
  "No valid model provider credentials found. Please go to Settings -> Model Provider to complete your provider credentials.",
);
export const ProviderQuotaExceeded = define(
  400,
  "provider_quota_exceeded",
  "Your quota for Dify Hosted OpenAI has been exhausted. Please go to Settings -> Model Provider to complete your own provider credentials.",
);
export const ModelCurrentlyNotSupport = define(400, "model_currently_not_support", "Dify Hosted OpenAI trial currently not support the GPT-4 model.");
export const CompletionRequestError = define(400, "completion_request_error", "Completion request failed.");
export const AppMoreLikeThisDisabled = define(403, "app_more_like_this_disabled", "The 'More like this' feature is disabled. Please refresh your page.");
export const AppSuggestedQuestionsAfterAnswerDisabled = define(
  403,
  "app_suggested_questions_after_answer_disabled",
  "The 'Suggested Questions After Answer' feature is disabled. Please refresh your page.",
);
export const NoAudioUploaded = define(400, "no_audio_uploaded", "Please upload your audio.");
export const AudioTooLarge = define(413, "audio_too_large", "Audio size larger than 30 mb");
export const UnsupportedAudioType = define(415, "unsupported_audio_type", "Audio type not allowed.");
export const ProviderNotSupportSpeechToText = define(400, "provider_not_support_speech_to_text", "Provider not support speech to text.");
export const WebAppAuthRequired = define(401, "web_sso_auth_required", "Web app authentication required.");
export const WebAppAccessDenied = define(401, "web_app_access_denied", "You do not have permission to access this web app.");
export const InvokeRateLimit = define(429, "rate_limit_error", "Rate Limit Error");
export const TooManyRequests = define(429, "too_many_requests", "Too many requests. Please try again later.");
export const WebFormRateLimitExceeded = define(429, "web_form_rate_limit_exceeded", "Too many form requests. Please try again later.");
export const FilenameNotExists = define(400, "filename_not_exists_error", "The specified filename does not exist.");
export const RemoteFileUploadError = define(400, "remote_file_upload_error", "Error uploading remote file.");
export const RemoteFileUrlBlocked = define(400, "remote_file_url_blocked", "The remote file URL is not allowed.");
export const FileTooLarge = define(413, "file_too_large", "File size exceeded.");
export const UnsupportedFileType = define(415, "unsupported_file_type", "File type not allowed.");
export const FileExtensionBlocked = define(400, "file_extension_blocked", "The file extension is blocked for security reasons.");
export const TooManyFiles = define(400, "too_many_files", "Only one file is allowed.");
export const NoFileUploaded = define(400, "no_file_uploaded", "Please upload your file.");
export const InvalidDsl = define(400, "invalid_dsl", "Invalid DSL.");
// werkzeug's answer when a required multipart part is missing (request.files["file"] in audio-to-text).
export const BadRequestKeyError = define(400, "bad_request_key_error", "The browser (or proxy) sent a request that this server could not understand.");
export const ProviderNotSupportTextToSpeech = define(400, "provider_not_support_text_to_speech", "Provider not support text to speech.");
export const RangeNotSatisfiable = define(416, "requested_range_not_satisfiable", "The server cannot provide the requested range.");

// Web-app sign-in (api/controllers/console/auth/error.py, console/error.py; spec dify-web-auth.md §8).
export const AuthenticationFailed = define(401, "authentication_failed", "Invalid email or password.");
export const AccountBanned = define(400, "account_banned", "Account is banned.");
export const InvalidOrExpiredToken = define(400, "invalid_or_expired_token", "The token is invalid or has expired.");
export const InvalidEmail = define(400, "invalid_email", "The email address is not valid.");
export const EmailCodeError = define(400, "email_code_error", "Email code is invalid or expired.");
export const PasswordMismatch = define(400, "password_mismatch", "The passwords do not match.");
export const EmailAlreadyInUse = define(400, "email_already_in_use", "A user with this email already exists.");
export const EmailSendIpLimit = define(429, "email_send_ip_limit", "Too many emails have been sent from this IP address recently. Please try again later.");
export const PasswordResetRateLimitExceeded = define(
  429,
  "password_reset_rate_limit_exceeded",
  "Too many password reset emails have been sent. Please try again in 1 minutes.",
);
export const EmailCodeLoginRateLimitExceeded = define(
  429,
  "email_code_login_rate_limit_exceeded",
  "Too many login emails have been sent. Please try again in 5 minutes.",
);
export const EmailPasswordLoginLimit = define(429, "email_code_login_limit", "Too many incorrect password attempts. Please try again later.");
export const EmailPasswordResetLimit = define(429, "email_password_reset_limit", "Too many failed password reset attempts. Please try again in 24 hours.");

/** 401 responses carry this header (api/libs/external_api.py). */
export const WWW_AUTHENTICATE = 'Bearer realm="api"';

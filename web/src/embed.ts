// /embed.js (also /embed.min.js): the chat bubble a site owner pastes, with Dify's contract
// (web/public/embed.js): `window.difyChatbotConfig = { token, baseUrl?, inputs?, systemVariables?,
// userVariables?, containerProps?, draggable?, dragAxis? }` before the script; a button
// #dify-chatbot-bubble-button that opens /chatbot/<token> in the iframe #dify-chatbot-bubble-window;
// inputs and sys.* values gzip+base64 in its URL; the iframe's ready/expand messages; Escape closes.
// Beyond Dify: `allowedOrigins` (or data-allowed-origins on the script tag) lists the page origins
// the bubble may appear on, so a copied snippet does nothing elsewhere; the server's
// WEB_EMBED_ALLOWED_ORIGINS (CSP frame-ancestors) is what actually enforces it.

interface EmbedConfig {
  token?: string;
  baseUrl?: string;
  inputs?: Record<string, string>;
  systemVariables?: Record<string, string>;
  userVariables?: Record<string, string>;
  containerProps?: Record<string, unknown>;
  draggable?: boolean;
  dragAxis?: "x" | "y" | "both";
  allowedOrigins?: string[];
}

(() => {
  const BUTTON_ID = "dify-chatbot-bubble-button";
  const WINDOW_ID = "dify-chatbot-bubble-window";
  const script = document.currentScript as HTMLScriptElement | null;
  const config: EmbedConfig = (window as unknown as { difyChatbotConfig?: EmbedConfig }).difyChatbotConfig ?? {};
  const token = config.token ?? script?.dataset.token ?? script?.id;
  if (!token) {
    console.error("difyChatbotConfig is empty or token is not provided");
    return;
  }
  const allowed = config.allowedOrigins ?? script?.dataset.allowedOrigins?.split(",").map((o) => o.trim()).filter(Boolean);
  if (allowed?.length && !allowed.includes(location.origin)) {
    console.error(`this chatbot may not be embedded on ${location.origin}`);
    return;
  }
  if (document.getElementById(BUTTON_ID)) return;
  const baseUrl = (config.baseUrl ?? (script?.src ? new URL(script.src).origin : location.origin)).replace(/\/+$/, "");
  const targetOrigin = new URL(baseUrl).origin;

  async function gzipBase64(value: string): Promise<string> {
    const stream = new Blob([new TextEncoder().encode(value)]).stream().pipeThrough(new CompressionStream("gzip"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  }

  const windowStyle = (expanded: boolean) =>
    [
      "position: fixed",
      `right: var(--${BUTTON_ID}-right, 1rem)`,
      `bottom: calc(var(--${BUTTON_ID}-bottom, 1rem) + 60px)`,
      expanded ? "width: min(48%, 40rem)" : "width: 24rem",
      "max-width: calc(100vw - 2rem)",
      expanded ? "height: 88%" : "height: 43.75rem",
      "max-height: calc(100vh - 6rem)",
      "border: none",
      "border-radius: 0.75rem",
      "box-shadow: rgba(0, 0, 0, 0.2) 0 8px 24px",
      "background: #fff",
      "z-index: 2147483640",
    ].join(";");

  async function embed(): Promise<void> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(config.inputs ?? {})) params.set(key, await gzipBase64(String(value)));
    for (const [key, value] of Object.entries(config.systemVariables ?? {})) params.set(`sys.${key}`, await gzipBase64(String(value)));
    for (const [key, value] of Object.entries(config.userVariables ?? {})) params.set(`user.${key}`, await gzipBase64(String(value)));
    const src = `${baseUrl}/chatbot/${encodeURIComponent(token!)}${params.size ? `?${params}` : ""}`;
    if (src.length > 2048) console.error("The URL is too long, please reduce the number of inputs to prevent the bot from failing to load");

    let expanded = false;
    let dragged = false;
    const frame = document.createElement("iframe");
    frame.id = WINDOW_ID;
    frame.title = "Chatbot";
    frame.allow = "fullscreen; microphone; clipboard-write";
    frame.src = src;
    frame.style.cssText = windowStyle(false);
    frame.style.display = "none";
    document.body.appendChild(frame);

    const button = document.createElement("div");
    for (const [key, value] of Object.entries(config.containerProps ?? {})) {
      if (key === "className") button.classList.add(...String(value).split(" ").filter(Boolean));
      else if (key === "style") typeof value === "object" ? Object.assign(button.style, value) : (button.style.cssText = String(value));
      else if (typeof value === "function") button.addEventListener(key.replace(/^on/, "").toLowerCase(), value as EventListener);
      else (button as unknown as Record<string, unknown>)[key] = value;
    }
    button.id = BUTTON_ID;
    button.setAttribute("role", "button");
    button.setAttribute("tabindex", "0");
    button.setAttribute("aria-label", "Open chat");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", WINDOW_ID);
    const sheet = document.createElement("style");
    document.head.appendChild(sheet);
    sheet.sheet?.insertRule(`#${BUTTON_ID}{position:fixed;bottom:var(--${BUTTON_ID}-bottom,1rem);right:var(--${BUTTON_ID}-right,1rem);left:var(--${BUTTON_ID}-left,unset);top:var(--${BUTTON_ID}-top,unset);width:var(--${BUTTON_ID}-width,48px);height:var(--${BUTTON_ID}-height,48px);border-radius:var(--${BUTTON_ID}-border-radius,25px);background-color:var(--${BUTTON_ID}-bg-color,#155EEF);box-shadow:var(--${BUTTON_ID}-box-shadow,rgba(0,0,0,.2) 0 4px 8px 0);cursor:pointer;z-index:2147483647;display:flex;align-items:center;justify-content:center;color:#fff;font:24px/1 system-ui,sans-serif;user-select:none}`);
    const SVG = "http://www.w3.org/2000/svg";
    const icon = document.createElementNS(SVG, "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("width", "24");
    icon.setAttribute("height", "24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("fill", "none");
    icon.setAttribute("stroke", "currentColor");
    icon.setAttribute("stroke-width", "2");
    icon.setAttribute("stroke-linecap", "round");
    icon.setAttribute("stroke-linejoin", "round");
    const path = document.createElementNS(SVG, "path");
    icon.appendChild(path);
    button.appendChild(icon);
    document.body.appendChild(button);

    const setOpen = (open: boolean) => {
      frame.style.display = open ? "block" : "none";
      // A speech bubble, or a cross while the window is open.
      path.setAttribute("d", open ? "M6 6l12 12M18 6L6 18" : "M4 5h16v11H9l-5 4z");
      button.setAttribute("aria-expanded", String(open));
      button.setAttribute("aria-label", open ? "Close chat" : "Open chat");
      button.title = open ? "Exit (ESC)" : "";
    };
    setOpen(false);
    const toggle = () => {
      if (dragged) return;
      setOpen(frame.style.display === "none");
    };
    button.addEventListener("click", toggle);
    button.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        toggle();
      }
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && frame.style.display !== "none") setOpen(false);
    });

    addEventListener("message", (event) => {
      if (event.origin !== targetOrigin || event.source !== frame.contentWindow) return;
      if (event.data?.type === "dify-chatbot-iframe-ready") {
        frame.contentWindow?.postMessage({ type: "dify-chatbot-config", payload: { isToggledByButton: true, isDraggable: !!config.draggable } }, targetOrigin);
      }
      if (event.data?.type === "dify-chatbot-expand-change") {
        expanded = !expanded;
        const display = frame.style.display;
        frame.style.cssText = windowStyle(expanded);
        frame.style.display = display;
      }
    });

    if (config.draggable) {
      const axis = config.dragAxis ?? "both";
      button.addEventListener("pointerdown", (start) => {
        dragged = false;
        const rect = button.getBoundingClientRect();
        const move = (e: PointerEvent) => {
          const dx = e.clientX - start.clientX;
          const dy = e.clientY - start.clientY;
          if (Math.abs(dx) > 8 || Math.abs(dy) > 8) dragged = true;
          if (!dragged) return;
          setOpen(false);
          if (axis !== "y") button.style.setProperty(`--${BUTTON_ID}-right`, `${Math.max(0, innerWidth - rect.right - dx)}px`);
          if (axis !== "x") button.style.setProperty(`--${BUTTON_ID}-bottom`, `${Math.max(0, innerHeight - rect.bottom - dy)}px`);
        };
        const up = () => {
          removeEventListener("pointermove", move);
          removeEventListener("pointerup", up);
          setTimeout(() => (dragged = false), 0);
        };
        addEventListener("pointermove", move);
        addEventListener("pointerup", up);
      });
    }
  }

  if (document.body) void embed();
  else addEventListener("DOMContentLoaded", () => void embed());
})();

// /docs: Swagger UI (loaded before this module by the page shell) over /api/openapi.json, with
// try-it-out against this origin. No validator badge: it would call a third-party service.
declare const SwaggerUIBundle: ((options: Record<string, unknown>) => unknown) & { presets: { apis: unknown } };

const root = document.getElementById("root")!;
root.textContent = "";
SwaggerUIBundle({
  url: "/api/openapi.json",
  domNode: root,
  presets: [SwaggerUIBundle.presets.apis],
  validatorUrl: null,
  tryItOutEnabled: true,
  persistAuthorization: false,
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
});

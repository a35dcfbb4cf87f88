import type { Config } from "../config";
import type { Env } from "../env";
import type { AppContext } from "../services/apps/app-registry";
import type { EndUser } from "../db/schema";
import type { Passport } from "../services/auth/passport";

/** Hono generics shared by every router. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
  };
};

/** Variables set by the passport middleware for app endpoints. */
export type WebAppEnv = {
  Bindings: Env;
  Variables: AppEnv["Variables"] & {
    appContext: AppContext;
    endUser: EndUser;
    passport: Passport;
  };
};

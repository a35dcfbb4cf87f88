// Request and response shapes of the admin account, group, app-access and outbox API (ours; docs/auth.md).
import { z } from "zod";
import { ACCESS_MODES } from "../services/auth/access-control";
import { emailField, passwordField } from "./auth";

const name = z.string().trim().min(1).max(255);

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const createAccountBody = z.strictObject({
  email: emailField,
  name: name.optional().describe("Display name; defaults to the part of the email before @"),
  password: passwordField.optional().describe("Omit for an account that signs in with email codes only"),
});

export const patchAccountBody = z.strictObject({
  name: name.optional(),
  status: z.enum(["active", "banned"]).optional().describe("Banning also ends every session of the account"),
  password: passwordField.optional().describe("A new password ends every session of the account"),
});

const groupRef = z.strictObject({ id: z.string(), name: z.string() });

export const accountView = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  status: z.enum(["active", "banned"]),
  has_password: z.boolean(),
  last_login_at: z.number().int().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
  groups: z.array(groupRef).optional(),
});

export const accountList = z.strictObject({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  has_more: z.boolean(),
  data: z.array(accountView),
});

export const groupBody = z.strictObject({ name });
export const membersBody = z.strictObject({ emails: z.array(emailField).min(1).max(100) });

export const groupView = z.strictObject({
  id: z.string(),
  name: z.string(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
  members: z.array(z.strictObject({ id: z.string(), email: z.string(), name: z.string(), status: z.string() })),
});

export const groupList = z.strictObject({
  data: z.array(z.strictObject({ id: z.string(), name: z.string(), member_count: z.number().int(), created_at: z.number().int(), updated_at: z.number().int() })),
});

export const putAccessBody = z.strictObject({
  access_mode: z.enum(ACCESS_MODES),
  accounts: z.array(emailField).max(1000).optional().describe("Emails granted directly (replaces the list when given)"),
  groups: z.array(z.uuid()).max(1000).optional().describe("Group ids granted (replaces the list when given)"),
});

export const accessView = z.strictObject({
  app_id: z.string(),
  access_mode: z.enum(ACCESS_MODES),
  accounts: z.array(z.strictObject({ id: z.string(), email: z.string(), name: z.string() })),
  groups: z.array(groupRef),
});

export const outboxQuery = z.object({
  to: z.string().max(320).optional().describe("Only mail to this address (case-insensitive)"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const outboxList = z.strictObject({
  data: z.array(
    z.strictObject({ id: z.string(), to: z.string(), subject: z.string(), text: z.string(), html: z.string(), created_at: z.number().int() }),
  ),
});

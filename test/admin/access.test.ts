// Admin API for accounts, groups, app access and the mail outbox.
import { describe, expect, it } from "vitest";
import { accessView, accountList, accountView, groupList, groupView, outboxList } from "../../src/schemas/admin-access";
import { admin, call, expectError, expectShape, importDsl, json } from "../helpers/api";
import { createAccount, post } from "../helpers/auth";
import { demoApp } from "../helpers/fixtures";

const patch = (path: string, body: unknown) => admin(path, json(body, { method: "PATCH" }));
const put = (path: string, body: unknown) => admin(path, json(body, { method: "PUT" }));

describe("admin accounts", () => {
  it("creates, lists, gets, updates and deletes accounts; never returns password hashes", async () => {
    const created = await expectShape(await admin("/admin/accounts", json({ email: "Zoe@Example.com", name: "Zoe", password: "Passw0rd!" })), accountView, 201);
    expect(created).toMatchObject({ email: "zoe@example.com", name: "Zoe", status: "active", has_password: true, last_login_at: null, groups: [] });
    const codeOnly = await expectShape(await admin("/admin/accounts", json({ email: "yan@example.com" })), accountView, 201);
    expect(codeOnly).toMatchObject({ name: "yan", has_password: false });

    const list = await expectShape(await admin("/admin/accounts?limit=1"), accountList);
    expect(list).toMatchObject({ page: 1, limit: 1, total: 2, has_more: true });
    expect(JSON.stringify(list)).not.toMatch(/salt|"password"/);

    const banned = await expectShape(await patch(`/admin/accounts/${created.id}`, { status: "banned", name: "Zoe B." }), accountView);
    expect(banned).toMatchObject({ status: "banned", name: "Zoe B." });
    expect((await patch(`/admin/accounts/${codeOnly.id}`, { password: "Passw0rd!" })).status).toBe(200);
    expect((await expectShape(await admin(`/admin/accounts/${codeOnly.id}`), accountView)).has_password).toBe(true);

    expect((await admin(`/admin/accounts/${created.id}`, { method: "DELETE" })).status).toBe(204);
    await expectError(await admin(`/admin/accounts/${created.id}`), 404, "not_found");
    await expectError(await admin(`/admin/accounts/${created.id}`, { method: "DELETE" }), 404, "not_found");
  });

  it("refuses duplicate emails (case-insensitively), weak passwords and unknown fields", async () => {
    await createAccount("dup@example.com");
    await expectError(await admin("/admin/accounts", json({ email: "DUP@example.com" })), 400, "email_already_in_use", "A user with this email already exists.");
    await expectError(await admin("/admin/accounts", json({ email: "weak@example.com", password: "password" })), 400, "invalid_param");
    await expectError(await admin("/admin/accounts", json({ email: "x@example.com", role: "owner" })), 400, "invalid_param");
    await expectError(await patch("/admin/accounts/00000000-0000-4000-8000-000000000000", { status: "gone" }), 400, "invalid_param");
  });

  it("requires the admin key", async () => {
    for (const path of ["/admin/accounts", "/admin/groups", "/admin/outbox"]) {
      await expectError(await call(path), 401, "unauthorized");
      await expectError(await call(path, { headers: { Authorization: "Bearer wrong" } }), 401, "unauthorized");
    }
  });
});

describe("admin groups", () => {
  it("manages groups and members", async () => {
    const a = await createAccount("g-a@example.com");
    await createAccount("g-b@example.com");
    const group = await expectShape(await admin("/admin/groups", json({ name: "Sales" })), groupView, 201);
    await expectError(await admin("/admin/groups", json({ name: "Sales" })), 400, "invalid_param");
    const withMembers = await expectShape(await admin(`/admin/groups/${group.id}/members`, json({ emails: ["G-A@example.com", "g-b@example.com", "g-a@example.com"] })), groupView);
    expect(withMembers.members.map((m) => m.email)).toEqual(["g-a@example.com", "g-b@example.com"]);
    const missing = await expectError(await admin(`/admin/groups/${group.id}/members`, json({ emails: ["nobody@example.com"] })), 400, "invalid_param");
    expect(missing.message).toContain("nobody@example.com");

    expect((await expectShape(await admin(`/admin/accounts/${a.id}`), accountView)).groups).toEqual([{ id: group.id, name: "Sales" }]);
    expect((await expectShape(await admin("/admin/groups"), groupList)).data).toEqual([expect.objectContaining({ name: "Sales", member_count: 2 })]);
    expect((await expectShape(await patch(`/admin/groups/${group.id}`, { name: "Sales EU" }), groupView)).name).toBe("Sales EU");

    expect((await admin(`/admin/groups/${group.id}/members/${a.id}`, { method: "DELETE" })).status).toBe(204);
    await expectError(await admin(`/admin/groups/${group.id}/members/${a.id}`, { method: "DELETE" }), 404, "not_found");
    expect((await admin(`/admin/groups/${group.id}`, { method: "DELETE" })).status).toBe(204);
    await expectError(await admin(`/admin/groups/${group.id}`), 404, "not_found");
  });
});

describe("admin app access", () => {
  it("sets the mode and replaces the grant lists that are given", async () => {
    await createAccount("acc1@example.com");
    await createAccount("acc2@example.com");
    const group = await expectShape(await admin("/admin/groups", json({ name: "Ops" })), groupView, 201);
    const app = await importDsl(demoApp("chat"));
    expect((await expectShape(await admin(`/admin/apps/${app.app_id}/access`), accessView)).access_mode).toBe("public");

    const set = await expectShape(await put(`/admin/apps/${app.app_id}/access`, { access_mode: "private", accounts: ["ACC1@example.com"], groups: [group.id] }), accessView);
    expect(set).toEqual({ app_id: app.app_id, access_mode: "private", accounts: [expect.objectContaining({ email: "acc1@example.com" })], groups: [{ id: group.id, name: "Ops" }] });
    // Lists left out stay as they are.
    const accountsOnly = await expectShape(await put(`/admin/apps/${app.app_id}/access`, { access_mode: "private", accounts: ["acc2@example.com"] }), accessView);
    expect(accountsOnly.accounts.map((a) => a.email)).toEqual(["acc2@example.com"]);
    expect(accountsOnly.groups).toHaveLength(1);
    expect(((await (await admin(`/admin/apps/${app.app_id}`)).json()) as { access_mode: string }).access_mode).toBe("private");
    expect(await (await call(`/api/webapp/access-mode?appId=${app.app_id}`)).json()).toEqual({ accessMode: "private" });
  });

  it("validates the body and refuses unknown accounts or groups without changing anything", async () => {
    const app = await importDsl(demoApp("chat"));
    await expectError(await put(`/admin/apps/${app.app_id}/access`, { access_mode: "secret" }), 400, "invalid_param");
    await expectError(await put(`/admin/apps/${app.app_id}/access`, { access_mode: "private", accounts: ["ghost@example.com"] }), 400, "invalid_param");
    await expectError(await put(`/admin/apps/${app.app_id}/access`, { access_mode: "private", groups: ["00000000-0000-4000-8000-000000000000"] }), 400, "invalid_param");
    expect((await expectShape(await admin(`/admin/apps/${app.app_id}/access`), accessView)).access_mode).toBe("public");
    await expectError(await put("/admin/apps/00000000-0000-4000-8000-000000000000/access", { access_mode: "public" }), 404, "not_found");
  });
});

describe("admin outbox", () => {
  it("lists mail newest first, filtered by recipient", async () => {
    await createAccount("mail1@example.com");
    await createAccount("mail2@example.com");
    await post("/api/email-code-login", { email: "mail1@example.com" });
    await post("/api/forgot-password", { email: "mail1@example.com" });
    await post("/api/email-code-login", { email: "mail2@example.com" });
    const mine = await expectShape(await admin("/admin/outbox?to=MAIL1@example.com"), outboxList);
    expect(mine.data.map((m) => m.subject)).toEqual(["Reset your password", "Your sign-in code"]);
    expect(mine.data[0].to).toBe("mail1@example.com");
    expect((await expectShape(await admin("/admin/outbox?limit=2"), outboxList)).data).toHaveLength(2);
    await expectError(await admin("/admin/outbox?limit=0"), 400, "invalid_param");
  });
});

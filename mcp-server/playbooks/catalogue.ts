/**
 * The playbooks a store holds: the built-ins written in when missing, and the edits users make
 * (enable, disable, set a key, import a JSON file), each checked against the playbook schema
 * before anything is written.
 */
import {
  insertMissingPlaybooks,
  playbookRow,
  playbookRows,
  upsertPlaybook,
  type PlaybookRow,
} from "../store/playbookQueries.js";
import type { Store } from "../store/store.js";
import { storedTime } from "../store/timestamps.js";
import {
  BUILTIN_PLAYBOOKS,
  PlaybookError,
  TRIGGER_PARAMS,
  audienceSchema,
  parsePlaybook,
  type Playbook,
} from "./definitions.js";

/** A stored playbook: the definition plus what only the store knows. */
export interface StoredPlaybook extends Playbook {
  builtin: boolean;
  updated_at: string;
}

const BUILTIN_IDS = new Set(BUILTIN_PLAYBOOKS.map((playbook) => playbook.id));

function toRow(playbook: Playbook, updatedAt: string): PlaybookRow {
  return {
    id: playbook.id,
    name: playbook.name,
    description: playbook.description,
    trigger: playbook.trigger,
    params: JSON.stringify(playbook.params),
    audience: JSON.stringify(playbook.audience),
    action: playbook.action,
    channel: playbook.channel,
    draft_goal: playbook.draft_goal,
    priority: playbook.priority,
    due_days: playbook.due_days,
    enabled: playbook.enabled ? 1 : 0,
    builtin: BUILTIN_IDS.has(playbook.id) ? 1 : 0,
    updated_at: updatedAt,
  };
}

/**
 * A stored row read back through the schema, so a row edited by hand into something invalid is
 * reported by name instead of evaluated.
 */
function fromRow(row: PlaybookRow): StoredPlaybook {
  const json = (text: string, field: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PlaybookError(`playbook ${row.id}: ${field} is not JSON; fix it with crm playbooks import`);
    }
  };
  const playbook = parsePlaybook(
    {
      id: row.id,
      name: row.name,
      description: row.description,
      trigger: row.trigger,
      params: json(row.params, "params"),
      audience: json(row.audience, "audience"),
      action: row.action,
      channel: row.channel,
      draft_goal: row.draft_goal,
      priority: row.priority,
      due_days: row.due_days,
      enabled: row.enabled === 1,
    },
    `the stored playbook ${row.id}`,
  );
  return { ...playbook, builtin: row.builtin === 1, updated_at: row.updated_at };
}

/** Writes the built-in playbooks that are not in the store yet; returns how many were added. */
export async function ensureBuiltinPlaybooks(store: Store, now: Date = new Date()): Promise<number> {
  const at = storedTime(now);
  return insertMissingPlaybooks(
    store,
    BUILTIN_PLAYBOOKS.map((playbook) => toRow(parsePlaybook(playbook), at)),
  );
}

/** Every playbook in the store (built-ins added first if missing), highest priority first. */
export async function listPlaybooks(store: Store, now?: Date): Promise<StoredPlaybook[]> {
  await ensureBuiltinPlaybooks(store, now);
  return (await playbookRows(store)).map(fromRow);
}

/** One playbook, or an error that lists the ids there are. */
export async function getPlaybook(store: Store, id: string, now?: Date): Promise<StoredPlaybook> {
  await ensureBuiltinPlaybooks(store, now);
  const row = await playbookRow(store, id);
  if (row) return fromRow(row);
  const ids = (await playbookRows(store)).map((known) => known.id);
  throw new PlaybookError(`no playbook with id "${id}"; playbooks: ${ids.join(", ")}`);
}

/** Switches a playbook on or off. */
export async function setPlaybookEnabled(
  store: Store,
  id: string,
  enabled: boolean,
  now: Date = new Date(),
): Promise<StoredPlaybook> {
  const playbook = await getPlaybook(store, id, now);
  await upsertPlaybook(store, toRow({ ...playbook, enabled }, storedTime(now)));
  return getPlaybook(store, id, now);
}

/** Keys `setPlaybookValue` accepts besides the trigger's params and `audience.<list>`. */
export const SETTABLE_FIELDS = [
  "name",
  "description",
  "action",
  "channel",
  "draft_goal",
  "priority",
  "due_days",
  "enabled",
] as const;

/** Reads a value typed on a command line: a number, true/false, none/null, JSON, or the text. */
function parseValue(text: string): unknown {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  if (trimmed === "none" || trimmed === "null") return null;
  if (/^[[{"]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      throw new PlaybookError(`"${text}" looks like JSON but is not valid JSON`);
    }
  }
  return trimmed;
}

/** A list value: JSON, or comma-separated words; none/null clears it. */
function parseList(text: string): string[] | undefined {
  const value = parseValue(text);
  if (value === null || value === "") return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Sets one key of a playbook, as `crm playbooks set <id> <key>=<value>` spells it: a field
 * (priority, due_days, action, channel, draft_goal, name, description, enabled), an audience list
 * (`audience.owners=Chen Jing,Ana Ruiz`; `none` clears it) or one of the trigger's params
 * (`overdue_ratio=2`). The whole playbook is checked before it is written.
 */
export async function setPlaybookValue(
  store: Store,
  id: string,
  key: string,
  text: string,
  now: Date = new Date(),
): Promise<StoredPlaybook> {
  const playbook = await getPlaybook(store, id, now);
  const { builtin: _builtin, updated_at: _updated, ...definition } = playbook;
  let next: Record<string, unknown>;
  const paramKeys = Object.keys(TRIGGER_PARAMS[playbook.trigger].shape);
  const audienceKeys = Object.keys(audienceSchema.shape);
  if ((SETTABLE_FIELDS as readonly string[]).includes(key)) {
    const value = parseValue(text);
    next = { ...definition, [key]: key === "name" || key === "description" ? text.trim() : value };
  } else if (key.startsWith("audience.") && audienceKeys.includes(key.slice("audience.".length))) {
    const audience: Record<string, unknown> = { ...definition.audience };
    const list = parseList(text);
    if (list === undefined) delete audience[key.slice("audience.".length)];
    else audience[key.slice("audience.".length)] = list;
    next = { ...definition, audience };
  } else if (paramKeys.includes(key)) {
    const params: Record<string, unknown> = { ...definition.params };
    const value = parseValue(text);
    // A list param given as words: tiers=A,B or event_types=page_view,cart.
    const current = params[key];
    if (Array.isArray(current) && !Array.isArray(value)) params[key] = parseList(text) ?? [];
    else if (value === null) delete params[key];
    else params[key] = value;
    next = { ...definition, params };
  } else {
    throw new PlaybookError(
      `playbook ${id} has no key "${key}"; keys: ${[...SETTABLE_FIELDS, ...audienceKeys.map((name) => `audience.${name}`), ...paramKeys].join(", ")}`,
    );
  }
  const checked = parsePlaybook(next, `playbook ${id} with ${key}=${text}`);
  await upsertPlaybook(store, toRow(checked, storedTime(now)));
  return getPlaybook(store, id, now);
}

/** The playbooks file `export` writes and `import` reads. */
export interface PlaybooksFile {
  format: "crm-assistant-playbooks";
  version: 1;
  playbooks: Playbook[];
}

/** Every playbook as a JSON-ready file. */
export async function exportPlaybooks(store: Store, now?: Date): Promise<PlaybooksFile> {
  const playbooks = await listPlaybooks(store, now);
  return {
    format: "crm-assistant-playbooks",
    version: 1,
    playbooks: playbooks.map(({ builtin: _builtin, updated_at: _updated, ...playbook }) => playbook),
  };
}

/**
 * Reads a playbooks file (a `PlaybooksFile`, or a bare array of playbooks) and writes every playbook
 * in it, replacing those with the same id: all or nothing. Each problem names the playbook's place
 * in the file and the field.
 */
export async function importPlaybooks(
  store: Store,
  content: unknown,
  now: Date = new Date(),
): Promise<{ added: string[]; replaced: string[] }> {
  const list = Array.isArray(content)
    ? content
    : content && typeof content === "object" && Array.isArray((content as PlaybooksFile).playbooks)
      ? (content as PlaybooksFile).playbooks
      : undefined;
  if (!list)
    throw new PlaybookError(
      'a playbooks file is a JSON object with a "playbooks" array (as crm playbooks export writes it) or an array of playbooks',
    );
  const problems: string[] = [];
  const parsed: Playbook[] = [];
  const seen = new Set<string>();
  list.forEach((item: unknown, index) => {
    const label = `playbooks[${index}]${item && typeof item === "object" && "id" in item ? ` (${String((item as { id: unknown }).id)})` : ""}`;
    try {
      const playbook = parsePlaybook(item, label);
      if (seen.has(playbook.id)) problems.push(`${label}: the id ${playbook.id} appears twice in the file`);
      seen.add(playbook.id);
      parsed.push(playbook);
    } catch (error) {
      problems.push((error as Error).message);
    }
  });
  if (problems.length > 0) throw new PlaybookError(`nothing imported: ${problems.join("; ")}`);
  await ensureBuiltinPlaybooks(store, now);
  const at = storedTime(now);
  return store.db.transaction(async () => {
    const added: string[] = [];
    const replaced: string[] = [];
    for (const playbook of parsed) {
      if (await playbookRow(store, playbook.id)) replaced.push(playbook.id);
      else added.push(playbook.id);
      await upsertPlaybook(store, toRow(playbook, at));
    }
    return { added, replaced };
  });
}

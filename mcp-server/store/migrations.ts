/**
 * Numbered schema migrations. `PRAGMA user_version` holds the number of the last one applied;
 * a migration is never edited once released: change the schema by appending a new one.
 *
 * Timestamps are ISO 8601 UTC text (`2024-05-01T09:30:00Z`): they sort as text and work with
 * SQLite's own date functions, so people can query the file directly.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the customer book.
  `
  CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    name TEXT,
    company TEXT,
    email TEXT,
    phone TEXT,
    country TEXT,
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'zh')),
    owner TEXT,
    acquisition_channel TEXT,
    created_at TEXT NOT NULL,
    acquired_at TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    do_not_contact INTEGER NOT NULL DEFAULT 0 CHECK (do_not_contact IN (0, 1))
  );
  CREATE INDEX customers_owner ON customers (owner);
  CREATE INDEX customers_name ON customers (name COLLATE NOCASE);
  CREATE INDEX customers_email ON customers (email COLLATE NOCASE);

  CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occurred_at TEXT NOT NULL,
    amount REAL NOT NULL,
    quantity REAL,
    margin REAL,
    channel TEXT
  );
  CREATE INDEX transactions_customer_time ON transactions (customer_id, occurred_at);
  CREATE INDEX transactions_time ON transactions (occurred_at);

  CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occurred_at TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'phone', 'meeting', 'chat', 'social', 'in-store')),
    direction TEXT NOT NULL DEFAULT 'outbound' CHECK (direction IN ('inbound', 'outbound')),
    summary TEXT NOT NULL DEFAULT '',
    outcome TEXT
  );
  CREATE INDEX interactions_customer_time ON interactions (customer_id, occurred_at);
  CREATE INDEX interactions_time ON interactions (occurred_at);

  CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occurred_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('survey', 'nps', 'review', 'ticket', 'complaint')),
    score REAL,
    text TEXT NOT NULL DEFAULT '',
    language TEXT CHECK (language IN ('en', 'zh')),
    status TEXT NOT NULL DEFAULT 'resolved' CHECK (status IN ('open', 'resolved'))
  );
  CREATE INDEX feedback_customer_time ON feedback (customer_id, occurred_at);
  CREATE INDEX feedback_time ON feedback (occurred_at);

  CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    goal TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'zh')),
    subject TEXT,
    body TEXT NOT NULL,
    generator TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'discarded'))
  );
  CREATE INDEX follow_ups_customer ON follow_ups (customer_id, created_at);

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: cached scores, so tool calls read results instead of refitting models; the audit log of writes.
  `
  CREATE TABLE score_sets (
    id INTEGER PRIMARY KEY,
    as_of TEXT NOT NULL,
    data_version INTEGER NOT NULL,
    model_version TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    seconds REAL NOT NULL,
    customers INTEGER NOT NULL,
    models TEXT NOT NULL,
    UNIQUE (as_of, data_version, model_version)
  );

  CREATE TABLE customer_scores (
    score_set_id INTEGER NOT NULL REFERENCES score_sets (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    orders INTEGER NOT NULL,
    revenue REAL NOT NULL,
    first_purchase TEXT,
    last_purchase TEXT,
    days_since_last_purchase INTEGER,
    typical_gap_days REAL,
    x INTEGER NOT NULL,
    tx REAL NOT NULL,
    t REAL NOT NULL,
    monetary REAL NOT NULL,
    margin_rate REAL NOT NULL,
    p_alive REAL,
    expected_purchases REAL,
    expected_spend REAL,
    clv REAL NOT NULL,
    risk_score REAL NOT NULL,
    risk_level TEXT NOT NULL,
    value_at_risk REAL NOT NULL,
    risk_reasons TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    lifecycle_reasons TEXT NOT NULL,
    rfm_r INTEGER,
    rfm_f INTEGER,
    rfm_m INTEGER,
    rfm_segment TEXT,
    abc_tier TEXT,
    value_quadrant TEXT,
    latest_nps REAL,
    open_complaints INTEGER NOT NULL,
    last_interaction TEXT,
    PRIMARY KEY (score_set_id, customer_id)
  ) WITHOUT ROWID;
  CREATE INDEX customer_scores_value_at_risk ON customer_scores (score_set_id, value_at_risk DESC);
  CREATE INDEX customer_scores_risk ON customer_scores (score_set_id, risk_score DESC);
  CREATE INDEX customer_scores_clv ON customer_scores (score_set_id, clv DESC);

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    customer_id INTEGER,
    details TEXT NOT NULL
  );
  CREATE INDEX audit_log_at ON audit_log (at);
  `,
  // 3: ranking indexes that cover the risk filter and the whole ORDER BY, so a page of the
  // at-risk list reads about as many index entries as it returns instead of sorting the book.
  `
  DROP INDEX customer_scores_value_at_risk;
  DROP INDEX customer_scores_risk;
  CREATE INDEX customer_scores_by_value_at_risk
    ON customer_scores (score_set_id, value_at_risk DESC, risk_score DESC, customer_id);
  CREATE INDEX customer_scores_by_risk
    ON customer_scores (score_set_id, risk_score DESC, value_at_risk DESC, customer_id);
  `,
  // 4: churn probabilities. Cached scores are derived data, so the score tables are rebuilt rather
  // than altered: score sets are now keyed by their churn horizon too, customer scores carry the
  // calibrated churn probability, the value if retained and why a customer could not be scored.
  // Backtests keep their results so status reports can say how far to trust the at-risk list.
  `
  DROP TABLE customer_scores;
  DROP TABLE score_sets;
  CREATE TABLE score_sets (
    id INTEGER PRIMARY KEY,
    as_of TEXT NOT NULL,
    horizon_days INTEGER NOT NULL,
    data_version INTEGER NOT NULL,
    model_version TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    seconds REAL NOT NULL,
    customers INTEGER NOT NULL,
    models TEXT NOT NULL,
    UNIQUE (as_of, horizon_days, data_version, model_version)
  );

  CREATE TABLE customer_scores (
    score_set_id INTEGER NOT NULL REFERENCES score_sets (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    orders INTEGER NOT NULL,
    revenue REAL NOT NULL,
    first_purchase TEXT,
    last_purchase TEXT,
    days_since_last_purchase INTEGER,
    typical_gap_days REAL,
    x INTEGER NOT NULL,
    tx REAL NOT NULL,
    t REAL NOT NULL,
    monetary REAL NOT NULL,
    margin_rate REAL NOT NULL,
    p_alive REAL,
    churn_probability REAL,
    expected_purchases REAL,
    horizon_expected_purchases REAL,
    expected_spend REAL,
    clv REAL NOT NULL,
    value_if_retained REAL NOT NULL,
    risk_score REAL NOT NULL,
    risk_level TEXT NOT NULL,
    value_at_risk REAL NOT NULL,
    risk_reasons TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    lifecycle_reasons TEXT NOT NULL,
    rfm_r INTEGER,
    rfm_f INTEGER,
    rfm_m INTEGER,
    rfm_segment TEXT,
    abc_tier TEXT,
    value_quadrant TEXT,
    latest_nps REAL,
    open_complaints INTEGER NOT NULL,
    last_interaction TEXT,
    score_problem TEXT,
    PRIMARY KEY (score_set_id, customer_id)
  ) WITHOUT ROWID;
  -- find_at_risk_customers: a page in value-at-risk or risk order, threshold as a residual filter.
  CREATE INDEX customer_scores_by_value_at_risk
    ON customer_scores (score_set_id, value_at_risk DESC, risk_score DESC, customer_id);
  CREATE INDEX customer_scores_by_risk
    ON customer_scores (score_set_id, risk_score DESC, value_at_risk DESC, customer_id);
  -- compute_clv's leaderboard and portfolio totals: the top of the book by CLV.
  CREATE INDEX customer_scores_clv ON customer_scores (score_set_id, clv DESC);

  CREATE TABLE backtests (
    id INTEGER PRIMARY KEY,
    ran_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    horizon_days INTEGER NOT NULL,
    data_version INTEGER NOT NULL,
    model_version TEXT NOT NULL,
    customers INTEGER NOT NULL,
    churn_rate REAL NOT NULL,
    auc REAL NOT NULL,
    expected_calibration_error REAL NOT NULL,
    result TEXT NOT NULL
  );
  -- server_status and portfolio_overview: the latest backtest.
  CREATE INDEX backtests_ran_at ON backtests (ran_at);
  `,
  // 5: read-side work done once at write time. Each feedback row keeps the sentiment of its text
  // (computed when the row is written, or filled in for rows from older versions), so feedback
  // analytics and scoring count negatives in SQL instead of re-reading every text. Customers get a
  // trigram full-text index over id, name, company and email: search_customers' substring and
  // Chinese-name search (`LIKE '%...%'` scanned the whole table).
  `
  ALTER TABLE feedback ADD COLUMN sentiment REAL;
  ALTER TABLE feedback ADD COLUMN sentiment_label TEXT CHECK (sentiment_label IN ('positive', 'neutral', 'negative'));
  -- summarise_feedback and scoring: negatives and NPS per customer in a period.
  CREATE INDEX feedback_customer_source ON feedback (customer_id, source, occurred_at);

  CREATE VIRTUAL TABLE customers_search USING fts5(
    external_id, name, company, email,
    content = 'customers', content_rowid = 'id', tokenize = 'trigram'
  );
  INSERT INTO customers_search (customers_search) VALUES ('rebuild');
  CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (rowid, external_id, name, company, email)
    VALUES (new.id, new.external_id, new.name, new.company, new.email);
  END;
  CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, external_id, name, company, email)
    VALUES ('delete', old.id, old.external_id, old.name, old.company, old.email);
  END;
  CREATE TRIGGER customers_search_update AFTER UPDATE OF external_id, name, company, email ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, external_id, name, company, email)
    VALUES ('delete', old.id, old.external_id, old.name, old.company, old.email);
    INSERT INTO customers_search (rowid, external_id, name, company, email)
    VALUES (new.id, new.external_id, new.name, new.company, new.email);
  END;
  `,
  // 6: score sets that stay small. The reasons (two languages of text per customer, ~2 KB) are no
  // longer stored: they are worded when read from the row's own columns and the set's churn model
  // (`scoring/explain.ts`), so the few inputs that were missing get columns. And the table has a
  // rowid: a WITHOUT ROWID table keeps rows in an index b-tree, where a row over ~1 KB spills into
  // a mostly empty overflow page (a 100k-customer set took 250 MB). Scores are a cache: rebuilt.
  `
  DELETE FROM score_sets;
  DROP TABLE customer_scores;
  CREATE TABLE customer_scores (
    score_set_id INTEGER NOT NULL REFERENCES score_sets (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    orders INTEGER NOT NULL,
    revenue REAL NOT NULL,
    first_purchase TEXT,
    last_purchase TEXT,
    days_since_last_purchase INTEGER,
    typical_gap_days REAL,
    x INTEGER NOT NULL,
    tx REAL NOT NULL,
    t REAL NOT NULL,
    monetary REAL NOT NULL,
    margin_rate REAL NOT NULL,
    p_alive REAL,
    churn_probability REAL,
    expected_purchases REAL,
    horizon_expected_purchases REAL,
    expected_spend REAL,
    clv REAL NOT NULL,
    value_if_retained REAL NOT NULL,
    risk_score REAL NOT NULL,
    risk_level TEXT NOT NULL,
    value_at_risk REAL NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    rfm_r INTEGER,
    rfm_f INTEGER,
    rfm_m INTEGER,
    rfm_segment TEXT,
    abc_tier TEXT,
    value_quadrant TEXT,
    latest_nps REAL,
    open_complaints INTEGER NOT NULL,
    last_interaction TEXT,
    score_problem TEXT,
    purchase_days INTEGER NOT NULL,
    purchase_rate_trend REAL,
    won_back INTEGER NOT NULL,
    average_spend REAL NOT NULL,
    spend_trend REAL,
    feedback_count INTEGER NOT NULL,
    negative_feedback_count INTEGER NOT NULL
  );
  -- readScore, get_customer, the export's pages: one customer, or the set in customer order.
  CREATE UNIQUE INDEX customer_scores_key ON customer_scores (score_set_id, customer_id);
  -- find_at_risk_customers: a page in value-at-risk or risk order, threshold as a residual filter.
  CREATE INDEX customer_scores_by_value_at_risk
    ON customer_scores (score_set_id, value_at_risk DESC, risk_score DESC, customer_id);
  CREATE INDEX customer_scores_by_risk
    ON customer_scores (score_set_id, risk_score DESC, value_at_risk DESC, customer_id);
  -- compute_clv's leaderboard and portfolio totals: the top of the book by CLV.
  CREATE INDEX customer_scores_clv ON customer_scores (score_set_id, clv DESC);
  `,
  // 7: relationship maintenance (service tickets, behavioural events, birthdays) and playbooks
  // that turn signals into account managers' tasks. Portable SQL: partial indexes and CHECKs work
  // the same on PostgreSQL.
  `
  ALTER TABLE customers ADD COLUMN birthday TEXT; -- ISO date YYYY-MM-DD, optional

  CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'question', 'request', 'return')),
    subject TEXT NOT NULL DEFAULT '',
    opened_at TEXT NOT NULL,
    first_response_at TEXT,
    resolved_at TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'resolved')),
    owner TEXT,
    resolution TEXT,
    feedback_id INTEGER REFERENCES feedback (id) ON DELETE SET NULL
  );
  -- get_customer's open tickets, list_tickets for one customer, churn features per customer.
  CREATE INDEX tickets_customer ON tickets (customer_id, opened_at);
  -- list_tickets by status and overdue against the SLA; the unanswered-ticket playbook.
  CREATE INDEX tickets_status ON tickets (status, opened_at);
  -- service-efficiency KPIs over a period (tickets opened in each month).
  CREATE INDEX tickets_opened ON tickets (opened_at);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    occurred_at TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('page_view', 'cart', 'store_visit', 'search', 'wishlist')),
    category TEXT
  );
  -- the viewed-but-did-not-buy playbook: events of a type in the last few days.
  CREATE INDEX events_time ON events (occurred_at, type);
  -- a customer's recent events (get_customer, the playbook's check against their purchases).
  CREATE INDEX events_customer ON events (customer_id, occurred_at);

  CREATE TABLE playbooks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    trigger TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    audience TEXT NOT NULL DEFAULT '{}',
    action TEXT NOT NULL CHECK (action IN ('call', 'email', 'draft', 'meeting')),
    channel TEXT,
    draft_goal TEXT,
    priority INTEGER NOT NULL,
    due_days INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    updated_at TEXT NOT NULL
  );

  CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    playbook_id TEXT NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    owner TEXT,
    trigger_key TEXT NOT NULL,
    reason_en TEXT NOT NULL,
    reason_zh TEXT NOT NULL,
    facts TEXT NOT NULL DEFAULT '{}',
    action TEXT NOT NULL,
    channel TEXT,
    draft_goal TEXT,
    priority INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'snoozed', 'dismissed')),
    snoozed_until TEXT,
    completed_at TEXT,
    note TEXT
  );
  -- idempotent runs: the same trigger on the same customer never opens a second task.
  CREATE UNIQUE INDEX tasks_trigger ON tasks (playbook_id, customer_id, trigger_key);
  -- list_tasks: an owner's open tasks by due date (today, overdue).
  CREATE INDEX tasks_owner_due ON tasks (owner, status, due_at);
  -- the contact-frequency cap and get_customer: a customer's tasks in the last 30 days.
  CREATE INDEX tasks_customer ON tasks (customer_id, created_at);
  -- playbooks stats: tasks per playbook by status.
  CREATE INDEX tasks_playbook ON tasks (playbook_id, status);

  -- the server evaluates playbooks lazily once per as-of date.
  CREATE TABLE playbook_runs (
    as_of TEXT PRIMARY KEY,
    ran_at TEXT NOT NULL,
    tasks_created INTEGER NOT NULL
  );
  `,
  // 8: each customer's purchase days as scoring reads them (the per-day sums of
  // `storeHistory.ts`), kept so a rescore after a day change reads one narrow row per customer
  // instead of summing every transaction again (two thirds of a 100k-customer read). A digest is
  // derived data: any write to a customer's transactions deletes it, and scoring rebuilds the
  // missing ones from the transactions with the same query. `through` is the time of the
  // customer's latest transaction: the digest answers for any cutoff at or after it.
  `
  CREATE TABLE purchase_digests (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    through TEXT,
    days TEXT,
    gross TEXT,
    net TEXT,
    orders TEXT,
    m TEXT,
    mb TEXT,
    first_at TEXT,
    last_at TEXT,
    bad_day TEXT
  );
  CREATE TRIGGER purchase_digests_insert AFTER INSERT ON transactions BEGIN
    DELETE FROM purchase_digests WHERE customer_id = NEW.customer_id;
  END;
  CREATE TRIGGER purchase_digests_delete AFTER DELETE ON transactions BEGIN
    DELETE FROM purchase_digests WHERE customer_id = OLD.customer_id;
  END;
  CREATE TRIGGER purchase_digests_update AFTER UPDATE ON transactions BEGIN
    DELETE FROM purchase_digests WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
  END;
  `,
  // 9: the rowids a set's rows hold. One statement publishes a set, so they are one range; a
  // whole-set aggregate reads that range in storage order instead of fetching each row through an
  // index (`store/setRows.ts`: 0.16 s instead of 2.0 s for a million customers). Sets stored
  // before get the smallest range that holds their rows.
  `
  ALTER TABLE score_sets ADD COLUMN first_row INTEGER;
  ALTER TABLE score_sets ADD COLUMN last_row INTEGER;
  UPDATE score_sets SET
    first_row = (SELECT MIN(rowid) FROM customer_scores WHERE score_set_id = score_sets.id),
    last_row = (SELECT MAX(rowid) FROM customer_scores WHERE score_set_id = score_sets.id);
  `,
  // 10: what the next day's scoring carries over instead of reading a customer's history again
  // (`scoring/carriedInputs.ts`): the net revenue of the year up to the set's as-of date, and the
  // first day on which the customer's windowed figures (purchase-rate and spend trends, win-back,
  // that year) may read differently with no new data. NULL: read the history again.
  `
  ALTER TABLE customer_scores ADD COLUMN trailing_year REAL;
  ALTER TABLE customer_scores ADD COLUMN inputs_until INTEGER;
  `,
  // 11: a table per score set (`store/setTables.ts`): publishing a set renames the table its rows
  // were written to, and dropping one is a DROP TABLE, instead of copying a million rows into one
  // table's indexes and deleting them again. Score sets are caches: the stored ones are dropped and
  // the next call computes its set anew. `score_set_ids` hands out set ids before a set is
  // published, so its table's indexes can be built under their final names while scoring goes on.
  // The view `customer_scores` keeps every set's rows queryable in one place (empty until the
  // first set).
  `
  DELETE FROM score_sets;
  DROP TABLE customer_scores;
  ALTER TABLE score_sets DROP COLUMN first_row;
  ALTER TABLE score_sets DROP COLUMN last_row;
  CREATE TABLE score_set_ids (id INTEGER PRIMARY KEY AUTOINCREMENT);
  CREATE VIEW customer_scores AS
    SELECT NULL AS score_set_id, NULL AS customer_id, NULL AS orders, NULL AS revenue,
      NULL AS first_purchase, NULL AS last_purchase, NULL AS days_since_last_purchase,
      NULL AS typical_gap_days, NULL AS x, NULL AS tx, NULL AS t, NULL AS monetary,
      NULL AS margin_rate, NULL AS p_alive, NULL AS churn_probability, NULL AS expected_purchases,
      NULL AS horizon_expected_purchases, NULL AS expected_spend, NULL AS clv,
      NULL AS value_if_retained, NULL AS risk_score, NULL AS risk_level, NULL AS value_at_risk,
      NULL AS lifecycle_stage, NULL AS rfm_r, NULL AS rfm_f, NULL AS rfm_m, NULL AS rfm_segment,
      NULL AS abc_tier, NULL AS value_quadrant, NULL AS latest_nps, NULL AS open_complaints,
      NULL AS last_interaction, NULL AS score_problem, NULL AS purchase_days,
      NULL AS purchase_rate_trend, NULL AS won_back, NULL AS average_spend, NULL AS spend_trend,
      NULL AS feedback_count, NULL AS negative_feedback_count, NULL AS trailing_year,
      NULL AS inputs_until
    WHERE FALSE;
  `,
];

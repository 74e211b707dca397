"""The application's own outbox: every outgoing mail is a row here first, in the application's database.

States: new -> handed (the relay accepted it) -> sent | failed.  A row is never lost: if the relay is
down, it stays `new` and is handed over at the next flush.  Python standard library only.
"""
import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import time
import uuid

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
  id          TEXT PRIMARY KEY,
  sender      TEXT NOT NULL,
  recipients  TEXT NOT NULL,          -- JSON list
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,
  attachment  TEXT,                   -- file name under the attachments folder, or NULL
  state       TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'handed', 'sent', 'failed')),
  error       TEXT,
  sandbox     INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  handed_at   INTEGER,
  done_at     INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, created_at);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Outbox:
    def __init__(self, path, files_dir):
        self.path = path
        self.files_dir = files_dir

    @contextlib.contextmanager
    def connect(self, write=False):
        """One connection per call (the HTTP handlers and the flusher run in different threads); with
        `write`, one transaction that commits at the end of the block or rolls back on an exception."""
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            if not write:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def init(self):
        os.makedirs(self.files_dir, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)

    # ---- settings (the relay's URL, the tenant key, the sync password) ----------------------------
    def setting(self, key, default=None):
        with self.connect() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_settings(self, values):
        with self.connect(write=True) as conn:
            for key, value in values.items():
                conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # ---- writing mail -----------------------------------------------------------------------------
    def add(self, sender, recipients, subject, body, attach=None):
        """Queues one mail in the outbox; its attachment is copied into the attachments folder."""
        mail_id = uuid.uuid4().hex[:22]
        name = None
        if attach:
            name = "%s-%s" % (mail_id, os.path.basename(attach))
            shutil.copyfile(attach, os.path.join(self.files_dir, name))
        with self.connect(write=True) as conn:
            conn.execute(
                "INSERT INTO outbox (id, sender, recipients, subject, body, attachment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (mail_id, sender, json.dumps(recipients), subject, body, name, int(time.time())),
            )
        return mail_id

    def pending(self, limit):
        """The oldest `new` rows, as add-messages messages (at most `limit`). A row whose attachment file
        is gone fails here: the relay could never fetch it."""
        with self.connect() as conn:
            rows = conn.execute("SELECT * FROM outbox WHERE state = 'new' ORDER BY created_at, id LIMIT ?", (limit,)).fetchall()
        messages, missing = [], []
        for r in rows:
            if r["attachment"] and not os.path.isfile(os.path.join(self.files_dir, r["attachment"])):
                missing.append((r["id"], "attachment file missing: %s" % r["attachment"]))
            else:
                messages.append(self.as_message(r))
        self.mark_failed(missing)
        return messages

    def as_message(self, row):
        message = {"id": row["id"], "from": row["sender"], "to": json.loads(row["recipients"]), "subject": row["subject"], "body": row["body"]}
        if row["attachment"]:
            # the relay fetches the bytes from our /proxy_get_attachments when it sends (fetch_mode "endpoint")
            with open(os.path.join(self.files_dir, row["attachment"]), "rb") as f:
                md5 = hashlib.md5(f.read()).hexdigest()
            message["attachments"] = [{"storage_path": "files:" + row["attachment"], "fetch_mode": "endpoint", "filename": row["attachment"].split("-", 1)[1], "content_md5": md5}]
        return message

    def attachment_path(self, storage_path):
        """The file a `files:<name>` storage path names, or None (no other volume, no path outside the folder)."""
        volume, _, name = storage_path.partition(":")
        if volume != "files" or not name or name != os.path.basename(name):
            return None
        path = os.path.join(self.files_dir, name)
        return path if os.path.isfile(path) else None

    # ---- what the relay told us -------------------------------------------------------------------
    def mark_handed(self, ids):
        self._update("UPDATE outbox SET state = 'handed', handed_at = ? WHERE id = ? AND state = 'new'", [(int(time.time()), i) for i in ids])

    def mark_failed(self, failures):
        """`failures`: (id, reason) pairs; a row that was already sent stays sent."""
        self._update("UPDATE outbox SET state = 'failed', error = ?, done_at = ? WHERE id = ? AND state != 'sent'", [(reason, int(time.time()), i) for i, reason in failures])

    def apply_report(self, items):
        """A proxy_sync delivery_report: returns (ids recorded as failed, ids we do not know)."""
        failed, not_found = [], []
        with self.connect(write=True) as conn:
            for item in items:
                mail_id = str(item.get("id") or "")
                row = conn.execute("SELECT state FROM outbox WHERE id = ?", (mail_id,)).fetchone()
                if row is None:
                    not_found.append(mail_id)
                elif item.get("sent_ts"):
                    conn.execute("UPDATE outbox SET state = 'sent', error = NULL, sandbox = ?, done_at = ? WHERE id = ?", (1 if item.get("sandbox") else 0, int(item["sent_ts"]), mail_id))
                elif item.get("error_ts") and row["state"] != "sent":
                    conn.execute("UPDATE outbox SET state = 'failed', error = ?, done_at = ? WHERE id = ?", (item.get("error") or "error", int(item["error_ts"]), mail_id))
                    failed.append(mail_id)
                # anything else is not a final outcome (a deferral): nothing to record
        return failed, not_found

    def _update(self, sql, params):
        if params:
            with self.connect(write=True) as conn:
                conn.executemany(sql, params)

    def rows(self):
        with self.connect() as conn:
            return [dict(r) for r in conn.execute("SELECT id, recipients, subject, attachment, state, error, sandbox FROM outbox ORDER BY created_at, id")]

-- Accounts of the people who change data (analysts) or run the server
-- (admins). Viewing needs none. Names are unique whatever their case, so
-- "Ana" and "ana" cannot be two accounts.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	role          TEXT    NOT NULL CHECK (role IN ('analyst', 'admin')),
	password_hash TEXT    NOT NULL,               -- bcrypt; never the password
	disabled      INTEGER NOT NULL DEFAULT 0,
	created       TEXT    NOT NULL,               -- RFC 3339, UTC
	last_login    TEXT    NOT NULL DEFAULT ''     -- RFC 3339, UTC; '' = never
);

-- Signed-in browsers. id is the SHA-256 of the cookie's random token, so a
-- copy of the database does not hand out live sessions. Times are Unix
-- milliseconds: they are compared on every request, never read by people.
CREATE TABLE sessions (
	id           TEXT    PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created      INTEGER NOT NULL,
	seen         INTEGER NOT NULL,
	idle_expires INTEGER NOT NULL,
	expires      INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

-- Who did what, when, from where: sign-ins (and failed ones), account
-- changes, uploads, applies, discards, rollbacks. Names are copied, not
-- referenced, so the log outlives removed accounts.
CREATE TABLE audit (
	id     INTEGER PRIMARY KEY,
	at     TEXT NOT NULL, -- RFC 3339, UTC
	user   TEXT NOT NULL,
	action TEXT NOT NULL,
	object TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	ip     TEXT NOT NULL DEFAULT ''
);

/**
 * Schema migrations, applied in order and recorded in `schema_migrations`.
 * A migration that has shipped is never edited; change the schema with a new entry.
 * Times are integer milliseconds since the Unix epoch (UTC).
 */
export interface Migration {
  id: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    id: '0001_sign_in_core',
    sql: `
      CREATE TABLE practices (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        require_mfa_always INTEGER NOT NULL DEFAULT 0 CHECK (require_mfa_always IN (0, 1)),
        device_trust_days INTEGER NOT NULL DEFAULT 30 CHECK (device_trust_days BETWEEN 1 AND 365),
        idle_timeout_minutes INTEGER NOT NULL DEFAULT 15 CHECK (idle_timeout_minutes BETWEEN 1 AND 1440),
        absolute_timeout_minutes INTEGER NOT NULL DEFAULT 720 CHECK (absolute_timeout_minutes BETWEEN 1 AND 10080),
        min_password_length INTEGER NOT NULL DEFAULT 12 CHECK (min_password_length BETWEEN 8 AND 1024),
        created_at INTEGER NOT NULL
      );

      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        practice_id TEXT NOT NULL REFERENCES practices (id),
        username TEXT NOT NULL,
        -- NFKC-normalized and lower-cased username; unique across the whole server.
        username_key TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        email TEXT,
        mobile TEXT,
        role TEXT NOT NULL CHECK (role IN ('clinician', 'front_desk', 'billing', 'practice_admin')),
        password_hash TEXT NOT NULL,
        preferred_channel TEXT NOT NULL DEFAULT 'email' CHECK (preferred_channel IN ('email', 'sms')),
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
        locked_until INTEGER,
        -- Number of account lockouts since the last successful sign-in; 5 means locked until an admin unlocks.
        lockout_level INTEGER NOT NULL DEFAULT 0,
        consecutive_code_failures INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX users_practice ON users (practice_id);

      CREATE TABLE otp_challenges (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users (id),
        device_fingerprint TEXT NOT NULL,
        device_name TEXT,
        purpose TEXT NOT NULL CHECK (purpose IN ('sign_in', 'password_reset')),
        reason TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        wrong_attempts INTEGER NOT NULL DEFAULT 0,
        locked_at INTEGER,
        completed_at INTEGER,
        code_hash TEXT,
        code_channel TEXT CHECK (code_channel IN ('email', 'sms')),
        code_issued_at INTEGER,
        code_expires_at INTEGER
      );
      CREATE INDEX otp_challenges_user ON otp_challenges (user_id);

      CREATE TABLE otp_sends (
        id TEXT PRIMARY KEY,
        challenge_id TEXT NOT NULL REFERENCES otp_challenges (id),
        user_id TEXT NOT NULL REFERENCES users (id),
        channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        requested_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX otp_sends_user_time ON otp_sends (user_id, requested_at);
      CREATE INDEX otp_sends_challenge_time ON otp_sends (challenge_id, requested_at);

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users (id),
        practice_id TEXT NOT NULL REFERENCES practices (id),
        device_fingerprint TEXT NOT NULL,
        mfa INTEGER NOT NULL CHECK (mfa IN (0, 1)),
        created_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT CHECK (end_reason IN ('logout', 'expired', 'timed_out', 'device_mismatch'))
      );
      CREATE INDEX sessions_user ON sessions (user_id);

      CREATE TABLE device_trusts (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users (id),
        device_fingerprint TEXT NOT NULL,
        device_name TEXT,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX device_trusts_user ON device_trusts (user_id);

      CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL,
        count INTEGER NOT NULL
      );

      CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        occurred_at INTEGER NOT NULL,
        practice_id TEXT,
        user_id TEXT,
        username TEXT,
        ip TEXT,
        device TEXT,
        event TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
        reason TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
      );
      CREATE INDEX audit_events_user_time ON audit_events (user_id, occurred_at);
      CREATE INDEX audit_events_practice_time ON audit_events (practice_id, occurred_at);
      CREATE TRIGGER audit_events_reject_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
      CREATE TRIGGER audit_events_reject_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
    `,
  },
  {
    id: '0002_access_pattern_and_device_management',
    sql: `
      -- Admin-configured networks (CIDR, host bits cleared) that always count as the practice's own.
      CREATE TABLE practice_trusted_networks (
        practice_id TEXT NOT NULL REFERENCES practices (id),
        network TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (practice_id, network)
      );

      -- Where successful sign-ins came from: one row per user, network (/24 or /48) and place,
      -- refreshed on every sign-in. An empty country_code or region means the database had none.
      CREATE TABLE sign_in_locations (
        practice_id TEXT NOT NULL REFERENCES practices (id),
        user_id TEXT NOT NULL REFERENCES users (id),
        network TEXT NOT NULL,
        country_code TEXT NOT NULL,
        region TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, network, country_code, region)
      );
      CREATE INDEX sign_in_locations_practice_time ON sign_in_locations (practice_id, last_seen_at);

      ALTER TABLE device_trusts ADD COLUMN label TEXT;
      ALTER TABLE device_trusts ADD COLUMN last_used_ip TEXT;
      ALTER TABLE otp_challenges ADD COLUMN unusual_location INTEGER NOT NULL DEFAULT 0 CHECK (unusual_location IN (0, 1));

      -- SQLite cannot change a CHECK constraint in place, so sessions is rebuilt to allow 'device_revoked'.
      CREATE TABLE sessions_rebuilt (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users (id),
        practice_id TEXT NOT NULL REFERENCES practices (id),
        device_fingerprint TEXT NOT NULL,
        mfa INTEGER NOT NULL CHECK (mfa IN (0, 1)),
        created_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT CHECK (end_reason IN ('logout', 'expired', 'timed_out', 'device_mismatch', 'device_revoked'))
      );
      INSERT INTO sessions_rebuilt SELECT id, token_hash, user_id, practice_id, device_fingerprint, mfa, created_at,
        last_activity_at, expires_at, ended_at, end_reason FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_rebuilt RENAME TO sessions;
      CREATE INDEX sessions_user ON sessions (user_id);
    `,
  },
  {
    id: '0003_audit_viewer_and_retention',
    sql: `
      -- Keyset paging of the audit viewer walks these in (occurred_at, id) order; id is the rowid,
      -- so every index already ends with it as the tie-breaker.
      CREATE INDEX audit_events_time ON audit_events (occurred_at);
      CREATE INDEX audit_events_event_time ON audit_events (event, occurred_at);
      CREATE INDEX audit_events_practice_event_time ON audit_events (practice_id, event, occurred_at);
      CREATE INDEX audit_events_username_time ON audit_events (username COLLATE NOCASE, occurred_at);

      -- The session sweep looks only at sessions that have not ended.
      CREATE INDEX sessions_open ON sessions (practice_id) WHERE ended_at IS NULL;

      -- Days audit rows are kept; 2190 days is the six-year HIPAA documentation period.
      ALTER TABLE practices ADD COLUMN audit_retention_days INTEGER NOT NULL DEFAULT 2190
        CHECK (audit_retention_days BETWEEN 1 AND 36500);
    `,
  },
  {
    id: '0004_password_reset',
    sql: `
      -- Issued when a reset code is accepted; allows one password change. Only the SHA-256 is kept.
      CREATE TABLE password_reset_tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users (id),
        challenge_id TEXT NOT NULL REFERENCES otp_challenges (id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        revoked_at INTEGER
      );
      CREATE INDEX password_reset_tokens_user ON password_reset_tokens (user_id);

      -- Reset attempts for an email that names no active, unlocked account. They go through the same
      -- steps as a real attempt (cooldown, hourly cap, wrong codes, lock) so replies match, but no code exists.
      CREATE TABLE password_reset_decoys (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        email_key TEXT NOT NULL,
        device_fingerprint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        wrong_attempts INTEGER NOT NULL DEFAULT 0,
        locked_at INTEGER,
        code_issued_at INTEGER,
        code_expires_at INTEGER
      );
      CREATE TABLE password_reset_decoy_sends (
        decoy_id TEXT NOT NULL REFERENCES password_reset_decoys (id),
        email_key TEXT NOT NULL,
        requested_at INTEGER NOT NULL
      );
      CREATE INDEX password_reset_decoy_sends_email_time ON password_reset_decoy_sends (email_key, requested_at);

      ALTER TABLE users ADD COLUMN password_changed_at INTEGER;

      -- SQLite cannot change a CHECK constraint in place, so sessions is rebuilt to allow the two
      -- password reasons.
      CREATE TABLE sessions_rebuilt (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users (id),
        practice_id TEXT NOT NULL REFERENCES practices (id),
        device_fingerprint TEXT NOT NULL,
        mfa INTEGER NOT NULL CHECK (mfa IN (0, 1)),
        created_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT CHECK (end_reason IN
          ('logout', 'expired', 'timed_out', 'device_mismatch', 'device_revoked', 'password_reset', 'password_changed'))
      );
      INSERT INTO sessions_rebuilt SELECT id, token_hash, user_id, practice_id, device_fingerprint, mfa, created_at,
        last_activity_at, expires_at, ended_at, end_reason FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_rebuilt RENAME TO sessions;
      CREATE INDEX sessions_user ON sessions (user_id);
    `,
  },
  {
    id: '0005_practice_administration',
    sql: `
      -- SQLite cannot change a CHECK constraint in place, so sessions is rebuilt to allow
      -- 'mfa_enforced' (enforcement ended a session made without a code) and 'revoked_by_admin'.
      CREATE TABLE sessions_rebuilt (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users (id),
        practice_id TEXT NOT NULL REFERENCES practices (id),
        device_fingerprint TEXT NOT NULL,
        mfa INTEGER NOT NULL CHECK (mfa IN (0, 1)),
        created_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT CHECK (end_reason IN
          ('logout', 'expired', 'timed_out', 'device_mismatch', 'device_revoked', 'password_reset', 'password_changed',
           'mfa_enforced', 'revoked_by_admin'))
      );
      INSERT INTO sessions_rebuilt SELECT id, token_hash, user_id, practice_id, device_fingerprint, mfa, created_at,
        last_activity_at, expires_at, ended_at, end_reason FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_rebuilt RENAME TO sessions;
      CREATE INDEX sessions_user ON sessions (user_id);

      -- A requested change of a user's own email or mobile. The users row keeps the old value, and
      -- codes keep going there, until the code sent to the new value is entered.
      CREATE TABLE contact_changes (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
        new_value TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        code_expires_at INTEGER NOT NULL,
        wrong_attempts INTEGER NOT NULL DEFAULT 0,
        completed_at INTEGER
      );
      CREATE INDEX contact_changes_user ON contact_changes (user_id, created_at);
    `,
  },
  {
    id: '0006_practice_code_limits',
    sql: `
      -- Code and password limits a practice may make stricter. Each default is the product's
      -- loosest allowed value, and the CHECK keeps a direct database edit inside the same range.
      ALTER TABLE practices ADD COLUMN resend_cooldown_seconds INTEGER NOT NULL DEFAULT 30
        CHECK (resend_cooldown_seconds BETWEEN 30 AND 300);
      ALTER TABLE practices ADD COLUMN code_sends_per_hour INTEGER NOT NULL DEFAULT 5
        CHECK (code_sends_per_hour BETWEEN 1 AND 5);
      ALTER TABLE practices ADD COLUMN wrong_codes_per_challenge INTEGER NOT NULL DEFAULT 5
        CHECK (wrong_codes_per_challenge BETWEEN 1 AND 5);
      ALTER TABLE practices ADD COLUMN wrong_codes_per_account_lockout INTEGER NOT NULL DEFAULT 10
        CHECK (wrong_codes_per_account_lockout BETWEEN 3 AND 10);
      ALTER TABLE practices ADD COLUMN failed_passwords_per_account INTEGER NOT NULL DEFAULT 10
        CHECK (failed_passwords_per_account BETWEEN 3 AND 10);
    `,
  },
  {
    id: '0007_account_setup_codes',
    sql: `
      -- 1 while a user created by an administrator has not chosen a password yet. Such an account
      -- holds a random password hash that nobody knows, and the password step rejects it anyway.
      ALTER TABLE users ADD COLUMN password_setup_pending INTEGER NOT NULL DEFAULT 0
        CHECK (password_setup_pending IN (0, 1));

      -- Emailed setup codes, stored only as an HMAC keyed with the row id. At most one per user is
      -- open (not used, revoked or locked); issuing a new one revokes the previous one.
      CREATE TABLE account_setup_codes (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        code_hash TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        wrong_attempts INTEGER NOT NULL DEFAULT 0,
        locked_at INTEGER,
        used_at INTEGER,
        revoked_at INTEGER
      );
      CREATE INDEX account_setup_codes_user ON account_setup_codes (user_id, created_at);
    `,
  },
  {
    id: '0008_account_setup_code_sends',
    sql: `
      -- Each email of a setup code, written as 'pending' before the email leaves. The practice's
      -- resend cooldown counts pending and sent rows, so two parallel requests cannot both send.
      CREATE TABLE account_setup_code_sends (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        requested_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX account_setup_code_sends_user ON account_setup_code_sends (user_id, requested_at);
    `,
  },
  {
    id: '0009_audit_target_user_and_session_end_reasons',
    sql: `
      -- The user an administrator acted on, copied from details.targetUserId when the row is
      -- written, so that filtering the audit viewer by that user finds the row through an index.
      -- The hash chain covers details, and verification checks that this column matches them.
      ALTER TABLE audit_events ADD COLUMN target_user_id TEXT;
      DROP TRIGGER audit_events_reject_update;
      UPDATE audit_events SET target_user_id = json_extract(details, '$.targetUserId')
        WHERE event IN ('user.created', 'user.changed') AND json_type(details, '$.targetUserId') = 'text';
      CREATE TRIGGER audit_events_reject_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
      CREATE INDEX audit_events_target_user_time ON audit_events (target_user_id, occurred_at) WHERE target_user_id IS NOT NULL;

      -- SQLite cannot change a CHECK constraint in place, so sessions is rebuilt to allow
      -- 'user_deactivated' and 'signed_out_everywhere'. The rebuilds in 0004 and 0005 dropped
      -- sessions_open from 0003, so it is created again here.
      CREATE TABLE sessions_rebuilt (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL REFERENCES users (id),
        practice_id TEXT NOT NULL REFERENCES practices (id),
        device_fingerprint TEXT NOT NULL,
        mfa INTEGER NOT NULL CHECK (mfa IN (0, 1)),
        created_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT CHECK (end_reason IN
          ('logout', 'expired', 'timed_out', 'device_mismatch', 'device_revoked', 'password_reset', 'password_changed',
           'mfa_enforced', 'revoked_by_admin', 'user_deactivated', 'signed_out_everywhere'))
      );
      INSERT INTO sessions_rebuilt SELECT id, token_hash, user_id, practice_id, device_fingerprint, mfa, created_at,
        last_activity_at, expires_at, ended_at, end_reason FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_rebuilt RENAME TO sessions;
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE INDEX sessions_open ON sessions (practice_id) WHERE ended_at IS NULL;
    `,
  },
];

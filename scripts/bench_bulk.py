"""Adds tokens in bulk straight into the database of a running app (scripts/bench), or prints the key
of the token at a depth of a person's list. Tokens are added older than any the app made, so the
app's own stay first in the lists; they are 30-day, active tokens with random ids and digests, as the
app makes them, and the database's triggers count them as it counts the app's.

Usage: bench_bulk.py add DATABASE_URL OWNER_ID COUNT
       bench_bulk.py key DATABASE_URL OWNER_ID DEPTH     prints <created_at millis>.<token id>
PostgreSQL URLs are handed to psql; sqlite: URLs are opened with Python's sqlite3."""

import sqlite3
import subprocess
import sys
import time

DAY_MS = 86_400_000


def postgres(url, sql):
    done = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"psql: {done.stderr.strip()}")
    return done.stdout.strip()


def add(url, owner, count):
    now = int(time.time() * 1000)
    oldest, expires = now - 3_600_000, now + 30 * DAY_MS
    if url.startswith("postgres"):
        postgres(url, f"""
            INSERT INTO access_tokens (token_id, owner_id, digest, description, created_at, expires_at, scopes)
            SELECT gen_random_uuid()::text, {owner}, sha256(int8send(i)), 'bulk ' || i,
                   {oldest} - i * 10::bigint, {expires}, 'api'
            FROM generate_series(1, {count}) AS i;
            ANALYZE access_tokens;""")
        return
    database = sqlite3.connect(url.removeprefix("sqlite:").removeprefix("//"), timeout=60)
    with database:
        database.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}),
                 r(i, id) AS (SELECT i, lower(hex(randomblob(16))) FROM n)
            INSERT INTO access_tokens (token_id, owner_id, digest, description, created_at, expires_at, scopes)
            SELECT substr(id, 1, 8) || '-' || substr(id, 9, 4) || '-4' || substr(id, 14, 3) || '-a'
                   || substr(id, 18, 3) || '-' || substr(id, 21, 12),
                   {owner}, randomblob(32), 'bulk ' || i, {oldest} - i * 10, {expires}, 'api'
            FROM r""")
    # Fold the write-ahead log back into the database, as a database at rest would be: readers
    # would otherwise look every page up in a log of hundreds of megabytes.
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()


def key(url, owner, depth):
    sql = (f"SELECT created_at || '.' || token_id FROM access_tokens WHERE owner_id = {owner} "
           f"ORDER BY created_at DESC, token_id LIMIT 1 OFFSET {depth - 1}")
    if url.startswith("postgres"):
        return postgres(url, sql)
    database = sqlite3.connect(url.removeprefix("sqlite:").removeprefix("//"))
    (found,) = database.execute(sql).fetchone()
    return found


if __name__ == "__main__":
    command, url, owner, number = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if command == "add":
        add(url, owner, number)
    else:
        print(key(url, owner, number))

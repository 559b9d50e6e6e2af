package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Claim;
import com.company.database.schemaversion.core.Claimant;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Optional;

/**
 * The claims of one database, kept in the database itself so that no other name for the server (an IP, a
 * CNAME, a reader or custom endpoint) can split them: one row per claimed schema in
 * {@value #TABLE}, a table of its own schema, never inside a managed schema (Flyway would see a non-empty
 * schema without history there). Plain JDBC on the engine's connection; the only identifiers in the SQL are
 * the constants below, every value is a bound parameter.
 */
final class ClaimTable {
    static final String SCHEMA = "company_schemaversion";
    static final String TABLE = SCHEMA + ".claims";
    /** Serialises claims on one database (creating the table included); released when the transaction ends. */
    private static final long LOCK_KEY = 0x636c61696d73L;
    private static final String COLUMNS = "resource_id, stack_id, logical_id, create_request, created_history, on_delete,"
            + " claimed_at";

    private ClaimTable() {
    }

    /** The SQL an operator runs once when the logins that deploy may not create the claim schema themselves. */
    static final String SETUP_SQL = "CREATE SCHEMA " + SCHEMA + "; CREATE TABLE " + TABLE + " (schema_name text PRIMARY KEY,"
            + " resource_id text NOT NULL, stack_id text, logical_id text, create_request text, created_history boolean"
            + " NOT NULL, on_delete text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now());"
            + " GRANT USAGE ON SCHEMA " + SCHEMA + " TO <login>; GRANT SELECT, INSERT, UPDATE, DELETE ON " + TABLE
            + " TO <login>";

    static Optional<Claim> read(Connection c, String schema) throws SQLException {
        if (!tableExists(c)) {
            return Optional.empty();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE schema_name = ?")) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(claim(rs)) : Optional.empty();
            }
        }
    }

    /** See SchemaEngine#claim. */
    static Claim claim(Connection c, String schema, Claimant who, String where) throws SQLException {
        c.setAutoCommit(false);
        try {
            lock(c);
            ensureTable(c);
            Optional<Claim> current = read(c, schema);
            if (current.isPresent() && !who.holds(current.get())) {
                c.rollback();
                throw new ReconcileException(Reason.ALREADY_OWNED, "Schema " + schema + " on " + where + " is already"
                        + " claimed by another Company::Database::SchemaVersion resource (the database itself records"
                        + " the claim, so another name for the same server finds it too). One resource per database"
                        + " schema: give this one another Schema, or delete the other resource first. Nothing was"
                        + " changed.");
            }
            if (current.isPresent()) {
                try (PreparedStatement s = c.prepareStatement("UPDATE " + TABLE + " SET on_delete = ? WHERE schema_name = ?")) {
                    s.setString(1, who.onDelete());
                    s.setString(2, schema);
                    s.executeUpdate();
                }
            } else {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE + " (schema_name, " + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, now())")) {
                    s.setString(1, schema);
                    s.setString(2, who.resourceId());
                    s.setString(3, who.stackId());
                    s.setString(4, who.logicalId());
                    s.setString(5, who.createRequest());
                    s.setBoolean(6, emptyOrMissing(c, schema));
                    s.setString(7, who.onDelete());
                    s.executeUpdate();
                }
            }
            Claim now = read(c, schema).orElseThrow();
            c.commit();
            return now;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** See SchemaEngine#release. */
    static boolean release(Connection c, String schema, Claimant who) throws SQLException {
        if (!tableExists(c)) {
            return false;
        }
        c.setAutoCommit(false);
        try {
            lock(c);
            Optional<Claim> current = read(c, schema);
            boolean ours = current.isPresent() && who.holds(current.get());
            if (ours) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + TABLE + " WHERE schema_name = ?")) {
                    s.setString(1, schema);
                    s.executeUpdate();
                }
            }
            c.commit();
            return ours;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static void lock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            s.setLong(1, LOCK_KEY);
            s.execute();
        }
    }

    /**
     * Creates the claim schema and table when missing. Asked first, because CREATE SCHEMA IF NOT EXISTS needs
     * CREATE on the database even when the schema exists: a login without it still claims where an operator
     * created the table.
     */
    private static void ensureTable(Connection c) throws SQLException {
        if (tableExists(c)) {
            return;
        }
        try (Statement s = c.createStatement()) {
            if (!schemaExists(c)) {
                s.execute("CREATE SCHEMA " + SCHEMA);
            }
            s.execute("CREATE TABLE " + TABLE + " (schema_name text PRIMARY KEY, resource_id text NOT NULL,"
                    + " stack_id text, logical_id text, create_request text, created_history boolean NOT NULL,"
                    + " on_delete text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now())");
        }
    }

    private static boolean tableExists(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            s.setString(1, TABLE);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static boolean schemaExists(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_namespace WHERE nspname = ?")) {
            s.setString(1, SCHEMA);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** No relation, function or user-defined type in the schema (or no schema): nothing there the claim did not make. */
    private static boolean emptyOrMissing(Connection c, String schema) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = ?) + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE n.nspname = ?) + (SELECT count(*) FROM pg_type t JOIN pg_namespace n"
                + " ON n.oid = t.typnamespace WHERE n.nspname = ? AND t.typtype IN ('e', 'd', 'r', 'm'))")) {
            s.setString(1, schema);
            s.setString(2, schema);
            s.setString(3, schema);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        }
    }

    private static Claim claim(ResultSet rs) throws SQLException {
        Timestamp at = rs.getTimestamp("claimed_at");
        return new Claim(rs.getString("resource_id"), rs.getString("stack_id"), rs.getString("logical_id"),
                rs.getString("create_request"), rs.getBoolean("created_history"), rs.getString("on_delete"),
                at == null ? null : at.toInstant());
    }
}

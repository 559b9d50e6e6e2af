package com.company.database.schemaversion.engine;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rule that keeps placeholder values data. Flyway pastes a value into the script text before PostgreSQL
 * parses it, so a value is refused unless it is one token that cannot end a quoted string or identifier
 * (no ' " \ $), end a statement (no ;), start a comment (no -- or /*), or add words or list items to the
 * statement it lands in (no space, comma, parenthesis or control character): a value may only hold letters,
 * digits and _ . : / @ + = -, at most {@value #MAX_LENGTH} characters, without "--".
 *
 * <p>A script that needs a value which is not a valid unquoted identifier (a hyphen, a dot) quotes it
 * itself: "${AppRole}" as an identifier, '${Region}' or $v$${Region}$v$ as a literal; none of those quotes
 * can occur in a value. Free text (spaces, punctuation) travels base64-encoded and is decoded in the script:
 * convert_from(decode('${DescriptionBase64}', 'base64'), 'UTF8').
 *
 * <p>Nor may a value name a role every login has, or that PostgreSQL reserves: quoting does not help, since
 * PostgreSQL reads GRANT ... TO "public" as a grant to PUBLIC (every role), and the pg_ roles (pg_read_all_data,
 * pg_write_all_data, pg_monitor, ...) are held by logins the author does not know. A value is refused when it is,
 * in any case, one of {@link #RESERVED_ROLES} or starts with pg_. This holds for every placeholder, since the type
 * cannot tell which ones a script uses as role names: a script that needs the schema's name uses
 * ${flyway:defaultSchema}.
 *
 * <p>Every execution path builds EngineSettings, whose constructor calls {@link #check}, so the handler, the
 * VPC runner and the local planner all refuse the same values before Flyway sees them.
 */
public final class PlaceholderValues {
    public static final int MAX_LENGTH = 256;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_.:/@+=-]*");
    /** Names a GRANT, REVOKE or ALTER ... OWNER TO reads as a role other than one called so, or that CREATE ROLE refuses. */
    public static final Set<String> RESERVED_ROLES = Set.of("public", "none", "current_user", "session_user",
            "current_role", "current_schema", "current_catalog", "user", "system_user");

    private PlaceholderValues() {
    }

    /** Refuses (InvalidRequest) the first placeholder, in key order, whose value breaks the rule. */
    public static void check(Map<String, String> placeholders) {
        if (placeholders == null) {
            return;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(placeholders).entrySet()) {
            if (reservedRole(e.getValue())) {
                throw new ReconcileException(Reason.INVALID_INPUT, "Placeholders." + e.getKey() + " names a role"
                        + " that every login holds or that PostgreSQL reserves (PUBLIC, CURRENT_USER, SESSION_USER,"
                        + " CURRENT_ROLE, a pg_ role, in any case, quoted or not): a script that grants to it would"
                        + " grant to every role, or to logins you do not know. Nothing was applied. Name a role of"
                        + " your own.");
            }
            String problem = problem(e.getValue());
            if (problem != null) {
                throw new ReconcileException(Reason.INVALID_INPUT, "Placeholders." + e.getKey() + " " + problem
                        + ". A placeholder value is pasted into the SQL text, so it may hold only letters, digits and"
                        + " _ . : / @ + = - (no spaces, quotes, backslash, $, ;, commas, parentheses, \"--\" or line"
                        + " breaks), at most " + MAX_LENGTH + " characters. Nothing was applied. Quote the placeholder in"
                        + " the script (\"${" + e.getKey() + "}\" or $v$${" + e.getKey() + "}$v$) for values that are not"
                        + " plain identifiers; pass free text base64-encoded and decode it in the script.");
            }
        }
    }

    /** Whether the value, as a role name, would mean PUBLIC, the current or session user, or a built-in role. */
    public static boolean reservedRole(String value) {
        if (value == null) {
            return false;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        return RESERVED_ROLES.contains(lower) || lower.startsWith("pg_");
    }

    /** Why the value is not allowed (never the value itself: it may come from a hostile template), or null. */
    public static String problem(String value) {
        if (value == null) {
            return "has no value";
        }
        if (value.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " characters";
        }
        if (!ALLOWED.matcher(value).matches()) {
            int bad = value.codePoints().filter(c -> !(c < 128 && ALLOWED.matcher(Character.toString(c)).matches()))
                    .findFirst().orElse('?');
            return "contains " + describe(bad);
        }
        if (value.contains("--")) {
            return "contains \"--\" (an SQL comment start)";
        }
        return null;
    }

    private static String describe(int c) {
        if (c < 0x20 || c == 0x7f) {
            return c == '\n' || c == '\r' ? "a line break" : "a control character (U+" + String.format("%04X", c) + ")";
        }
        if (c == ' ') {
            return "a space";
        }
        if (c > 0x7e) {
            return "a character outside ASCII (U+" + String.format("%04X", c) + ")";
        }
        return "the character " + (char) c;
    }
}

package com.company.database.schemaversion.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A migration version as Flyway orders them: dot-separated numbers, compared numerically part by part,
 * trailing zeros ignored ("1.0" equals "1"). Kept here so the core needs no Flyway type.
 */
public final class Version implements Comparable<Version> {
    private static final Pattern SHAPE = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    private final String text;
    private final List<BigInteger> parts;

    private Version(String text, List<BigInteger> parts) {
        this.text = text;
        this.parts = parts;
    }

    /** "7", "2.1", "20240101.1200", "007", or the file-name spelling "2_1" Flyway also accepts as a target. */
    public static boolean isValid(String text) {
        return text != null && SHAPE.matcher(text.replace('_', '.')).matches();
    }

    /** Parses "7", "2.1" or Flyway's file-name form "2_1"; toString gives the dotted form. */
    public static Version parse(String text) {
        String normalized = text == null ? null : text.replace('_', '.');
        if (!isValid(normalized)) {
            throw new IllegalArgumentException("not a version: " + text);
        }
        List<BigInteger> parts = new ArrayList<>();
        for (String p : normalized.split("\\.")) {
            parts.add(new BigInteger(p));
        }
        while (parts.size() > 1 && parts.get(parts.size() - 1).signum() == 0) {
            parts.remove(parts.size() - 1);
        }
        return new Version(normalized, List.copyOf(parts));
    }

    @Override
    public int compareTo(Version o) {
        int n = Math.max(parts.size(), o.parts.size());
        for (int i = 0; i < n; i++) {
            BigInteger a = i < parts.size() ? parts.get(i) : BigInteger.ZERO;
            BigInteger b = i < o.parts.size() ? o.parts.get(i) : BigInteger.ZERO;
            int c = a.compareTo(b);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version && compareTo((Version) o) == 0;
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}

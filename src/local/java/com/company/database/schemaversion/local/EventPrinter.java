package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Prints handler answers the way the CloudFormation console shows stack events (the handler's message says how far a
 * deploy got, "(reached of total)"), and the final model with the read-only (handler-reported) properties set apart.
 */
final class EventPrinter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final List<String> READ_ONLY = readSchemaReadOnlyProperties();

    private final PrintStream out;
    private final String logicalId;
    private final boolean ansi;
    private boolean headerPrinted;

    EventPrinter(PrintStream out, String logicalId) {
        this.out = out;
        this.logicalId = logicalId;
        this.ansi = out == System.out && System.console() != null && System.getenv("NO_COLOR") == null;
    }

    void event(CloudFormationDriver.Event e) {
        if (!headerPrinted) {
            out.printf("  %-12s  %-16s  %-20s  %4s  %6s  %s%n", "TIME (UTC)", "LOGICAL ID", "STATUS", "CALL", "TOOK", "MESSAGE");
            headerPrinted = true;
        }
        String status = e.action() + "_" + switch (e.status()) {
            case "SUCCESS" -> "COMPLETE";
            case "IN_PROGRESS" -> "IN_PROGRESS";
            default -> "FAILED";
        };
        String message = e.message();
        if ("FAILED".equals(e.status()) && e.errorCode() != null) {
            message = "(" + e.errorCode() + ") " + message;
        }
        out.printf("  %-12s  %-16s  %-20s  %4d  %5.1fs  %s%n", TIME.format(e.time()), logicalId,
                color(status, e.status()), e.call(), e.millis() / 1000.0, message);
    }

    private String color(String text, String status) {
        String padded = String.format("%-20s", text);
        if (!ansi) {
            return padded;
        }
        String code = switch (status) {
            case "SUCCESS" -> "32";
            case "IN_PROGRESS" -> "33";
            default -> "31";
        };
        return "\u001b[" + code + "m" + padded + "\u001b[0m";
    }

    /** The model as declared (pretty JSON), then the read-only values the handler reported. */
    void model(JsonNode model) {
        model(model, true);
    }

    void model(JsonNode model, boolean withDeclared) {
        if (model == null || model.isNull()) {
            return;
        }
        ObjectNode declared = model.deepCopy();
        List<String[]> reported = new ArrayList<>();
        for (String name : readOnlyProperties()) {
            JsonNode v = declared.remove(name);
            if (v != null && !v.isNull()) {
                reported.add(new String[] {name, v.isTextual() ? v.asText() : v.toString()});
            }
        }
        if (withDeclared) {
            out.println("  Properties (as the template declares them):");
            try {
                for (String line : JSON.writeValueAsString(declared).split("\n")) {
                    out.println("    " + line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!reported.isEmpty()) {
            out.println("  Read-only attributes (reported by the handler; !GetAtt " + logicalId + ".<Name> in a template):");
            for (String[] r : reported) {
                out.printf("    %-22s %s%n", r[0], ansi ? "\u001b[1m" + r[1] + "\u001b[0m" : r[1]);
            }
        }
    }

    /** The schema's readOnlyProperties. */
    static List<String> readOnlyProperties() {
        return READ_ONLY;
    }

    /** Read once, from the schema the artifact carries. */
    private static List<String> readSchemaReadOnlyProperties() {
        List<String> names = new ArrayList<>();
        try (InputStream in = EventPrinter.class.getClassLoader().getResourceAsStream("company-database-schemaversion.json")) {
            JsonNode schema = JSON.readTree(in);
            for (Iterator<JsonNode> it = schema.path("readOnlyProperties").elements(); it.hasNext(); ) {
                names.add(it.next().asText().replace("/properties/", ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(names);
    }

}

package com.company.database.schemaversion;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.ResolvableDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import software.amazon.cloudformation.proxy.HandlerRequest;
import software.amazon.cloudformation.resource.exceptions.ValidationException;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Reads the wrapper's request with the wrapper's own deserializer for HandlerRequest, and turns any failure into
 * the schema validation failure the wrapper answers as InvalidRequest ("Model validation failed (...)"), built
 * only from the names on the failure's path and the Java type that could not hold the value: never from the
 * parser's message, which quotes the raw request (credentials, bearer token) around the bad value. The failure
 * carries no cause, so the wrapper has nothing else to log or to put into the answer.
 *
 * <p>A request the model can hold is read exactly as before: the same deserializer reads the same stream once.
 */
public final class RequestReader extends StdDeserializer<Object> implements ResolvableDeserializer {
    /** Longest property name put into a message; longer names are cut (they come from the request). */
    private static final int MAX_NAME = 64;

    private transient JsonDeserializer<Object> delegate;

    /** The type the entrypoint asks the wrapper's parser for: a HandlerRequest, read by this class. */
    @JsonDeserialize(using = RequestReader.class)
    static final class Guarded extends HandlerRequest<ResourceModel, CallbackContext, TypeConfigurationModel> {
    }

    public RequestReader() {
        super(HandlerRequest.class);
    }

    @Override
    public void resolve(DeserializationContext ctxt) throws JsonMappingException {
        JavaType request = ctxt.getTypeFactory().constructParametricType(HandlerRequest.class, ResourceModel.class,
                CallbackContext.class, TypeConfigurationModel.class);
        delegate = ctxt.findRootValueDeserializer(request);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        try {
            return delegate.deserialize(p, ctxt);
        } catch (JacksonException e) {
            throw refusal(path(e, p), expected(e));
        }
    }

    /** The refusal for a value at path (JSON names from the request's root) that a field of type expected cannot hold. */
    static ValidationException refusal(List<String> path, String expected) {
        String where;
        String why = "";
        String todo;
        List<String> inside;
        if (startsWith(path, "requestData", "resourceProperties")) {
            inside = path.subList(2, path.size());
            where = inside.isEmpty() ? "The resource properties" : "Property " + join(inside);
            todo = "Correct " + (inside.isEmpty() ? "them" : join(inside)) + " in the template: docs/README.md gives each"
                    + " property's type and bounds.";
        } else if (startsWith(path, "requestData", "previousResourceProperties")) {
            inside = path.subList(2, path.size());
            where = (inside.isEmpty() ? "The previous properties" : join(inside) + " of the previous properties")
                    + " (what the stack last deployed)";
            todo = "Those were deployed by another version of this type: update the resource with valid properties"
                    + " through a version that accepts them, or contact the type's publisher.";
        } else if (startsWith(path, "requestData", "typeConfiguration")) {
            inside = path.subList(2, path.size());
            where = (inside.isEmpty() ? "The type configuration" : join(inside) + " of the type configuration")
                    + " (the account admin's)";
            todo = "The account admin sets it again with aws cloudformation set-type-configuration (see"
                    + " guides/type-configuration.md).";
        } else if (startsWith(path, "callbackContext") || startsWith(path, "requestContext", "callbackContext")) {
            inside = path.subList(startsWith(path, "callbackContext") ? 1 : 2, path.size());
            where = inside.isEmpty() ? "The callback context" : join(inside) + " of the callback context";
            why = "The callback context (the progress an earlier call of this operation handed back) was not written"
                    + " by this version of the type. ";
            todo = "Run the operation again.";
        } else {
            inside = path;
            where = inside.isEmpty() ? "The request" : join(inside) + " of the request";
            todo = "The request was not one CloudFormation sends.";
        }
        String message = where + " cannot be read: it must be " + expected + ". " + why + "Nothing was done. " + todo;
        return new ValidationException(message, "type", "#/" + String.join("/", inside));
    }

    /** The names on the failure's path: from the mapping exception if it has one, else from where the parser stood. */
    private static List<String> path(JacksonException e, JsonParser p) {
        List<String> names = new ArrayList<>();
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            for (JsonMappingException.Reference r : m.getPath()) {
                names.add(r.getFieldName() != null ? name(r.getFieldName()) : "[" + Math.max(r.getIndex(), 0) + "]");
            }
            return names;
        }
        Deque<String> reversed = new ArrayDeque<>();
        for (JsonStreamContext c = p.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) {
                reversed.push(name(c.getCurrentName()));
            } else if (c.inArray()) {
                reversed.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            }
        }
        names.addAll(reversed);
        return names;
    }

    /** What the field could have held, from its Java type: the schema gives the exact bounds. */
    private static String expected(JacksonException e) {
        Class<?> type = null;
        if (e instanceof MismatchedInputException m) {
            type = m.getTargetType();
        } else if (e instanceof InputCoercionException c) {
            type = c.getTargetType();
        } else if (e instanceof JsonMappingException m && m.getCause() instanceof InputCoercionException c) {
            type = c.getTargetType();
        }
        if (type == null) {
            return "a value of the type the schema gives it";
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number no larger than " + Integer.MAX_VALUE + " (its bounds in the schema may be narrower)";
        }
        if (type == Long.class || type == long.class) {
            return "a whole number no larger than " + Long.MAX_VALUE;
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (type.isEnum()) {
            return "one of the values the schema lists";
        }
        return Map.class.isAssignableFrom(type) || !type.getName().startsWith("java.") ? "an object" : "a value of"
                + " the type the schema gives it";
    }

    /** A name from the request, as a message may show it: letters, digits and _ only, at most MAX_NAME characters. */
    private static String name(String raw) {
        String cut = raw.length() > MAX_NAME ? raw.substring(0, MAX_NAME) : raw;
        return cut.replaceAll("[^A-Za-z0-9_]", "?");
    }

    private static boolean startsWith(List<String> path, String... prefix) {
        if (path.size() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (!path.get(i).equalsIgnoreCase(prefix[i])) {
                return false;
            }
        }
        return true;
    }

    private static String join(List<String> names) {
        return String.join(".", names).replace(".[", "[");
    }
}

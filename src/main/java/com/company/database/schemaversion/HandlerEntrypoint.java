package com.company.database.schemaversion;

import com.fasterxml.jackson.core.type.TypeReference;
import software.amazon.cloudformation.proxy.HandlerRequest;

import java.lang.reflect.Type;

/**
 * What Lambda runs (the entrypoint .rpdk-config and template.yml name): the generated wrapper, whole, except that
 * the request is read by {@link RequestReader}. The rpdk wrapper parses the request with a parser that quotes up to
 * 500 characters of the raw request in its error messages, and answers a value the model cannot hold (a number
 * past an Integer, a string where a list goes) with that message as InternalFailure, logging it too: the raw
 * request starts with the caller's credentials or the bearer token. Read through RequestReader, such a request is
 * refused as InvalidRequest naming the property, and nothing of the request reaches the answer or the log.
 *
 * <p>A subclass rather than an edit, because cfn generate rewrites HandlerWrapper and never the entrypoint names.
 * The reader is the only change: the wrapper's own schema validation, answer and logging stay as they are.
 */
public class HandlerEntrypoint extends HandlerWrapper {
    /** Read by the wrapper's constructor, before this class's instance fields exist: a constant. */
    private static final TypeReference<HandlerRequest<ResourceModel, CallbackContext, TypeConfigurationModel>> GUARDED =
            new TypeReference<>() {
                @Override
                public Type getType() {
                    return RequestReader.Guarded.class;
                }
            };

    @Override
    protected TypeReference<HandlerRequest<ResourceModel, CallbackContext, TypeConfigurationModel>> getTypeReference() {
        return GUARDED;
    }
}

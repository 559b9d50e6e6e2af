package com.company.database.schemaversion.mode;

import com.company.database.schemaversion.BaseHandlerStd;
import com.company.database.schemaversion.CallbackContext;
import com.company.database.schemaversion.Credentials;
import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.aws.CallerCredentials;
import com.company.database.schemaversion.engine.Login;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.engine.EngineSettings;
import com.company.database.schemaversion.engine.IamAuthTokens;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.ProgressEvent;

import java.util.Objects;
import java.util.Optional;

/**
 * Execution.Mode Direct: Flyway runs in the handler process, with the login read from SSM by the handler. One per
 * request ({@link ExecutionMode#of}): its engine, and with it the settings, the login and the policy checks behind
 * them, is built once and used by every step of the call (the claim, the history actions, the reconcile), and
 * dropped with the request.
 */
public final class DirectMode implements ExecutionMode {
    private ResourceModel resolvedFor;
    private SchemaEngine engine;

    DirectMode() {
    }

    @Override
    public boolean keepsRunnerFunction() {
        return false;
    }

    @Override
    public LambdaRunnerPackage runnerCode(BaseHandlerStd.Services services) {
        return null;
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> ready(ResourceModel model, CallbackContext ctx,
                                                                         BaseHandlerStd.Services services, Logger logger) {
        return Optional.empty();
    }

    @Override
    public void validate(ResourceModel model, HandlerEnvironment environment) {
        // Nothing beyond the schema, the account policy and the placeholder rule, which every mode checks.
    }

    @Override
    public void preflight(ResourceModel model, BaseHandlerStd.Services services) {
        engine(model, services);
    }

    @Override
    public SchemaEngine engine(ResourceModel model, BaseHandlerStd.Services services) {
        // The Id is what the claim adds between the first use and the next; it does not change the engine.
        ResourceModel key = model.toBuilder().id(null).build();
        if (engine == null || !Objects.equals(key, resolvedFor)) {
            EngineSettings settings = Translator.engineSettings(model, services.environment());
            engine = services.environment().engines().get(Translator.connection(model, login(model, services),
                    services.policy()), settings);
            resolvedFor = key;
        }
        return engine;
    }

    @Override
    public SchemaEngine stepper(ResourceModel model, CallbackContext ctx, BaseHandlerStd.Services services) {
        return engine(model, services);
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> tearDown(Translator.Record recorded, ResourceModel given,
                                                                            CallbackContext ctx, BaseHandlerStd.Services services,
                                                                            Logger logger) {
        ctx.setDeleteNote(ClaimSteps.onDelete(recorded, () -> engine(recorded.model(), services), services, logger));
        return Optional.empty();
    }

    @Override
    public Optional<ProgressEvent<ResourceModel, CallbackContext>> leave(ResourceModel left, ResourceModel next,
                                                                         CallbackContext ctx, BaseHandlerStd.Services services,
                                                                         Logger logger) {
        // Nothing outside the database and the record was created.
        return Optional.empty();
    }

    @Override
    public void abandon(ResourceModel claimed, BaseHandlerStd.Services services, Logger logger) {
        // Nothing outside the database and the record was created.
    }

    /**
     * The login, after the account policy (the binding of this login to this server included) allowed it: read
     * from SSM, or an IAM token signed with the execution role's credentials for this host, port and user.
     */
    private static Login login(ResourceModel model, BaseHandlerStd.Services services) {
        services.policy().checkReadsAndConnections(model);
        Credentials c = model.getCredentials();
        if (c.getIamUsername() != null) {
            return new Login(c.getIamUsername(), IamAuthTokens.token(CallerCredentials.of(services.ssm()),
                    services.region(), model.getDatabase().getHost(), Translator.port(model), c.getIamUsername(),
                    services.environment().clock()));
        }
        return services.logins().resolve(c.getUsernameParameter(), c.getPasswordParameter(), c.getSecretParameter());
    }
}

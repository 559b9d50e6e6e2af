package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.AwsClients;
import com.company.database.schemaversion.aws.LambdaInvokers;
import com.company.database.schemaversion.aws.LambdaRunners;
import com.company.database.schemaversion.aws.Login;
import com.company.database.schemaversion.aws.SsmLogins;
import com.company.database.schemaversion.aws.SsmRecordStore;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Reconciler;
import com.company.database.schemaversion.core.Report;
import com.company.database.schemaversion.core.SchemaEngine;
import com.company.database.schemaversion.engine.FlywayEngines;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.Logger;
import software.amazon.cloudformation.proxy.OperationStatus;
import software.amazon.cloudformation.proxy.ProgressEvent;
import software.amazon.cloudformation.proxy.ProxyClient;
import software.amazon.cloudformation.proxy.ResourceHandlerRequest;

/**
 * What every handler shares: the AWS adapters bound to the caller's credentials, the engine for a model,
 * the reconcile step, and the single translation of failures into CloudFormation answers.
 */
public abstract class BaseHandlerStd extends BaseHandler<CallbackContext, TypeConfigurationModel> {
    protected static final Reconciler RECONCILER = new Reconciler();

    /** The adapters of one request. */
    protected record Services(SsmRecordStore records, SsmLogins logins, String region, ProxyClient<SsmClient> ssm,
                              LambdaRunners runners, ProxyClient<LambdaClient> invoker, AccountPolicy policy) {
    }

    @Override
    public final ProgressEvent<ResourceModel, CallbackContext> handleRequest(
            final AmazonWebServicesClientProxy proxy,
            final ResourceHandlerRequest<ResourceModel> request,
            final CallbackContext callbackContext,
            final Logger logger,
            final TypeConfigurationModel typeConfiguration) {
        CallbackContext ctx = callbackContext != null ? callbackContext : new CallbackContext();
        ctx.setCalls(ctx.getCalls() + 1);
        ProxyClient<SsmClient> ssm = proxy.newProxy(() -> AwsClients.ssm(request.getRegion()));
        AccountPolicy policy = AccountPolicy.of(typeConfiguration);
        Services services = new Services(new SsmRecordStore(ssm), new SsmLogins(ssm, policy), request.getRegion(), ssm,
                new LambdaRunners(proxy.newProxy(() -> AwsClients.lambda(request.getRegion()))),
                proxy.newProxy(() -> LambdaInvokers.forRegion(request.getRegion())), policy);
        ResourceModel model = request.getDesiredResourceState();
        try {
            return handle(request, ctx, services, logger);
        } catch (ReconcileException e) {
            logger.log(getClass().getSimpleName() + ": " + e.reason() + ": " + e.getMessage());
            return afterFailure(onFailure(e, request, ctx), request, ctx, services, logger);
        } catch (RuntimeException e) {
            logger.log(getClass().getSimpleName() + ": unexpected " + e.getClass().getName() + ": " + e.getMessage());
            return ErrorTranslator.failed(Reason.INTERNAL, "Unexpected error (" + e.getClass().getSimpleName() + "): "
                    + e.getMessage(), model);
        }
    }

    protected abstract ProgressEvent<ResourceModel, CallbackContext> handle(
            ResourceHandlerRequest<ResourceModel> request, CallbackContext ctx, Services services, Logger logger);

    /** Mutating handlers wait for what is worth waiting for; Read and List answer at once. */
    protected ProgressEvent<ResourceModel, CallbackContext> onFailure(ReconcileException e,
                                                                      ResourceHandlerRequest<ResourceModel> request,
                                                                      CallbackContext ctx) {
        ResourceModel model = withIdentifier(request.getDesiredResourceState(), request.getPreviousResourceState());
        int wait = model == null || model.getDatabase() == null ? 0 : Translator.connectWaitMinutes(model);
        return ErrorTranslator.toEvent(e, model, ctx, true, wait);
    }

    /**
     * The model with its Id filled in when the request did not carry one (a first Create call, an Update
     * without Id): an IN_PROGRESS answer while waiting must name the resource (contract: primary identifier).
     */
    protected static ResourceModel withIdentifier(ResourceModel model, ResourceModel previous) {
        if (model == null || model.getId() != null) {
            return model;
        }
        if (previous != null && previous.getId() != null) {
            return model.toBuilder().id(previous.getId()).build();
        }
        Database d = model.getDatabase();
        return d == null || d.getHost() == null || d.getName() == null ? model : model.toBuilder().id(Translator.idOf(model)).build();
    }

    /** What a handler does once a failure is final or waiting has been decided; by default nothing. */
    protected ProgressEvent<ResourceModel, CallbackContext> afterFailure(ProgressEvent<ResourceModel, CallbackContext> event,
                                                                         ResourceHandlerRequest<ResourceModel> request,
                                                                         CallbackContext ctx, Services services, Logger logger) {
        return event;
    }

    protected static SchemaEngine engineFor(ResourceModel model, Services services) {
        if (Translator.vpcRunner(model)) {
            return VpcRunner.engine(model, model.getId() != null ? model.getId() : Translator.idOf(model), services);
        }
        services.policy().checkReadsAndConnections(model);
        Login login = services.logins().resolve(model.getCredentials().getUsernameParameter(),
                model.getCredentials().getPasswordParameter(), model.getCredentials().getSecretParameter());
        return FlywayEngines.get(Translator.connection(model, login, services.policy()), Translator.engineSettings(model));
    }

    /** One bounded reconcile step towards the model's TargetVersion: IN_PROGRESS until it is reached. */
    protected static ProgressEvent<ResourceModel, CallbackContext> reconcileStep(ResourceModel model, CallbackContext ctx,
                                                                                 Services services, Logger logger) {
        if (Translator.vpcRunner(model)) {
            return VpcRunner.reconcileStep(model, ctx, services, logger);
        }
        SchemaEngine engine = engineFor(model, services);
        Report report = RECONCILER.step(engine, model.getTargetVersion(), HandlerEnvironment.newCallBudget());
        ctx.setWaitingSince(null);
        ctx.setWaitAttempts(0);
        ResourceModel result = Translator.withStatus(model, report.observation(), report.plan().target());
        logger.log(report.message());
        return ProgressEvent.<ResourceModel, CallbackContext>builder()
                .status(report.done() ? OperationStatus.SUCCESS : OperationStatus.IN_PROGRESS)
                .resourceModel(result)
                .callbackContext(report.done() ? null : ctx)
                .callbackDelaySeconds(0)
                .message(report.message())
                .build();
    }

    /** The resource's record, or NOT_FOUND. */
    protected static Translator.Record recordOf(String id, Services services) {
        if (id == null) {
            throw new ReconcileException(Reason.NOT_FOUND, "No Id given and none can be derived: nothing to act on.");
        }
        return services.records().get(id).map(Translator::fromRecord)
                .orElseThrow(() -> new ReconcileException(Reason.NOT_FOUND, "Resource " + id
                        + " does not exist (no record " + SsmRecordStore.nameOf(id) + "): it was never created or was deleted."));
    }
}
